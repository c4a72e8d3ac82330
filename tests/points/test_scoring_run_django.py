"""Scoring runs through the database: effective values -> engine -> ScoringRun/EnterpriseScore;
a rerun on the same inputs gives identical scores and the identical inputs hash."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.utils import timezone

from innoregion.data.creditcode import make_code
from tests.points.synth_region import synth_region

pytestmark = pytest.mark.django_db

N = 40


@pytest.fixture
def region_db(settings, tmp_path):
    from innoregion.apps.imports.models import ImportBatch
    from innoregion.apps.region.models import Cluster, Enterprise, Filing, Indicator, Zone
    from innoregion.apps.region.services import load_reference_data

    settings.DATA_DIR = tmp_path / "data"
    load_reference_data()
    values, ent = synth_region(N, 2025, seed=5)
    codes = {c: make_code("9", "1", "220173", f"MA{i:06d}") for i, c in enumerate(ent["credit_code"].to_list())}
    clusters = {c.code: c for c in Cluster.objects.all()}
    zones = {z.code: z for z in Zone.objects.all()}
    ents = {}
    for r in ent.iter_rows(named=True):
        ents[r["credit_code"]] = Enterprise.objects.create(
            credit_code=codes[r["credit_code"]], name_zh=f"企业{r['credit_code'][-4:]}", founded=r["founded"],
            industry=r["industry"], cluster=clusters.get(r["cluster"]), zone=zones.get(r["zone"]))
    inds = {i.code: i for i in Indicator.objects.all()}
    batches = {}
    filings = []
    for code, year, ind, value in values.iter_rows():
        src = inds[ind].authoritative_source
        if src not in batches:
            batches[src] = ImportBatch.objects.create(
                source=src, file_name=f"{src}.csv", sha256=f"{len(batches):064d}", raw_path="", status="imported",
                started_at=timezone.now())
        filings.append(Filing(enterprise=ents[code], year=year, indicator=inds[ind], source=src, value=value,
                              batch=batches[src]))
    Filing.objects.bulk_create(filings)
    return ents


def _scores(run):
    return {(s.enterprise.credit_code): (s.stage, s.score, s.rank, s.stage_rank, s.tier, s.breakdown)
            for s in run.scores.select_related("enterprise")}


def test_score_region_stores_a_reproducible_run(region_db):
    from innoregion.apps.points.models import ScoringRun
    from innoregion.apps.points.services import score_region

    run1 = score_region("changchun-new-area", 2025)
    run2 = score_region("changchun-new-area", 2025)
    assert run1.status == ScoringRun.Status.DONE and run1.units == N
    assert run1.finished_at >= run1.started_at
    assert len(run1.inputs_sha256) == 64 and run1.inputs_sha256 == run2.inputs_sha256
    assert run1.spec_sha256 == run2.spec_sha256 and run1.code_version == run2.code_version
    assert _scores(run1) == _scores(run2)
    s = run1.scores.order_by("rank").first()
    assert s.rank == 1 and s.score is not None
    b = s.breakdown
    assert set(b["indicators"]) >= {"rd_intensity", "class1_other_ip"}
    assert set(b["groups"]) == {"tech", "growth", "aux", "featured", "Points"}
    ind = b["indicators"]["rd_intensity"]
    assert set(ind) == {"raw", "normalised", "weight", "points"}
    pts = sum(v["points"] for v in b["indicators"].values() if v["points"] is not None)
    assert pts == pytest.approx(b["base"])
    assert s.score == pytest.approx(max(0.0, b["base"] + b["bonus"] - b["penalty"]))
    assert run1.audit_summary["indicators"] == 23 and "groups" in run1.audit_summary


def test_changed_input_changes_the_hash(region_db):
    from innoregion.apps.points.services import score_region
    from innoregion.apps.region.models import Filing

    run1 = score_region("national-trial-2024", 2025)
    f = Filing.objects.filter(year=2025, indicator__code="rd_expense").order_by("pk").first()
    f.value = f.value * 2
    f.save()
    run2 = score_region("national-trial-2024", 2025)
    assert run1.inputs_sha256 != run2.inputs_sha256
    assert _scores(run1) != _scores(run2)


def test_other_methodologies_and_the_cli(region_db):
    from innoregion.apps.points.models import ScoringRun
    from innoregion.apps.points.services import score_region
    from innoregion.cli.score import command

    r = score_region("v2-2025", 2025)
    assert r.units == N and r.spec_sha256 != score_region("national-trial-2024", 2025).spec_sha256
    out = CliRunner().invoke(command, ["--methodology", "changchun-new-area", "--year", "2025", "--top", "3"])
    assert out.exit_code == 0, out.output
    assert "changchun-new-area" in out.output and "40 enterprises" in out.output
    assert ScoringRun.objects.filter(methodology="changchun-new-area").count() == 1
    bad = CliRunner().invoke(command, ["--methodology", "nope", "--year", "2025"])
    assert bad.exit_code != 0


def test_failed_run_is_recorded(region_db):
    from innoregion.apps.points.models import ScoringRun
    from innoregion.apps.points.services import score_region

    with pytest.raises(ValueError):
        score_region("national-trial-2024", 1990)
    run = ScoringRun.objects.get(year=1990)
    assert run.status == ScoringRun.Status.FAILED and "no enterprise" in run.error
