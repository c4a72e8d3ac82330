"""Methodology spec: YAML (or a dict) -> validated :class:`Spec`.

Validation errors raise :class:`SpecError` whose message starts with the key path, e.g.
``normalise.method: unknown method 'minmx'; expected one of minmax, zscore, ...``.
The format is documented in ``docs/methodology/spec.md``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NORMALISE_METHODS = ("minmax", "zscore", "rank", "borda", "percentile_rank", "dist_to_max",
                     "dist_to_target", "fraction_of_max", "goalposts", "capped_ratio", "efficacy", "none")
AGGREGATE_METHODS = ("arithmetic", "geometric", "harmonic", "generalised")
IMPUTE_METHODS = ("none", "mean", "median", "latest", "interpolate")
TREAT_METHODS = ("none", "jrc", "iqr")
PRE_STEPS = ("denominate", "impute", "screen", "treat")


class SpecError(ValueError):
    """A methodology spec is invalid. ``path`` is the dotted key path, ``reason`` the explanation."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


@dataclass
class StageBand:
    name: str
    when: dict[str, tuple[float, float]]  # column -> [lower inclusive, upper exclusive)


@dataclass
class Spec:
    """A validated methodology. ``raw`` keeps the normalised dict (defaults filled in)."""

    name: str
    version: str
    source: str
    order: list[str]
    denominate: dict[str, Any]
    impute: dict[str, Any]
    screen: dict[str, Any]
    treat: dict[str, Any]
    normalise: dict[str, Any]
    aggregate: dict[str, Any]
    stages: list[StageBand]
    stage_default: str | None
    weights_by_stage: dict[str, dict[str, float]]
    bonus: dict[str, Any]
    penalty: dict[str, Any]
    base_factor: float
    floor: float | None
    ceiling: float | None
    tiers: list[tuple[str, float]]
    time: Any
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def normaliser_for(self, code: str) -> dict[str, Any]:
        """Normaliser settings for one indicator (global settings merged with its override)."""
        out = {k: v for k, v in self.normalise.items() if k not in ("indicators", "cohort")}
        out.update(self.normalise.get("indicators", {}).get(code, {}))
        return out

    def aggregator_for(self, level: int) -> dict[str, Any]:
        out = {k: v for k, v in self.aggregate.items() if k != "levels"}
        out.update(self.aggregate.get("levels", {}).get(level, {}))
        return out

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)


# ---------------------------------------------------------------------------- helpers
def _expect_mapping(value: Any, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(path, f"expected a mapping, got {type(value).__name__}")
    return value


def _check_keys(section: dict, allowed: tuple[str, ...], path: str) -> None:
    for key in section:
        if key not in allowed:
            raise SpecError(f"{path}.{key}" if path else str(key),
                            f"unknown key; expected one of {', '.join(allowed)}")


def _number(value: Any, path: str, *, lo: float | None = None, hi: float | None = None,
            allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(path, f"expected a number, got {value!r}")
    value = float(value)
    if math.isnan(value):
        raise SpecError(path, "expected a number, got NaN")
    if lo is not None and value < lo:
        raise SpecError(path, f"must be >= {lo:g}, got {value:g}")
    if hi is not None and value > hi:
        raise SpecError(path, f"must be <= {hi:g}, got {value:g}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(path, f"expected true or false, got {value!r}")
    return value


def _choice(value: Any, choices: tuple[str, ...], path: str, what: str = "method") -> str:
    if value not in choices:
        raise SpecError(path, f"unknown {what} {value!r}; expected one of {', '.join(choices)}")
    return value


def _opt_str(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SpecError(path, f"expected a column name, got {value!r}")
    return value


# ---------------------------------------------------------------------------- sections
def _goalpost_pair(value: list | tuple, path: str) -> tuple[float, float]:
    gp = (_number(value[0], f"{path}[0]"), _number(value[1], f"{path}[1]"))
    if gp[0] >= gp[1]:
        raise SpecError(path, "lower goalpost must be below the upper one")
    return gp


def _goalposts(g: Any, path: str) -> tuple[float, float] | dict[str, tuple[float, float]]:
    """``[lower, upper]``, or such a pair per indicator."""
    if isinstance(g, list | tuple):
        if len(g) != 2:
            raise SpecError(path, "expected [lower, upper]")
        return _goalpost_pair(g, path)
    gps = {}
    for k, v in _expect_mapping(g, path).items():
        if not isinstance(v, list | tuple) or len(v) != 2:
            raise SpecError(f"{path}.{k}", "expected [lower, upper]")
        gps[str(k)] = _goalpost_pair(v, f"{path}.{k}")
    return gps


def _normaliser_numbers(d: dict, path: str, out: dict[str, Any]) -> None:
    for key in ("lower", "upper", "mean", "sd", "scale", "target", "ref"):
        if key in d:
            out[key] = _number(d[key], f"{path}.{key}")
    if "sd" in out and out["sd"] <= 0:
        raise SpecError(f"{path}.sd", "must be > 0")
    if "lower" in out and "upper" in out and out["lower"] >= out["upper"]:
        raise SpecError(f"{path}.upper", f"must be greater than lower ({out['lower']:g})")


def _indicator_normalisers(d: dict, path: str, out: dict[str, Any]) -> None:
    """The top-level keys: the cohort and the per-indicator overrides."""
    out["cohort"] = _opt_str(d.get("cohort"), f"{path}.cohort")
    inds = _expect_mapping(d.get("indicators"), f"{path}.indicators")
    out["indicators"] = {
        str(k): _normaliser_settings(_expect_mapping(v, f"{path}.indicators.{k}"),
                                     f"{path}.indicators.{k}", top=False)
        for k, v in inds.items()
    }
    if out.get("method") == "goalposts" and "goalposts" not in out:
        missing = [k for k, v in out["indicators"].items() if "goalposts" not in v]
        if not out["indicators"] or missing:
            raise SpecError(f"{path}.goalposts", "method goalposts needs goalposts: [lower, upper] "
                            "(globally or per indicator)")


def _normaliser_settings(d: dict, path: str, *, top: bool) -> dict:
    allowed = ("method", "lower", "upper", "mean", "sd", "target", "targets", "goalposts", "scale",
               "ref", "refs", "cap", "ties")
    if top:
        allowed = (*allowed, "cohort", "indicators")
    _check_keys(d, allowed, path)
    out: dict[str, Any] = {}
    if "method" in d or top:
        out["method"] = _choice(d.get("method", "minmax"), NORMALISE_METHODS, f"{path}.method")
    _normaliser_numbers(d, path, out)
    if "cap" in d:
        out["cap"] = _bool(d["cap"], f"{path}.cap")
    if "ties" in d:
        out["ties"] = _choice(d["ties"], ("average", "min", "max"), f"{path}.ties", "ties method")
    for key in ("targets", "refs"):
        if key in d:
            m = _expect_mapping(d[key], f"{path}.{key}")
            out[key] = {str(k): _number(v, f"{path}.{key}.{k}") for k, v in m.items()}
    if "goalposts" in d:
        out["goalposts"] = _goalposts(d["goalposts"], f"{path}.goalposts")
    if top:
        _indicator_normalisers(d, path, out)
    return out


def _aggregator_settings(d: dict, path: str, *, top: bool) -> dict:
    allowed = ("method", "p", "min_availability")
    if top:
        allowed = (*allowed, "levels")
    _check_keys(d, allowed, path)
    out: dict[str, Any] = {}
    if "method" in d or top:
        out["method"] = _choice(d.get("method", "arithmetic"), AGGREGATE_METHODS, f"{path}.method")
    if "p" in d:
        out["p"] = _number(d["p"], f"{path}.p")
    elif top:
        out["p"] = 1.0
    if "min_availability" in d or top:
        out["min_availability"] = _number(d.get("min_availability", 0.0), f"{path}.min_availability",
                                          lo=0, hi=1)
    if out.get("method") == "generalised" and "p" not in d and top:
        raise SpecError(f"{path}.p", "method generalised needs the power p")
    if top:
        levels = _expect_mapping(d.get("levels"), f"{path}.levels")
        out["levels"] = {}
        for k, v in levels.items():
            try:
                lvl = int(k)
            except (TypeError, ValueError):
                raise SpecError(f"{path}.levels.{k}", "expected a level number (2, 3, ...)") from None
            if lvl < 2:
                raise SpecError(f"{path}.levels.{k}", "aggregation levels start at 2")
            sub = _aggregator_settings(_expect_mapping(v, f"{path}.levels.{k}"), f"{path}.levels.{k}",
                                       top=False)
            if sub.get("method") == "generalised" and "p" not in sub:
                raise SpecError(f"{path}.levels.{k}.p", "method generalised needs the power p")
            out["levels"][lvl] = sub
    return out


def _band(value: Any, path: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise SpecError(path, f"expected a band [lower, upper] (null = open), got {value!r}")
    lo = -math.inf if value[0] is None else _number(value[0], f"{path}[0]")
    hi = math.inf if value[1] is None else _number(value[1], f"{path}[1]")
    if lo >= hi:
        raise SpecError(path, f"empty band: lower {lo:g} must be below upper {hi:g}")
    return (lo, hi)


def _items(d: Any, path: str) -> dict:
    d = _expect_mapping(d, path)
    _check_keys(d, ("cap", "items"), path)
    cap = _number(d.get("cap"), f"{path}.cap", lo=0, allow_none=True)
    raw_items = d.get("items") or []
    if not isinstance(raw_items, list):
        raise SpecError(f"{path}.items", "expected a list of items")
    items = []
    for i, it in enumerate(raw_items):
        p = f"{path}.items[{i}]"
        it = _expect_mapping(it, p)
        _check_keys(it, ("column", "points", "cap", "name"), p)
        if "column" not in it:
            raise SpecError(f"{p}.column", "required")
        items.append({
            "column": _opt_str(it["column"], f"{p}.column"),
            "name": str(it.get("name", it["column"])),
            "points": _number(it.get("points", 1.0), f"{p}.points", lo=0),
            "cap": _number(it.get("cap"), f"{p}.cap", lo=0, allow_none=True),
        })
    return {"cap": cap, "items": items}


def _order(d: dict) -> list[str]:
    order = d.get("order", list(PRE_STEPS))
    if not isinstance(order, list) or sorted(order) != sorted(PRE_STEPS):
        raise SpecError("order", f"expected a permutation of {', '.join(PRE_STEPS)}, got {order!r}")
    if order[0] != "denominate" or order[-1] != "treat":
        raise SpecError("order", "denominate runs first and treat last; only impute and screen may swap")
    return order


def _denominate_settings(d: dict) -> dict:
    den = _expect_mapping(d.get("denominate"), "denominate")
    _check_keys(den, ("enabled", "scale", "denominators"), "denominate")
    return {
        "enabled": _bool(den.get("enabled", False), "denominate.enabled"),
        "scale": _number(den.get("scale", 1.0), "denominate.scale"),
        "denominators": {str(k): _opt_str(v, f"denominate.denominators.{k}")
                         for k, v in _expect_mapping(den.get("denominators"),
                                                     "denominate.denominators").items()},
    }


def _impute_settings(d: dict) -> dict:
    imp = _expect_mapping(d.get("impute"), "impute")
    _check_keys(imp, ("method", "by"), "impute")
    impute = {"method": _choice(imp.get("method", "none"), IMPUTE_METHODS, "impute.method"),
              "by": _opt_str(imp.get("by"), "impute.by")}
    if impute["method"] in ("latest", "interpolate") and impute["by"]:
        raise SpecError("impute.by", f"method {impute['method']} works along Time within each unit; "
                        "'by' is for mean/median")
    return impute


def _screen_settings(d: dict) -> dict:
    scr = _expect_mapping(d.get("screen"), "screen")
    _check_keys(scr, ("min_availability", "indicator_min_availability"), "screen")
    return {
        "min_availability": _number(scr.get("min_availability", 0.0), "screen.min_availability", lo=0, hi=1),
        "indicator_min_availability": _number(scr.get("indicator_min_availability", 0.0),
                                              "screen.indicator_min_availability", lo=0, hi=1),
    }


def _treat_settings(d: dict) -> dict:
    tr = _expect_mapping(d.get("treat"), "treat")
    _check_keys(tr, ("method", "skew", "kurtosis", "max_winsorised", "log_fallback", "k", "exclude"), "treat")
    return {
        "method": _choice(tr.get("method", "none"), TREAT_METHODS, "treat.method"),
        "skew": _number(tr.get("skew", 2.0), "treat.skew", lo=0),
        "kurtosis": _number(tr.get("kurtosis", 3.5), "treat.kurtosis"),
        "max_winsorised": int(_number(tr.get("max_winsorised", 5), "treat.max_winsorised", lo=0)),
        "log_fallback": _bool(tr.get("log_fallback", True), "treat.log_fallback"),
        "k": _number(tr.get("k", 1.5), "treat.k", lo=0),
        "exclude": [str(x) for x in (tr.get("exclude") or [])],
    }


def _stage_bands(st: dict) -> list[StageBand]:
    bands_raw = st.get("bands") or []
    if not isinstance(bands_raw, list):
        raise SpecError("stages.bands", "expected a list of stages")
    bands: list[StageBand] = []
    seen: set[str] = set()
    for i, b in enumerate(bands_raw):
        p = f"stages.bands[{i}]"
        b = _expect_mapping(b, p)
        _check_keys(b, ("name", "when"), p)
        name = b.get("name")
        if not isinstance(name, str | int) or str(name) == "":
            raise SpecError(f"{p}.name", "required (a stage name)")
        name = str(name)
        if name in seen:
            raise SpecError(f"{p}.name", f"duplicate stage {name!r}")
        seen.add(name)
        when = _expect_mapping(b.get("when"), f"{p}.when")
        if not when:
            raise SpecError(f"{p}.when", "at least one column band is required")
        bands.append(StageBand(name, {str(c): _band(v, f"{p}.when.{c}") for c, v in when.items()}))
    return bands


def _stages(d: dict) -> tuple[list[StageBand], str | None]:
    st = _expect_mapping(d.get("stages"), "stages")
    _check_keys(st, ("bands", "default"), "stages")
    bands = _stage_bands(st)
    stage_default = st.get("default")
    return bands, None if stage_default is None else str(stage_default)


def _weights_by_stage(d: dict, bands: list[StageBand],
                      stage_default: str | None) -> dict[str, dict[str, float]]:
    seen = {b.name for b in bands}
    w = _expect_mapping(d.get("weights"), "weights")
    _check_keys(w, ("by_stage",), "weights")
    by_stage = {}
    for s, ws in _expect_mapping(w.get("by_stage"), "weights.by_stage").items():
        s = str(s)
        if bands and s not in seen and s != stage_default:
            raise SpecError(f"weights.by_stage.{s}", f"unknown stage; stages are {', '.join(sorted(seen))}")
        by_stage[s] = {str(k): _number(v, f"weights.by_stage.{s}.{k}", lo=0)
                       for k, v in _expect_mapping(ws, f"weights.by_stage.{s}").items()}
    return by_stage


def _tiers(d: dict) -> list[tuple[str, float]]:
    tiers_raw = d.get("tiers") or []
    if not isinstance(tiers_raw, list):
        raise SpecError("tiers", "expected a list of {name, top}")
    tiers: list[tuple[str, float]] = []
    last = 0.0
    for i, t in enumerate(tiers_raw):
        p = f"tiers[{i}]"
        t = _expect_mapping(t, p)
        _check_keys(t, ("name", "top"), p)
        if "name" not in t:
            raise SpecError(f"{p}.name", "required")
        top = _number(t.get("top"), f"{p}.top", lo=0, hi=1)
        if top <= last:
            raise SpecError(f"{p}.top", f"cut-offs must increase (previous {last:g}, got {top:g})")
        last = top
        tiers.append((str(t["name"]), top))
    return tiers


def _validate(d: dict) -> Spec:
    d = _expect_mapping(d, "spec")
    top_keys = ("name", "version", "source", "order", "denominate", "impute", "screen", "treat",
                "normalise", "aggregate", "stages", "weights", "bonus", "penalty", "score", "tiers",
                "time", "description", "notes")
    _check_keys(d, top_keys, "")
    order = _order(d)
    denominate = _denominate_settings(d)
    impute = _impute_settings(d)
    screen = _screen_settings(d)
    treat = _treat_settings(d)
    normalise = _normaliser_settings(_expect_mapping(d.get("normalise"), "normalise"), "normalise", top=True)
    aggregate = _aggregator_settings(_expect_mapping(d.get("aggregate"), "aggregate"), "aggregate", top=True)
    bands, stage_default = _stages(d)
    by_stage = _weights_by_stage(d, bands, stage_default)
    sc = _expect_mapping(d.get("score"), "score")
    _check_keys(sc, ("base_factor", "floor", "ceiling"), "score")
    tiers = _tiers(d)

    raw = copy.deepcopy(d)
    return Spec(
        name=str(d.get("name", "unnamed")), version=str(d.get("version", "")), source=str(d.get("source", "")),
        order=list(order), denominate=denominate, impute=impute, screen=screen, treat=treat,
        normalise=normalise, aggregate=aggregate, stages=bands, stage_default=stage_default,
        weights_by_stage=by_stage, bonus=_items(d.get("bonus"), "bonus"),
        penalty=_items(d.get("penalty"), "penalty"),
        base_factor=_number(sc.get("base_factor", 1.0), "score.base_factor"),
        floor=_number(sc.get("floor"), "score.floor", allow_none=True),
        ceiling=_number(sc.get("ceiling"), "score.ceiling", allow_none=True),
        tiers=tiers, time=d.get("time", "latest"), raw=raw,
    )


def load_spec(path_or_dict: str | Path | dict) -> Spec:
    """Load and validate a methodology spec from a YAML file path, YAML text or a dict.

    Raises :class:`SpecError` naming the key path and the reason when anything is wrong.
    """
    if isinstance(path_or_dict, Spec):
        return path_or_dict
    if isinstance(path_or_dict, dict):
        return _validate(path_or_dict)
    if isinstance(path_or_dict, Path) or (isinstance(path_or_dict, str) and "\n" not in path_or_dict):
        p = Path(path_or_dict)
        if not p.exists():
            raise SpecError("", f"spec file not found: {p}")
        text = p.read_text(encoding="utf-8")
    else:
        text = str(path_or_dict)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError("", f"invalid YAML: {exc}") from None
    return _validate(data if data is not None else {})
