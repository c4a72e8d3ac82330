"""From the region database to the points engine's input (pure: Polars, no Django).

A *methodology* (``src/innoregion/methodologies/<id>.yaml``) is data: names in zh/ko/en, the policy
items it rests on, its groups and indicators (each a catalogue code, or a ratio / change of catalogue
codes, with a rationale), and the engine spec (``spec:``, the format of docs/methodology/spec.md).
A methodology may ``extends:`` another: its groups and indicators are appended (an indicator with
the same code replaces the parent's), ``spec`` is merged key by key, ``stage_weights`` per stage.

:func:`build_input` turns the region's long table of effective filing values
(``credit_code, year, indicator, value``) and the enterprise table
(``credit_code, founded, cluster, zone, industry``) into the engine's unit x indicator ``data`` and
the COINr-style ``meta`` (iMeta) for one methodology and year.

Column conventions of ``data`` (one row per enterprise with at least one value in the year):

- ``uCode`` = credit code; ``cluster``, ``zone``, ``industry`` from the enterprise table;
- one column per methodology indicator holding its *numerator* (a catalogue value, or for a
  ``change`` indicator the increase over the previous year); the engine divides by the denominator
  column named in iMeta (``den_<code>`` or ``den_<code>_prev``), so explanations and what-if work in
  the numerator's own units with the denominator held fixed;
- ``age_years`` (years from ``founded`` to 31 December of the year) and ``stage_revenue`` (the
  year's revenue) for the stage bands;
- one column per bonus/penalty item the spec names (catalogue flags such as ``safety_incident``,
  levels, counts, and ``cluster_<code>`` membership flags).

Missing values: a count, flag or level the departments did not file counts as 0 (the IP office and
social-insurance files list what exists; an absent row means none); money and ratios stay missing
and the engine drops them with its weights renormalised (and screens units with too little data).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from innoregion.data.catalogue import Catalogue, load_catalogue

METHODOLOGY_DIR = Path(__file__).resolve().parents[2] / "methodologies"
TOP = "Points"


@dataclass
class Methodology:
    id: str
    version: str
    names: dict[str, str]
    cites: list[str]
    groups: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    spec: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def indicator_codes(self) -> list[str]:
        return [i["code"] for i in self.indicators]

    def item_columns(self) -> list[str]:
        cols = []
        for kind in ("bonus", "penalty"):
            for it in (self.spec.get(kind) or {}).get("items", []):
                cols.append(it["column"])
        return cols


def list_methodologies() -> list[str]:
    return sorted(p.stem for p in METHODOLOGY_DIR.glob("*.yaml"))


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@functools.cache
def _load_raw(mid: str) -> dict[str, Any]:
    path = METHODOLOGY_DIR / f"{mid}.yaml"
    if not path.exists():
        raise KeyError(f"unknown methodology {mid!r}; known: {', '.join(list_methodologies())}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if raw.get("id") != mid:
        raise ValueError(f"{path.name}: id {raw.get('id')!r} does not match the file name")
    parent = raw.get("extends")
    if parent:
        base = _load_raw(parent)
        merged = _merge({k: v for k, v in base.items() if k not in ("groups", "indicators")},
                        {k: v for k, v in raw.items() if k not in ("groups", "indicators", "spec")})
        merged["spec"] = _merge(base.get("spec", {}), raw.get("spec", {}))
        groups = list(base.get("groups", []))
        groups += [g for g in raw.get("groups", []) if g["code"] not in {x["code"] for x in groups}]
        inds = {i["code"]: i for i in base.get("indicators", [])}
        for i in raw.get("indicators", []):
            inds[i["code"]] = i
        merged["groups"], merged["indicators"] = groups, list(inds.values())
        merged["cites"] = list(base.get("cites", [])) + list(raw.get("cites", []))
        merged["choices"] = list(base.get("choices", [])) + list(raw.get("choices", []))
        raw = merged
    return raw


def load_methodology(mid: str) -> Methodology:
    """Load ``src/innoregion/methodologies/<mid>.yaml`` (with its parent when it ``extends`` one)."""
    raw = copy.deepcopy(_load_raw(mid))
    cat = load_catalogue()
    groups = raw.get("groups", [])
    gcodes = {g["code"] for g in groups}
    for ind in raw.get("indicators", []):
        for key in ("numerator", "denominator"):
            src = ind.get(key, ind["code"] if key == "numerator" else None)
            if src is not None and src not in cat.indicators:
                raise ValueError(f"{mid}: indicator {ind['code']}: {key} {src!r} is not in the catalogue")
        if ind.get("group") not in gcodes:
            raise ValueError(f"{mid}: indicator {ind['code']}: unknown group {ind.get('group')!r}")
    spec = copy.deepcopy(raw.get("spec", {}))
    spec.setdefault("name", raw.get("names", {}).get("en", mid))
    spec.setdefault("version", str(raw.get("version", "")))
    spec.setdefault("source", "; ".join(raw.get("cites", [])))
    return Methodology(id=mid, version=str(raw.get("version", "")), names=raw.get("names", {}),
                       cites=list(raw.get("cites", [])), groups=groups, indicators=raw.get("indicators", []),
                       spec=spec, raw=raw)


def build_meta(m: Methodology) -> pl.DataFrame:
    """COINr iMeta for the methodology: indicators (level 1), groups (level 2), ``Points`` (level 3),
    and the denominator columns (Type ``Denominator``)."""
    rows = []
    dens = set()
    for i in m.indicators:
        den = _den_column(i)
        if den:
            dens.add(den)
        rows.append({"Level": 1, "iCode": i["code"], "iName": i.get("names", {}).get("en", i["code"]),
                     "Direction": float(i.get("direction", 1)), "Weight": float(i.get("weight", 1.0)),
                     "Denominator": den, "Parent": i["group"], "Type": "Indicator"})
    for g in m.groups:
        rows.append({"Level": 2, "iCode": g["code"], "iName": g.get("names", {}).get("en", g["code"]),
                     "Direction": 1.0, "Weight": float(g.get("weight", 1.0)), "Denominator": None,
                     "Parent": TOP, "Type": "Aggregate"})
    rows.append({"Level": 3, "iCode": TOP, "iName": "Innovation points", "Direction": 1.0, "Weight": 1.0,
                 "Denominator": None, "Parent": None, "Type": "Aggregate"})
    for d in sorted(dens):
        rows.append({"Level": None, "iCode": d, "iName": d, "Direction": None, "Weight": None,
                     "Denominator": None, "Parent": None, "Type": "Denominator"})
    return pl.DataFrame(rows, schema={"Level": pl.Int64, "iCode": pl.String, "iName": pl.String,
                                      "Direction": pl.Float64, "Weight": pl.Float64, "Denominator": pl.String,
                                      "Parent": pl.String, "Type": pl.String})


def _den_column(ind: dict) -> str | None:
    den = ind.get("denominator")
    if den is None:
        return None
    return f"den_{den}_prev" if ind.get("denominator_year") == "previous" else f"den_{den}"


def _age_years(founded: Any, year: int) -> float | None:
    if founded is None:
        return None
    if isinstance(founded, str):
        founded = dt.date.fromisoformat(founded[:10])
    if isinstance(founded, dt.datetime):
        founded = founded.date()
    return (dt.date(year, 12, 31) - founded).days / 365.25


def _needed(m: Methodology, item_cols: list[str], cat: Catalogue) -> tuple[set[str], set[str]]:
    """The catalogue indicators read from the scored year and from the year before."""
    needed = {"revenue"}
    needed_prev: set[str] = set()
    for i in m.indicators:
        num = i.get("numerator", i["code"])
        needed.add(num)
        if i.get("change"):
            needed_prev.add(num)
        if i.get("denominator"):
            (needed_prev if i.get("denominator_year") == "previous" else needed).add(i["denominator"])
    needed |= {c for c in item_cols if c in cat.indicators}
    return needed, needed_prev


def _wide(frame: pl.DataFrame, names: set[str], units: pl.DataFrame) -> pl.DataFrame:
    """One row per unit, one column per indicator in ``names`` that ``frame`` holds."""
    f = frame.filter(pl.col("indicator").is_in(sorted(names)))
    if f.height == 0:
        return units.clone()
    w = f.pivot(on="indicator", index="credit_code", values="value", aggregate_function="first")
    return units.join(w, on="credit_code", how="left")


def _column(frame: pl.DataFrame, code: str, cat: Catalogue) -> pl.Series:
    """An indicator's values (all missing when absent); a missing count, flag or level counts as 0."""
    if code in frame.columns:
        s = frame[code].cast(pl.Float64)
    else:
        s = pl.Series(code, [None] * frame.height, dtype=pl.Float64)
    if code in cat.indicators and cat.indicators[code].type in ("count", "flag", "level"):
        s = s.fill_null(0.0)
    return s


def _enterprise_columns(enterprises: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    ent = enterprises.with_columns(pl.col("credit_code").cast(pl.String))
    for c in ("cluster", "zone", "industry"):
        if c not in ent.columns:
            ent = ent.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    return units.join(ent.select("credit_code", "founded", "cluster", "zone", "industry"), on="credit_code",
                      how="left")


def _indicator_columns(m: Methodology, w_cur: pl.DataFrame, w_prev: pl.DataFrame, cat: Catalogue,
                       out: dict[str, pl.Series]) -> None:
    """Each indicator (a change from the year before where it says so) and its denominator."""
    for i in m.indicators:
        code = i["code"]
        num = i.get("numerator", code)
        s = _column(w_cur, num, cat)
        if i.get("change"):
            s = s - _column(w_prev, num, cat)
        out[code] = s.alias(code)
        den = i.get("denominator")
        if den:
            name = _den_column(i)
            src = w_prev if i.get("denominator_year") == "previous" else w_cur
            d = _column(src, den, cat)
            out[name] = d.alias(name)


def _item_columns(item_cols: list[str], ent: pl.DataFrame, w_cur: pl.DataFrame, cat: Catalogue,
                  out: dict[str, pl.Series]) -> None:
    """The bonus and penalty columns not already there: cluster memberships, or filed values (0 when
    blank)."""
    for c in item_cols:
        if c in out:
            continue
        if c.startswith("cluster_"):
            key = c[len("cluster_"):]
            out[c] = (ent["cluster"] == key).fill_null(False).cast(pl.Float64).alias(c)
        elif c == "in_region_cluster":
            out[c] = ent["cluster"].is_not_null().cast(pl.Float64).alias(c)
        else:
            out[c] = _column(w_cur, c, cat).fill_null(0.0).alias(c)


def build_input(values: pl.DataFrame, enterprises: pl.DataFrame, methodology: str | Methodology,
                year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(data, meta)`` for :func:`run_pipeline` -- see the module docstring for the columns.

    ``values``: long table ``credit_code, year, indicator, value`` (other columns ignored) holding at
    least ``year`` (and ``year - 1`` for change indicators). ``enterprises``: ``credit_code, founded``
    (date or ISO text) and optionally ``cluster, zone, industry``. Deterministic: rows sorted by
    credit code, columns in methodology order.
    """
    m = load_methodology(methodology) if isinstance(methodology, str) else methodology
    cat = load_catalogue()
    v = values.select(pl.col("credit_code").cast(pl.String), pl.col("year").cast(pl.Int64),
                      pl.col("indicator").cast(pl.String), pl.col("value").cast(pl.Float64))
    cur = v.filter(pl.col("year") == year)
    prev = v.filter(pl.col("year") == year - 1)
    codes = sorted(cur["credit_code"].unique().to_list())
    units = pl.DataFrame({"credit_code": codes}, schema={"credit_code": pl.String})
    item_cols = m.item_columns()
    needed, needed_prev = _needed(m, item_cols, cat)
    w_cur = _wide(cur, needed, units)
    w_prev = _wide(prev, needed_prev, units)
    ent = _enterprise_columns(enterprises, units)
    out: dict[str, pl.Series] = {
        "uCode": units["credit_code"].alias("uCode"),
        "cluster": ent["cluster"].cast(pl.String), "zone": ent["zone"].cast(pl.String),
        "industry": ent["industry"].cast(pl.String),
        "age_years": pl.Series("age_years", [_age_years(f, year) for f in ent["founded"].to_list()],
                               dtype=pl.Float64),
        "stage_revenue": _column(w_cur, "revenue", cat).alias("stage_revenue"),
    }
    _indicator_columns(m, w_cur, w_prev, cat, out)
    _item_columns(item_cols, ent, w_cur, cat, out)
    data = pl.DataFrame(list(out.values()))
    return data, build_meta(m)


def whatif_constraints(methodology: str | Methodology) -> tuple[dict[str, tuple[float, float]], set[str]]:
    """``(bounds, integral)`` for :class:`~innoregion.engines.points.explain.Explainer`: the catalogue's
    valid range of each indicator's numerator, and the indicators whose numerator is a whole number.
    A ``change`` indicator's numerator is a difference and gets no bounds."""
    m = load_methodology(methodology) if isinstance(methodology, str) else methodology
    cat = load_catalogue()
    bounds, integral = {}, set()
    for i in m.indicators:
        d = cat.indicators[i.get("numerator", i["code"])]
        if d.integral:
            integral.add(i["code"])
        if not i.get("change"):
            bounds[i["code"]] = (float(d.min), float(d.upper))
    return bounds, integral


def methodology_markdown(m: Methodology) -> str:
    """A Markdown page for docs/methodology/: names, sources, groups, indicators with rationale,
    stages, weights, bonus/penalty and the [weak]/[unknown] choices -- generated from the YAML."""
    cat = load_catalogue()
    r = m.raw
    lines = [f"# {m.names.get('en', m.id)}", "",
             f"- zh: {m.names.get('zh', '')}", f"- ko: {m.names.get('ko', '')}",
             f"- id: `{m.id}`, version {m.version}" + (f", extends `{r['extends']}`" if r.get("extends") else ""),
             "", "Generated from `src/innoregion/methodologies/" + m.id + ".yaml` by "
             "`innoregion.engines.points.region_input.methodology_markdown`; the YAML is the source.", "",
             "## What it rests on (../shared/reference/policy-rules.md §1)", ""]
    lines += [f"- {c}" for c in m.cites]
    lines += ["", "## Choices where the policy is [weak] or [unknown]", ""]
    lines += [f"- **{c['topic']}** ({c['evidence']}): {c['choice']}" for c in r.get("choices", [])]
    lines += ["", "## Groups", "", "| code | zh | ko | en | weight | rationale |", "|---|---|---|---|---|---|"]
    for g in m.groups:
        n = g.get("names", {})
        lines.append(f"| {g['code']} | {n.get('zh', '')} | {n.get('ko', '')} | {n.get('en', '')} | "
                     f"{g.get('weight', 1)} | {g.get('rationale', '')} |")
    lines += ["", "## Indicators", "",
              "| code | group | zh | ko | en | formula | dir. | weight | rationale |",
              "|---|---|---|---|---|---|---|---|---|"]
    for i in m.indicators:
        n = i.get("names", {})
        num = i.get("numerator", i["code"])
        f = f"{num}(y) - {num}(y-1)" if i.get("change") else num
        if i.get("denominator"):
            f += f" / {i['denominator']}" + ("(y-1)" if i.get("denominator_year") == "previous" else "")
        srcs = sorted({s for c in (num, i.get("denominator")) if c for s in cat.indicators[c].sources})
        lines.append(f"| {i['code']} | {i['group']} | {n.get('zh', '')} | {n.get('ko', '')} | "
                     f"{n.get('en', '')} | `{f}` ({', '.join(srcs)}) | {int(i.get('direction', 1)):+d} | "
                     f"{i.get('weight', 1)} | {i.get('rationale', '')} |")
    spec = m.spec
    lines += ["", "## Stages", ""]
    for b in (spec.get("stages") or {}).get("bands", []):
        lines.append(f"- **{b['name']}**: " + ", ".join(f"{k} in [{v[0]}, {v[1]})" for k, v in b["when"].items()))
    if (spec.get("stages") or {}).get("default"):
        lines.append(f"- otherwise: **{spec['stages']['default']}**")
    lines += ["", "## Weights by stage (nominal; rescaled within each parent)", ""]
    for s, ws in ((spec.get("weights") or {}).get("by_stage") or {}).items():
        lines.append(f"- {s}: " + ", ".join(f"{k} {v}" for k, v in ws.items()))
    for kind in ("bonus", "penalty"):
        b = spec.get(kind) or {}
        if b.get("items"):
            lines += ["", f"## {kind.capitalize()} (cap {b.get('cap')})", ""]
            lines += [f"- {it.get('name', it['column'])}: column `{it['column']}`, {it.get('points', 1)} points "
                      f"each" + (f", at most {it['cap']}" if it.get("cap") is not None else "")
                      for it in b["items"]]
    lines += ["", "## Engine settings", "", "```yaml", yaml.safe_dump(
        {k: v for k, v in spec.items() if k in ("order", "denominate", "impute", "screen", "treat", "normalise",
                                                "aggregate", "score", "tiers")},
        allow_unicode=True, sort_keys=False).rstrip(), "```", ""]
    return "\n".join(lines)
