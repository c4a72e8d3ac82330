"""Each place that leaves the framework for speed (docs/decisions/0003-speed-bypasses.md) gives
exactly what the framework gives. On PostgreSQL these compare the raw-SQL path with the ORM; on
SQLite the selectors use the ORM themselves, and the comparison holds trivially."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django import forms
from django.db.models import Max
from django.test.html import parse_html
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_rows_of_run_equals_the_orm(scored):
    from innoregion.apps.ladder.models import LadderOutcome
    from innoregion.apps.points.models import EnterpriseScore
    from innoregion.apps.points.selectors import rows_of_run

    ids = list(EnterpriseScore.objects.filter(run=scored["run"]).values_list("enterprise_id", flat=True))[:25]
    assert len(ids) == 25
    for model, run, fields, order in (
            (EnterpriseScore, scored["run"], ["enterprise_id", "score", "tier", "breakdown"], ()),
            (LadderOutcome, scored["ladder_run"], ["enterprise_id", "year", "pack", "outcome", "details"],
             ("enterprise_id", "year", "pack"))):
        got = rows_of_run(model, run.pk, ids, fields, order)
        want = list(model.objects.filter(run_id=run.pk, enterprise_id__in=ids).order_by(*order)
                    .values_list(*fields))
        assert got and (got == want if order else sorted(got, key=repr) == sorted(want, key=repr))
    assert rows_of_run(EnterpriseScore, scored["run"].pk, [], ["enterprise_id"]) == []


def test_benefits_for_equals_the_orm(scored):
    from innoregion.apps.ladder.models import BenefitGrant, BenefitRun
    from innoregion.apps.ladder.selectors import benefits_for

    firm = scored["a"]
    now = timezone.now()
    runs = []
    for k, (policy, year) in enumerate((("p1", 2024), ("p1", 2025), ("p1", 2025), ("p2", 2025))):
        runs.append(BenefitRun.objects.create(
            policy=policy, policy_version="1", year=year, inputs_sha256="c" * 64, code_version="t",
            budget=Decimal(1), overflow="pro_rata", requested_total=Decimal(0), paid_total=Decimal(0),
            record={}, started_at=now, finished_at=now + dt.timedelta(seconds=k)))
    unfinished = BenefitRun.objects.create(policy="p2", policy_version="1", year=2025, inputs_sha256="d" * 64,
                                           code_version="t", budget=Decimal(1), overflow="pro_rata",
                                           requested_total=Decimal(0), paid_total=Decimal(0), record={},
                                           started_at=now)
    for run in [*runs, unfinished]:
        for measure in ("m_b", "m_a"):
            BenefitGrant.objects.create(run=run, enterprise=firm, year=run.year, measure=measure,
                                        status="granted", requested=Decimal("10.5"), paid=Decimal("10.5"))
    # the ORM: per policy and year, the latest finished run
    latest = {}
    for r in BenefitRun.objects.filter(finished_at__isnull=False).order_by("finished_at", "id"):
        latest[r.policy, r.year] = r.pk
    want = [(g.year, g.measure, g.status, g.paid) for g in BenefitGrant.objects.filter(
        enterprise=firm, run_id__in=latest.values()).order_by("-year", "measure", "id")]
    got = [(b.year, b.measure, b.status, b.paid) for b in benefits_for(firm.pk)]
    assert got == want and len(got) == 6
    assert BenefitRun.objects.aggregate(m=Max("pk"))["m"] == unfinished.pk


def test_effective_values_equals_the_orm(scored):
    from innoregion.apps.imports.selectors import effective_values
    from innoregion.apps.region.models import Filing
    from innoregion.engines.ingest import IMPORT_ORDER

    order = {s: i + 1 for i, s in enumerate(IMPORT_ORDER)}
    best: dict[tuple, tuple] = {}
    for f in Filing.objects.filter(is_current=True, year=2025).select_related("enterprise", "indicator"):
        key = (f.enterprise.credit_code, f.year, f.indicator.code)
        rank = 0 if f.source == f.indicator.authoritative_source else order.get(f.source, len(order) + 1)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, f.value, f.source)
    want = sorted((*k, v[1], v[2]) for k, v in best.items())
    got = effective_values(2025)
    assert isinstance(got, pl.DataFrame) and got.height == len(want) > 100
    assert sorted(got.rows()) == want


def test_fast_select_renders_what_django_renders():
    from innoregion.apps.region.forms import FastSelect

    choices = [("a", "Alpha & <b>"), ("b", "Beta"), ("c", '"C"')]
    fast = FastSelect(choices=choices, attrs={"id": "x"}).render("f", "b")
    django = forms.Select(choices=choices, attrs={"id": "x"}).render("f", "b")

    assert parse_html(fast) == parse_html(django)  # the same elements, attributes and text
    assert parse_html(FastSelect(choices=choices).render("f", "a")) != parse_html(django)
