"""Benefits without application (免申即享): policy packs evaluated over facts and ladder outcomes.

A policy pack lists measures (condition + amount, "up to" amounts are paid in full unless the
budget is short), a total budget, an optional per-enterprise cap and the overflow rule:

* ``pro_rata`` — every grant is scaled by budget / requested, rounded down to the yuan;
* ``priority`` — grants are paid in full in order (measure priority, then amount descending, then
  credit code); the first grant that does not fit gets what is left, later ones get 0.

Conditions may read facts columns and, for each rule pack, ``met_<pack>`` (1 met, 0 not met or not
applicable, unknown when the outcome is unknown or needs review). A condition that is unknown gives a
*pending* row (listed with the missing facts, no money) — never a refusal.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from .errors import PackError
from .expr import Compiler
from .facts import FACT_COLUMNS, ensure_columns
from .spec import _keys, _lang, _num

POLICY_DIR = Path(__file__).resolve().parents[2] / "rulepacks" / "policies"
POLICY_KEYS = {"id", "name", "version", "region", "year", "valid_from", "valid_to", "citation", "source",
               "currency", "budget", "overflow", "per_enterprise_cap", "measures", "not_encoded", "weak_items"}
MEASURE_KEYS = {"id", "label", "cite", "amount", "priority", "when", "budget"}
OVERFLOW = ("pro_rata", "priority")


@dataclass
class Measure:
    id: str
    label: dict[str, str]
    cite: str
    amount: float
    priority: int
    when: Any
    budget: float | None


@dataclass
class Policy:
    id: str
    name: dict[str, str]
    version: str
    year: int
    citation: dict[str, str]
    budget: float
    overflow: str
    per_enterprise_cap: float | None
    measures: list[Measure]
    not_encoded: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)


def parse_policy(data: Any, pack_ids: list[str] | None = None) -> Policy:
    """Validate a policy pack; ``pack_ids``: rule packs whose ``met_<id>`` columns conditions may use."""
    _keys(data, POLICY_KEYS, "policy")
    for key in ("id", "name", "version", "year", "citation", "budget", "measures"):
        if key not in data:
            raise PackError(key, "required")
    if not str((data["citation"] or {}).get("document", "")).strip():
        raise PackError("citation.document", "required: the document the policy encodes")
    overflow = data.get("overflow", "pro_rata")
    if overflow not in OVERFLOW:
        raise PackError("overflow", f"expected one of {', '.join(OVERFLOW)}, got {overflow!r}")
    budget = _num(data["budget"], "budget", 0)
    cap = data.get("per_enterprise_cap")
    cap = None if cap is None else _num(cap, "per_enterprise_cap", 0)
    known = set(FACT_COLUMNS) | {f"met_{p}" for p in (pack_ids or [])}
    comp = Compiler(known, {})
    measures, seen = [], set()
    if not isinstance(data["measures"], list) or not data["measures"]:
        raise PackError("measures", "expected a non-empty list")
    for i, m in enumerate(data["measures"]):
        path = f"measures[{i}]"
        _keys(m, MEASURE_KEYS, path)
        for key in ("id", "label", "cite", "amount", "when"):
            if key not in m:
                raise PackError(f"{path}.{key}", "required")
        if m["id"] in seen:
            raise PackError(f"{path}.id", f"duplicate id {m['id']!r}")
        seen.add(m["id"])
        comp.cond(m["when"], f"{path}.when")
        mb = m.get("budget")
        measures.append(Measure(m["id"], _lang(m["label"], f"{path}.label"), str(m["cite"]),
                                _num(m["amount"], f"{path}.amount", 0), int(m.get("priority", 1)), m["when"],
                                None if mb is None else _num(mb, f"{path}.budget", 0)))
    return Policy(str(data["id"]), _lang(data["name"], "name"), str(data["version"]), int(data["year"]),
                  {k: str(v) for k, v in data["citation"].items()}, budget, overflow, cap, measures,
                  list(data.get("not_encoded") or []), copy.deepcopy(data))


def load_policy(path: str | Path | None = None, pack_ids: list[str] | None = None) -> Policy:
    path = Path(path) if path else POLICY_DIR / "changchun_new_area_2025.yaml"
    from .spec import load_packs

    if pack_ids is None:
        pack_ids = sorted({p.id for p in load_packs()})
    try:
        return parse_policy(yaml.safe_load(path.read_text(encoding="utf-8")), pack_ids)
    except PackError as exc:
        raise PackError(f"{path.name}: {exc.path}", exc.reason) from None


def _met_columns(outcomes: pl.DataFrame | None, pack_ids: list[str]) -> pl.DataFrame | None:
    if outcomes is None or outcomes.is_empty():
        return None
    code = (pl.when(pl.col("outcome") == "met").then(1.0)
            .when(pl.col("outcome").is_in(["not_met", "not_applicable"])).then(0.0).otherwise(None))
    wide = outcomes.select("credit_code", "year", "pack", code.alias("v")).pivot(
        on="pack", index=["credit_code", "year"], values="v", aggregate_function="first")
    return wide.rename({p: f"met_{p}" for p in wide.columns if p not in ("credit_code", "year")})


def allocate(amounts: pl.Series, budget: float, method: str, order: pl.Series | None = None) -> pl.Series:
    """Pay ``amounts`` within ``budget``. ``order``: payment order for 'priority' (row positions)."""
    total = float(amounts.sum() or 0.0)
    if total <= budget:
        return amounts.cast(pl.Float64)
    if method == "pro_rata":
        factor = budget / total
        return (amounts.cast(pl.Float64) * factor).floor()
    idx = order.to_list() if order is not None else list(range(len(amounts)))
    paid = [0.0] * len(amounts)
    left = budget
    values = amounts.to_list()
    for i in idx:
        give = min(values[i], left)
        paid[i] = float(give)
        left -= give
    return pl.Series(paid, dtype=pl.Float64)


def evaluate_benefits(facts: pl.DataFrame, policy: Policy, outcomes: pl.DataFrame | None = None,
                      year: int | None = None) -> pl.DataFrame:
    """One row per enterprise-year and measure whose condition holds (status 'granted') or is open
    (status 'pending', with ``missing``). Columns: credit_code, year, measure, label_zh, label_en, cite,
    priority, status, requested, paid, missing."""
    year = policy.year if year is None else year
    lf = ensure_columns(facts).filter(pl.col("year") == year)
    pack_ids = sorted(set(outcomes.get_column("pack").to_list())) if outcomes is not None else []
    met = _met_columns(outcomes.filter(pl.col("year") == year) if outcomes is not None else None, pack_ids)
    if met is not None:
        lf = lf.join(met.lazy(), on=["credit_code", "year"], how="left")
    have = set(lf.collect_schema().names())
    import re

    referenced = set(re.findall(r"met_\w+", repr([m.when for m in policy.measures])))
    known = set(FACT_COLUMNS) | {c for c in have if c.startswith("met_")} | referenced
    comp = Compiler(known, {})
    frames = []
    for m in policy.measures:
        node = comp.cond(m.when, m.id)
        for col in node.columns - have:
            lf = lf.with_columns(pl.lit(None, pl.Float64).alias(col))  # a met_<pack> never evaluated
            have.add(col)
        missing = pl.concat_str([pl.when(pl.col(c).is_null()).then(pl.lit(c)) for c in sorted(node.columns)],
                                separator=", ", ignore_nulls=True) if node.columns else pl.lit("")
        frames.append(lf.select(
            "credit_code", "year", pl.lit(m.id).alias("measure"), pl.lit(m.label["zh"]).alias("label_zh"),
            pl.lit(m.label["en"]).alias("label_en"), pl.lit(m.cite).alias("cite"),
            pl.lit(m.priority).alias("priority"),
            pl.when(node.expr.is_null()).then(pl.lit("pending")).when(node.expr).then(pl.lit("granted"))
            .otherwise(None).alias("status"),
            pl.lit(m.amount).alias("requested"),
            pl.when(node.expr.is_null()).then(missing).alias("missing"),
        ).filter(pl.col("status").is_not_null()))
    grants = pl.concat(pl.collect_all(frames, engine="in-memory")) if frames else pl.DataFrame()
    if grants.is_empty():
        return grants.with_columns(pl.lit(0.0).alias("paid")) if grants.width else grants
    grants = grants.with_columns(pl.when(pl.col("status") == "granted").then(pl.col("requested")).otherwise(0.0)
                                 .alias("requested"))
    # per-enterprise cap: scale an enterprise's grants down proportionally to the cap
    if policy.per_enterprise_cap is not None:
        cap = policy.per_enterprise_cap
        grants = grants.with_columns(
            (pl.col("requested") * pl.min_horizontal(pl.lit(1.0), pl.lit(cap) / pl.col("requested").sum()
                                                    .over("credit_code"))).floor().fill_nan(0.0).alias("requested"))
    grants = grants.sort(["priority", "requested", "credit_code", "measure"], descending=[False, True, False, False])
    # per-measure budgets first, then the total budget
    paid = grants.get_column("requested")
    for m in policy.measures:
        if m.budget is None:
            continue
        mask = (grants.get_column("measure") == m.id).to_numpy()
        sub = paid.filter(pl.Series(mask))
        new = allocate(sub, m.budget, policy.overflow).to_list()
        vals = paid.to_list()
        it = iter(new)
        paid = pl.Series([next(it) if flag else v for v, flag in zip(vals, mask, strict=True)], dtype=pl.Float64)
    paid = allocate(paid, policy.budget, policy.overflow)
    return grants.with_columns(paid.alias("paid"))


def table_sha256(df: pl.DataFrame) -> str:
    """SHA-256 of a table's canonical CSV (rows sorted by every column, columns by name)."""
    cols = sorted(df.columns)
    buf = io.BytesIO()
    df.select(cols).sort(cols, nulls_last=True).write_csv(buf)
    return hashlib.sha256(buf.getvalue()).hexdigest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_record(policy: Policy, grants: pl.DataFrame, inputs: dict[str, str], packs: list | None = None,
               started: dt.datetime | None = None, code_version: str | None = None) -> dict:
    """A reproducible record of a benefit run: inputs' SHA-256, policy and pack versions, totals."""
    granted = grants.filter(pl.col("status") == "granted") if grants.width else grants
    requested = float(granted.get_column("requested").sum()) if granted.height else 0.0
    paid = float(granted.get_column("paid").sum()) if granted.height else 0.0
    return {
        "policy": {"id": policy.id, "version": policy.version, "year": policy.year,
                   "citation": policy.citation.get("document", "")},
        "pack_versions": sorted(f"{p.id}@{p.version}" for p in (packs or [])),
        "inputs_sha256": dict(sorted(inputs.items())),
        "code_version": code_version or "",
        "started": (started or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "budget": policy.budget,
        "overflow": policy.overflow,
        "per_enterprise_cap": policy.per_enterprise_cap,
        "requested_total": requested,
        "paid_total": paid,
        "scaled": requested > policy.budget,
        "grants": int(granted.height),
        "pending": int(grants.filter(pl.col("status") == "pending").height) if grants.width else 0,
        "enterprises": int(granted.get_column("credit_code").n_unique()) if granted.height else 0,
    }
