"""Rule packs: YAML (or a dict) -> validated :class:`Pack`.

The format is documented in docs/rules/format.md. Every error raises :class:`PackError` naming the
key path and the reason, e.g. ``indicators[1].bands[2].points: 60 exceeds the indicator's max 50``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import PackError
from .expr import Compiler
from .facts import FACT_COLUMNS

LANGS = ("zh", "ko", "en")
FORMATS = ("pct", "money", "int", "num", "flag", "years", "usd")
PACK_KEYS = {
    "id", "name", "version", "year", "region", "valid_from", "valid_to", "rung", "track", "citation",
    "source", "weak_items", "validity_years", "parameters", "applicability", "eligibility", "criteria",
    "indicators", "groups", "total", "routes", "notes",
}
REQUIRED = ("id", "name", "version", "year", "region", "valid_from", "citation", "source")
ITEM_KEYS = {"id", "label", "cite", "source", "test", "format", "gap", "extra"}
IND_KEYS = {"id", "label", "cite", "source", "group", "max", "expert", "value", "bands", "cases", "options",
            "format"}
OPT_KEYS = {"id", "label", "value", "bands", "cases", "format"}
BAND_KEYS = {"ge", "gt", "lt", "le", "points", "label"}
CASE_KEYS = {"when", "points", "label"}
GROUP_KEYS = {"id", "label", "max", "ge", "gt"}


@dataclass
class Item:
    """A condition: eligibility, criteria, route or applicability."""

    id: str
    label: dict[str, str]
    cite: str
    source: str
    test: Any
    format: str
    gap: dict[str, str]
    extra: dict[str, Any]


@dataclass
class Band:
    lower: float | None
    lower_inclusive: bool
    upper: float | None
    upper_inclusive: bool
    lo: float
    hi: float
    label: dict[str, str] | None


@dataclass
class Case:
    when: Any
    lo: float
    hi: float
    label: dict[str, str] | None


@dataclass
class Option:
    id: str
    label: dict[str, str]
    value: Any  # expression (bands) or None (cases)
    bands: list[Band]
    cases: list[Case]
    format: str


@dataclass
class Indicator:
    id: str
    label: dict[str, str]
    cite: str
    source: str
    group: str
    max: float
    expert: bool
    options: list[Option]


@dataclass
class Group:
    id: str
    label: dict[str, str]
    max: float | None
    minimum: tuple[str, float] | None  # ("ge"|"gt", value)


@dataclass
class Pack:
    id: str
    name: dict[str, str]
    version: str
    year: int
    region: str
    valid_from: int
    valid_to: int | None
    rung: str
    track: str
    citation: dict[str, str]
    source: str
    weak_items: list[str]
    validity_years: int | None
    parameters: dict[str, float]
    applicability: Item | None
    eligibility: list[Item]
    criteria: list[Item]
    indicators: list[Indicator]
    groups: list[Group]
    total: tuple[str, float] | None
    routes: list[Item]
    notes: dict[str, str] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)
    path: str | None = None

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def max_score(self) -> float:
        return sum(g.max if g.max is not None else sum(i.max for i in self.indicators if i.group == g.id)
                   for g in self.groups)

    def covers(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def with_params(self, overrides: dict[str, float]) -> Pack:
        """A copy with some parameters replaced (validated again)."""
        raw = copy.deepcopy(self.raw)
        for k, v in overrides.items():
            if k not in raw.get("parameters", {}):
                raise PackError(f"parameters.{k}", f"pack '{self.id}' has no such parameter")
            raw["parameters"][k] = v
        return parse_pack(raw, self.path)


def _lang(value: Any, path: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PackError(path, "expected a mapping with zh, ko and en texts")
    for lang in LANGS:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise PackError(f"{path}.{lang}", "missing text")
    extra = set(value) - set(LANGS)
    if extra:
        raise PackError(path, f"unknown language keys {sorted(extra)}; expected zh, ko, en")
    return {k: value[k] for k in LANGS}


def _keys(data: Any, allowed: set[str], path: str) -> None:
    if not isinstance(data, dict):
        raise PackError(path, f"expected a mapping, got {type(data).__name__}")
    unknown = set(data) - allowed
    if unknown:
        raise PackError(f"{path}.{sorted(unknown)[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}")


def _num(value: Any, path: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PackError(path, f"expected a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise PackError(path, f"must be ≥ {minimum}")
    return float(value)


def _source(value: Any, path: str) -> str:
    if value not in ("confirmed", "weak"):
        raise PackError(path, f"expected 'confirmed' or 'weak', got {value!r}")
    return value


def _points(value: Any, maximum: float, path: str) -> tuple[float, float]:
    if isinstance(value, list):
        if len(value) != 2:
            raise PackError(path, "a points range is [low, high]")
        lo, hi = _num(value[0], f"{path}[0]", 0), _num(value[1], f"{path}[1]", 0)
        if lo > hi:
            raise PackError(path, f"low {lo:g} exceeds high {hi:g}")
    else:
        lo = hi = _num(value, path, 0)
    if hi > maximum:
        raise PackError(path, f"{hi:g} exceeds the indicator's max {maximum:g}")
    return lo, hi


class _Parser:
    def __init__(self, data: dict, params: dict[str, float]):
        self.data = data
        self.compiler = Compiler(set(FACT_COLUMNS), params)
        self.ids: set[str] = set()

    def uid(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.replace("_", "").isalnum() or not value.isascii():
            raise PackError(path, "expected an identifier (ASCII letters, digits, underscore)")
        if value in self.ids:
            raise PackError(path, f"duplicate id '{value}'")
        self.ids.add(value)
        return value

    def item(self, data: Any, path: str, pack_source: str) -> Item:
        _keys(data, ITEM_KEYS, path)
        for key in ("id", "label", "cite", "test"):
            if key not in data:
                raise PackError(f"{path}.{key}", "required")
        ident = self.uid(data["id"], f"{path}.id")
        if not isinstance(data["cite"], str) or not data["cite"].strip():
            raise PackError(f"{path}.cite", "expected the article cited")
        self.compiler.cond(data["test"], f"{path}.test")
        fmt = data.get("format", "num")
        if fmt not in FORMATS:
            raise PackError(f"{path}.format", f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        extra = data.get("extra", {}) or {}
        if not isinstance(extra, dict):
            raise PackError(f"{path}.extra", "expected a mapping name -> expression")
        for name, spec in extra.items():
            self.compiler.num(spec, f"{path}.extra.{name}")
        gap = _lang(data["gap"], f"{path}.gap") if "gap" in data else {}
        for lang, text in gap.items():
            check_template(text, set(extra) | {"value", "threshold", "label"}, f"{path}.gap.{lang}")
        return Item(ident, _lang(data["label"], f"{path}.label"), data["cite"],
                    _source(data.get("source", pack_source), f"{path}.source"), data["test"], fmt, gap, extra)

    def option(self, data: dict, path: str, maximum: float, label: dict[str, str], ident: str) -> Option:
        has_bands, has_cases = "bands" in data, "cases" in data
        if has_bands == has_cases:
            raise PackError(path, "give exactly one of 'bands' (with 'value') or 'cases'")
        fmt = data.get("format", "num")
        if fmt not in FORMATS:
            raise PackError(f"{path}.format", f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        bands: list[Band] = []
        cases: list[Case] = []
        if has_bands:
            bands = self._bands(data, path, maximum)
        else:
            cases = self._cases(data, path, maximum)
        olabel = _lang(data["label"], f"{path}.label") if "label" in data else label
        return Option(ident, olabel, data.get("value"), bands, cases, fmt)

    def _bands(self, data: dict, path: str, maximum: float) -> list[Band]:
        if "value" not in data:
            raise PackError(f"{path}.value", "required with 'bands'")
        self.compiler.num(data["value"], f"{path}.value")
        if not isinstance(data["bands"], list) or not data["bands"]:
            raise PackError(f"{path}.bands", "expected a non-empty list")
        return [_band(b, f"{path}.bands[{j}]", maximum) for j, b in enumerate(data["bands"])]

    def _cases(self, data: dict, path: str, maximum: float) -> list[Case]:
        if "value" in data:
            raise PackError(f"{path}.value", "not used with 'cases' (each case has its own 'when')")
        if not isinstance(data["cases"], list) or not data["cases"]:
            raise PackError(f"{path}.cases", "expected a non-empty list")
        cases: list[Case] = []
        for j, c in enumerate(data["cases"]):
            cp = f"{path}.cases[{j}]"
            _keys(c, CASE_KEYS, cp)
            if "when" not in c or "points" not in c:
                raise PackError(cp, "a case needs 'when' and 'points'")
            self.compiler.cond(c["when"], f"{cp}.when")
            lo, hi = _points(c["points"], maximum, f"{cp}.points")
            clabel = _lang(c["label"], f"{cp}.label") if "label" in c else None
            cases.append(Case(c["when"], lo, hi, clabel))
        return cases

    def indicator(self, data: Any, path: str, pack_source: str, groups: set[str]) -> Indicator:
        _keys(data, IND_KEYS, path)
        for key in ("id", "label", "cite", "group", "max"):
            if key not in data:
                raise PackError(f"{path}.{key}", "required")
        ident = self.uid(data["id"], f"{path}.id")
        label = _lang(data["label"], f"{path}.label")
        maximum = _num(data["max"], f"{path}.max", 0)
        if data["group"] not in groups:
            raise PackError(f"{path}.group", f"unknown group {data['group']!r}; declared: {sorted(groups)}")
        expert = bool(data.get("expert", False))
        options: list[Option] = []
        if expert:
            for key in ("value", "bands", "cases", "options"):
                if key in data:
                    raise PackError(f"{path}.{key}", "an expert-judged indicator has no data rule")
        elif "options" in data:
            options = self._options(data, path, maximum, label)
        else:
            sub = {k: v for k, v in data.items() if k in ("value", "bands", "cases", "format")}
            options.append(self.option(sub, path, maximum, label, ident))
        return Indicator(ident, label, str(data["cite"]), _source(data.get("source", pack_source), f"{path}.source"),
                         data["group"], maximum, expert, options)

    def _options(self, data: dict, path: str, maximum: float, label: dict[str, str]) -> list[Option]:
        for key in ("value", "bands", "cases"):
            if key in data:
                raise PackError(f"{path}.{key}", "with 'options', put the rule inside each option")
        if not isinstance(data["options"], list) or len(data["options"]) < 2:
            raise PackError(f"{path}.options", "expected a list of at least two options")
        options: list[Option] = []
        for j, o in enumerate(data["options"]):
            op = f"{path}.options[{j}]"
            _keys(o, OPT_KEYS, op)
            if "id" not in o:
                raise PackError(f"{op}.id", "required")
            options.append(self.option(o, op, maximum, label, self.uid(o["id"], f"{op}.id")))
        return options


def _band(b: Any, bp: str, maximum: float) -> Band:
    _keys(b, BAND_KEYS, bp)
    if "ge" in b and "gt" in b:
        raise PackError(bp, "give 'ge' or 'gt', not both")
    if "lt" in b and "le" in b:
        raise PackError(bp, "give 'lt' or 'le', not both")
    if "points" not in b:
        raise PackError(f"{bp}.points", "required")
    lower = b.get("ge", b.get("gt"))
    upper = b.get("lt", b.get("le"))
    lower = None if lower is None else _num(lower, f"{bp}.{'ge' if 'ge' in b else 'gt'}")
    upper = None if upper is None else _num(upper, f"{bp}.{'lt' if 'lt' in b else 'le'}")
    if lower is not None and upper is not None and lower > upper:
        raise PackError(bp, f"lower bound {lower:g} is above upper bound {upper:g}")
    lo, hi = _points(b["points"], maximum, f"{bp}.points")
    blabel = _lang(b["label"], f"{bp}.label") if "label" in b else None
    return Band(lower, "gt" not in b, upper, "le" in b, lo, hi, blabel)


def check_template(text: str, names: set[str], path: str) -> None:
    """A gap template uses ``{name}`` or ``{name:format}`` placeholders, names from ``names``."""
    from .explain import parse_template

    try:
        parts = parse_template(text)
    except ValueError as exc:
        raise PackError(path, str(exc)) from None
    for kind, name, fmt in parts:
        if kind != "field":
            continue
        if name not in names:
            raise PackError(path, f"unknown placeholder '{{{name}}}'; available: {', '.join(sorted(names))}")
        if fmt is not None and fmt not in FORMATS:
            raise PackError(path, f"unknown format '{fmt}' in '{{{name}:{fmt}}}'")


def _identifier(data: dict) -> str:
    ident = data["id"]
    if not isinstance(ident, str) or not ident.replace("_", "").isalnum():
        raise PackError("id", "expected an identifier (letters, digits, underscore)")
    return ident


def _validity_window(data: dict) -> tuple[int, int | None]:
    valid_from = int(_num(data["valid_from"], "valid_from"))
    valid_to = data.get("valid_to")
    if valid_to is not None:
        valid_to = int(_num(valid_to, "valid_to"))
        if valid_to < valid_from:
            raise PackError("valid_to", f"{valid_to} is before valid_from {valid_from}")
    return valid_from, valid_to


def _citation(data: dict) -> dict:
    citation = data["citation"]
    if not isinstance(citation, dict) or not str(citation.get("document", "")).strip():
        raise PackError("citation.document", "required: the document the pack encodes")
    return citation


def _parameters(data: dict) -> dict[str, float]:
    params = data.get("parameters", {}) or {}
    if not isinstance(params, dict):
        raise PackError("parameters", "expected a mapping name -> number")
    return {k: _num(v, f"parameters.{k}") for k, v in params.items()}


def _group(p: _Parser, g: Any, gp: str, pack_name: dict[str, str]) -> Group:
    _keys(g, GROUP_KEYS, gp)
    if "id" not in g:
        raise PackError(f"{gp}.id", "required")
    gid = p.uid(g["id"], f"{gp}.id")
    minimum = None
    if "ge" in g and "gt" in g:
        raise PackError(gp, "give 'ge' or 'gt', not both")
    if "ge" in g or "gt" in g:
        op = "ge" if "ge" in g else "gt"
        minimum = (op, _num(g[op], f"{gp}.{op}", 0))
    gmax = _num(g["max"], f"{gp}.max", 0) if "max" in g else None
    return Group(gid, _lang(g["label"], f"{gp}.label") if "label" in g else pack_name, gmax, minimum)


def _scoring(data: dict, p: _Parser, name: dict[str, str], source: str):
    """The groups, the scored indicators and the total the points must reach."""
    groups = [_group(p, g, f"groups[{i}]", name) for i, g in enumerate(data.get("groups", []) or [])]
    gids = {g.id for g in groups}
    indicators = [p.indicator(d, f"indicators[{i}]", source, gids)
                  for i, d in enumerate(data.get("indicators", []) or [])]
    for g in groups:
        if not any(i.group == g.id for i in indicators):
            raise PackError(f"groups.{g.id}", "no indicator belongs to this group")
    total = None
    if data.get("total") is not None:
        t = data["total"]
        _keys(t, {"ge", "gt"}, "total")
        if len(t) != 1:
            raise PackError("total", "give exactly one of 'ge' or 'gt'")
        op = next(iter(t))
        total = (op, _num(t[op], f"total.{op}", 0))
        if not indicators:
            raise PackError("total", "a total needs scored indicators")
    if indicators and not groups:
        raise PackError("groups", "scored indicators need groups")
    return groups, indicators, total


def _items(data: dict, p: _Parser, key: str, source: str) -> list[Item]:
    value = data.get(key, []) or []
    if not isinstance(value, list):
        raise PackError(key, "expected a list")
    return [p.item(d, f"{key}[{i}]", source) for i, d in enumerate(value)]


def _weak_items(data: dict, source: str, parts: list) -> list[str]:
    """Where a pack resting on a weak source says its weak points are."""
    weak_items = data.get("weak_items", []) or []
    if not isinstance(weak_items, list) or not all(isinstance(w, str) for w in weak_items):
        raise PackError("weak_items", "expected a list of texts")
    uses_weak = source == "weak" or any(x.source == "weak" for x in parts)
    if uses_weak and not weak_items:
        raise PackError("weak_items", "the pack rests on a weak source: say where")
    return weak_items


def parse_pack(data: Any, path: str | None = None) -> Pack:
    """Validate pack data (a mapping, as loaded from YAML)."""
    if not isinstance(data, dict):
        raise PackError("", "a rule pack is a mapping")
    _keys(data, PACK_KEYS, "pack")
    for key in REQUIRED:
        if key not in data:
            raise PackError(key, "required")
    raw = copy.deepcopy(data)
    ident = _identifier(data)
    name = _lang(data["name"], "name")
    version = str(data["version"])
    year = int(_num(data["year"], "year"))
    valid_from, valid_to = _validity_window(data)
    citation = _citation(data)
    source = _source(data["source"], "source")
    params = _parameters(data)
    p = _Parser(data, params)
    groups, indicators, total = _scoring(data, p, name, source)

    applicability = p.item(data["applicability"], "applicability", source) if data.get("applicability") else None
    eligibility, criteria, routes = (_items(data, p, key, source) for key in ("eligibility", "criteria", "routes"))
    if not (eligibility or criteria or indicators):
        raise PackError("pack", "a pack needs eligibility, criteria or scored indicators")
    weak_items = _weak_items(data, source, [*eligibility, *criteria, *routes, *indicators])
    validity = data.get("validity_years")
    if validity is not None:
        validity = int(_num(validity, "validity_years", 1))
    track = data.get("track", "main")
    if track not in ("main", "side"):
        raise PackError("track", "expected 'main' or 'side'")
    notes = _lang(data["notes"], "notes") if data.get("notes") else {}
    return Pack(ident, name, version, year, str(data["region"]), valid_from, valid_to, str(data.get("rung", ident)),
                track, {k: str(v) for k, v in citation.items()}, source, weak_items, validity, params,
                applicability, eligibility, criteria, indicators, groups, total, routes, notes, raw, path)


def load_pack(path: str | Path) -> Pack:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(path.name, f"not valid YAML: {exc}") from None
    try:
        return parse_pack(data, str(path))
    except PackError as exc:
        raise PackError(f"{path.name}: {exc.path}", exc.reason) from None


PACK_DIR = Path(__file__).resolve().parents[2] / "rulepacks"


def load_packs(directory: str | Path | None = None, ids: list[str] | None = None) -> list[Pack]:
    """All rule packs of a directory (default: the shipped packs), sorted by id and valid_from."""
    directory = Path(directory) if directory else PACK_DIR
    packs = [load_pack(p) for p in sorted(directory.glob("*.yaml"))]
    if ids:
        unknown = set(ids) - {p.id for p in packs}
        if unknown:
            raise PackError("packs", f"unknown pack ids {sorted(unknown)}")
        packs = [p for p in packs if p.id in ids]
    packs.sort(key=lambda p: (p.id, p.valid_from))
    by_id: dict[str, list[Pack]] = {}
    for p in packs:
        by_id.setdefault(p.id, []).append(p)
    for pid, versions in by_id.items():
        for a, b in zip(versions, versions[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise PackError(f"{pid}.valid_to", f"versions {a.version} and {b.version} overlap")
    return packs


def select_version(packs: list[Pack], pack_id: str, year: int) -> Pack | None:
    """The version of ``pack_id`` in force in ``year``, or None."""
    for p in packs:
        if p.id == pack_id and p.covers(year):
            return p
    return None
