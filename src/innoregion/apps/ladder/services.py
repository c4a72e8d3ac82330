"""Ladder and benefit runs over the database. Thin: the work is in ``innoregion.engines.rules``.

``run_ladder`` and ``run_benefits`` take the facts table (Polars) as input, so they can be wired to
any source; ``facts_from_db`` builds it from the region's effective filings and the register.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.utils import timezone

from innoregion.apps.ladder.models import BenefitGrant, BenefitRun, LadderOutcome, LadderRun
from innoregion.apps.region.models import Enterprise
from innoregion.engines.rules import (
    build_facts,
    catalogue_lists,
    evaluate,
    evaluate_benefits,
    load_packs,
    load_policy,
    run_record,
    table_sha256,
)
from innoregion.engines.rules.facts import LAGS
from innoregion.version import code_version

LANGS = ("zh", "ko", "en")


def facts_from_db(year: int, assume_absent: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The facts table of ``year`` from the effective filings of the years its lags need.
    ``assume_absent``: list-type facts whose complete list was loaded (see docs/rules/facts.md); by
    default the catalogue's ``absent_means: 0`` indicators, whose departments file complete lists.
    Pass ``()`` to keep every fact that was not filed unknown."""
    if assume_absent is None:
        assume_absent = catalogue_lists()
    from innoregion.apps.imports.selectors import effective_values

    back = max(LAGS.values())
    frames = [effective_values(y) for y in range(year - back, year + 1)]
    parts = [f.select("credit_code", "year", "indicator", "value") for f in frames if f.height]
    filings = pl.concat(parts) if parts else pl.DataFrame(
        schema={"credit_code": pl.String, "year": pl.Int64, "indicator": pl.String, "value": pl.Float64})
    rows = list(Enterprise.objects.values_list("credit_code", "founded", "listed"))
    ent = pl.DataFrame(rows, schema={"credit_code": pl.String, "founded": pl.Date, "listed": pl.Boolean},
                       orient="row")
    return build_facts(filings, ent, years=[year], assume_absent=assume_absent)


def _f(v) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def run_ladder(facts: pl.DataFrame, year: int | None = None, pack_ids: list[str] | None = None,
               user=None) -> LadderRun:
    """Evaluate the rule packs over ``facts`` and store the run and its outcomes."""
    started = timezone.now()
    packs = load_packs(ids=pack_ids)
    out = evaluate(facts, packs, year=year, explain=True, langs=LANGS)
    ids = dict(Enterprise.objects.filter(credit_code__in=out.get_column("credit_code").unique().to_list())
               .values_list("credit_code", "pk"))
    summary: dict[str, dict[str, int]] = {}
    for pack, outcome, n in out.group_by("pack", "outcome").len().iter_rows():
        summary.setdefault(pack, {})[outcome] = n
    with transaction.atomic():
        run = LadderRun.objects.create(
            inputs_sha256=table_sha256(facts), pack_versions=sorted(p.key for p in packs),
            code_version=code_version(), year=year, started_at=started, created_by=user, summary=summary)
        batch = []
        for r in out.iter_rows(named=True):
            pk = ids.get(r["credit_code"])
            if pk is None:
                continue
            lo, hi = _f(r["score_lo"]), _f(r["score_hi"])
            batch.append(LadderOutcome(
                run=run, enterprise_id=pk, year=r["year"], pack=r["pack"], version=r["version"] or "",
                outcome=r["outcome"], score=lo if lo is not None and lo == hi else None, score_lo=lo, score_hi=hi,
                route=r["route"] or "", distance=_f(r["distance"]), valid_until=r["valid_until"],
                details={"conditions": json.loads(r["details"]) if r["details"] else {}, "missing": r["missing"],
                         "gaps": {lang: r[f"gaps_{lang}"] for lang in LANGS}}))
        LadderOutcome.objects.bulk_create(batch, batch_size=2000)
        run.rows = len(batch)
        run.finished_at = timezone.now()
        run.save(update_fields=["rows", "finished_at"])
    return run


def run_benefits(facts: pl.DataFrame, policy_path: str | None = None, ladder_run: LadderRun | None = None,
                 year: int | None = None, user=None) -> BenefitRun:
    """Evaluate a benefit policy over ``facts`` (and the outcomes of ``ladder_run``, or fresh ones)."""
    started = timezone.now()
    packs = load_packs()
    policy = load_policy(policy_path, sorted({p.id for p in packs}))
    yr = year or policy.year
    if ladder_run is not None:
        rows = list(ladder_run.outcomes.filter(year=yr).values_list("enterprise__credit_code", "year", "pack",
                                                                    "outcome"))
        outcomes = pl.DataFrame(rows, schema={"credit_code": pl.String, "year": pl.Int32, "pack": pl.String,
                                              "outcome": pl.String}, orient="row")
    else:
        outcomes = evaluate(facts, packs, year=yr)
    grants = evaluate_benefits(facts, policy, outcomes, yr)
    sha = table_sha256(facts)
    record = run_record(policy, grants, {"facts": sha}, packs, started, code_version())
    ids = dict(Enterprise.objects.values_list("credit_code", "pk"))
    with transaction.atomic():
        run = BenefitRun.objects.create(
            policy=policy.id, policy_version=policy.version, year=yr, ladder_run=ladder_run, inputs_sha256=sha,
            code_version=code_version(), budget=Decimal(str(policy.budget)), overflow=policy.overflow,
            requested_total=Decimal(str(record["requested_total"])), paid_total=Decimal(str(record["paid_total"])),
            record=record, started_at=started, finished_at=timezone.now(), created_by=user)
        BenefitGrant.objects.bulk_create([
            BenefitGrant(run=run, enterprise_id=ids[g["credit_code"]], year=g["year"], measure=g["measure"],
                         cite=g["cite"][:300], status=g["status"], requested=Decimal(str(g["requested"])),
                         paid=Decimal(str(g["paid"])), missing=(g["missing"] or "")[:500])
            for g in (grants.to_dicts() if grants.height else []) if g["credit_code"] in ids
        ], batch_size=2000)
    return run
