"""Reads of the cultivation ladder's results for pages and APIs: the ladder definition and labels,
the latest ladder run, each enterprise's rung and next step, benefit grants, counts per rung.
Callers pass enterprise ids they have already read through ``restrict``."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import NamedTuple

import polars as pl
from django.db import connection
from django.db.models import Count, Max

from innoregion.apps.ladder.models import BenefitGrant, BenefitRun, LadderOutcome, LadderRun
from innoregion.apps.points.selectors import rows_of_run
from innoregion.apps.region.selectors import lang_key
from innoregion.engines.rules.ladder import load_ladder
from innoregion.site.cache import remembered


@functools.cache
def ladder():
    """The cultivation ladder definition (rungs, side tracks, labels, 2027 targets): shipped data."""
    return load_ladder()


def ladder_label(pack: str | None) -> str:
    if not pack:
        return ""
    names = ladder().labels.get(pack) or {}
    return names.get(lang_key()) or names.get("en") or pack


def ladder_packs() -> list[str]:
    """The main rungs, then the side tracks."""
    lad = ladder()
    return [*lad.rungs, *lad.side]


def latest_ladder_run() -> LadderRun | None:
    return remembered("ladder:latest_run", lambda: LadderRun.objects.filter(finished_at__isnull=False)
                      .order_by("-finished_at", "-pk").first())


class _Outcome(NamedTuple):
    enterprise_id: int
    year: int
    pack: str
    outcome: str
    distance: float | None
    details: dict | None


def _top_rung(lad, packs_met) -> str:
    """The highest main rung among the packs met ("" when none)."""
    main = [p for p in packs_met if p in lad.rungs]
    return max(main, key=lambda p: lad.rungs[p]) if main else ""


_NOT_YET = {"needs_review": 0, "unknown": 1, "not_met": 2}


def _rung_of(lad, outs: list[_Outcome]) -> dict:
    year = max(o.year for o in outs)
    outs = [o for o in outs if o.year == year and o.pack in lad.packs]
    met = [o.pack for o in outs if o.outcome == "met"]
    top = _top_rung(lad, met)
    top_level = lad.rungs.get(top, 0)
    cands = [o for o in outs if o.outcome in _NOT_YET
             and (o.pack not in lad.rungs or lad.rungs[o.pack] > top_level)]
    cands.sort(key=lambda o: (o.distance if o.distance is not None else 0.0, _NOT_YET[o.outcome],
                              lad.rungs.get(o.pack, 99)))
    nxt = cands[0] if cands else None
    gaps = ((nxt.details or {}).get("gaps") or {}) if nxt else {}
    return {"rung": top, "rung_label": ladder_label(top), "year": year,
            "side": [ladder_label(p) for p in met if p not in lad.rungs],
            "next": nxt.pack if nxt else "", "next_label": ladder_label(nxt.pack) if nxt else "",
            "distance": nxt.distance if nxt else None,
            "gaps": gaps.get(lang_key()) or gaps.get("en") or ""}


def rungs_for(enterprise_ids, *, gaps: bool = True) -> dict[int, dict]:
    """``{enterprise_id: {"rung", "rung_label", "next", "next_label", "distance", "gaps", "side"}}``
    from the latest ladder run (the latest year of each enterprise): the highest main rung met,
    the side tracks met, and the closest rung or track not met yet. ``gaps=False`` skips reading
    the outcomes' details JSON (``"gaps"`` is then empty)."""
    run = latest_ladder_run()
    if run is None:
        return {}
    lad = ladder()
    rows: dict[int, list] = {}
    fields = ["enterprise_id", "year", "pack", "outcome", "distance"]
    for row in rows_of_run(LadderOutcome, run.pk, enterprise_ids, [*fields, *(["details"] if gaps else [])],
                           ("enterprise_id", "year", "pack")):
        o = _Outcome(*row) if gaps else _Outcome(*row, None)
        rows.setdefault(o.enterprise_id, []).append(o)
    return {eid: _rung_of(lad, outs) for eid, outs in rows.items()}


def top_rungs_for(enterprise_ids) -> dict[int, str]:
    """``{enterprise_id: rung}``: what ``rungs_for`` calls ``"rung"``, without the labels, side tracks
    and next step, for lists that show the rung alone (the bank API: a third of the cost)."""
    run = latest_ladder_run()
    if run is None:
        return {}
    lad = ladder()
    latest: dict[int, int] = {}
    met: dict[int, list[tuple[int, str]]] = {}
    for eid, year, pack, outcome in rows_of_run(LadderOutcome, run.pk, enterprise_ids,
                                                 ["enterprise_id", "year", "pack", "outcome"],
                                                 ("enterprise_id", "year", "pack")):
        if year > latest.get(eid, year - 1):
            latest[eid] = year
        if outcome == "met" and pack in lad.packs:
            met.setdefault(eid, []).append((year, pack))
    return {eid: _top_rung(lad, [pack for y, pack in met.get(eid, ()) if y == year])
            for eid, year in latest.items()}


def enterprise_ids_on_rung(pack: str):
    """A subquery of the enterprise ids that meet ``pack`` in the latest ladder run (none without one)."""
    run = latest_ladder_run()
    qs = LadderOutcome.objects.filter(run=run, pack=pack, outcome="met") if run else LadderOutcome.objects.none()
    return qs.values("enterprise_id")


def rung_counts() -> dict[str, int]:
    """Enterprises that meet each ladder pack (main rungs and side tracks), latest ladder run and
    its latest year."""
    run = latest_ladder_run()
    if run is None:
        return {}
    qs = LadderOutcome.objects.filter(run=run)
    year = qs.aggregate(y=Max("year"))["y"]
    return dict(qs.filter(year=year, outcome="met").values_list("pack").annotate(n=Count("enterprise", distinct=True)))


CENTS = Decimal("0.01")


class BenefitRow(NamedTuple):
    year: int
    measure: str
    cite: str
    status: str
    status_label: str
    paid: Decimal
    missing: str


def benefits_for(enterprise_id) -> list[BenefitRow]:
    """The enterprise's benefit grants as the latest run of each policy and year decided them (a
    re-run after corrected data replaces the earlier decision, it does not add to it), newest year
    first, in one SQL read (docs/decisions/0003-speed-bypasses.md; the enterprise was read through
    ``restrict`` by the caller), the status in the active language."""
    grants, runs = BenefitGrant._meta.db_table, BenefitRun._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT g.year, g.measure, g.cite, g.status, g.paid, g.missing FROM {grants} g "
            f"JOIN {runs} r ON r.id = g.run_id WHERE g.enterprise_id = %s AND r.id = ("
            f"SELECT latest.id FROM {runs} latest WHERE latest.policy = r.policy AND latest.year = r.year "
            "AND latest.finished_at IS NOT NULL ORDER BY latest.finished_at DESC, latest.id DESC LIMIT 1) "
            "ORDER BY g.year DESC, g.measure, g.id", [enterprise_id])
        rows = cur.fetchall()
    labels = dict(BenefitGrant.Status.choices)
    return [BenefitRow(year, measure, cite, status, str(labels.get(status, status)),
                       paid if isinstance(paid, Decimal) else Decimal(str(paid)).quantize(CENTS), missing)
            for year, measure, cite, status, paid, missing in rows]


def highest_rungs(enterprise_ids: list[int]) -> dict[int, int]:
    """Each enterprise's highest met rung level (1 = tech SME … 4 = little giant) in the newest
    ladder run, for matchmaking filters; an enterprise on no rung is absent."""
    run = LadderRun.objects.order_by("-year", "-started_at").first()
    if run is None:
        return {}
    levels = ladder().rungs
    best: dict[int, int] = {}
    met = LadderOutcome.objects.filter(run=run, enterprise_id__in=enterprise_ids, outcome="met",
                                       pack__in=list(levels)).values_list("enterprise_id", "pack")
    for enterprise_id, pack in met:
        best[enterprise_id] = max(best.get(enterprise_id, 0), levels[pack])
    return best


GRANT_SCHEMA = {"credit_code": pl.String, "name_zh": pl.String, "year": pl.Int32, "measure": pl.String,
                "label_zh": pl.String, "label_en": pl.String, "cite": pl.String, "status": pl.String,
                "requested": pl.Float64, "paid": pl.Float64, "missing": pl.String}


def benefit_workbook_table(grants, run: BenefitRun) -> pl.DataFrame:
    """The grants of a benefit run (a queryset the caller read through ``restrict``) as the finance
    bureau's workbook table, with the measures' labels from the policy the run evaluated (the stored
    code when that policy is not the shipped one)."""
    from innoregion.engines.rules.benefits import load_policy

    rows = [{"credit_code": g.enterprise.credit_code, "name_zh": g.enterprise.name_zh, "year": g.year,
             "measure": g.measure, "label_zh": g.measure, "label_en": g.measure, "cite": g.cite,
             "status": g.status, "requested": float(g.requested), "paid": float(g.paid), "missing": g.missing}
            for g in grants.select_related("enterprise").order_by("enterprise__credit_code", "measure", "pk")]
    table = pl.DataFrame(rows, schema=GRANT_SCHEMA)
    policy = load_policy()
    if policy.id != run.policy:
        return table
    zh = {m.id: m.label.get("zh", m.id) for m in policy.measures}
    en = {m.id: m.label.get("en", m.id) for m in policy.measures}
    return table.with_columns(pl.col("measure").replace(zh).alias("label_zh"),
                              pl.col("measure").replace(en).alias("label_en"))
