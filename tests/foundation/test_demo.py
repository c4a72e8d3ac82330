"""The demo command end to end on a small region: generate → import → score → evaluate → users."""

import pytest

from innoregion.cli.demo import build_demo


@pytest.mark.django_db(transaction=True)
def test_demo_builds_a_scored_region(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    made = build_demo(enterprises=120, years=3, seed=7, out_dir=tmp_path / "region", methodology="changchun-new-area")

    from innoregion.apps.imports.models import ImportBatch, QuarantinedRow
    from innoregion.apps.points.models import EnterpriseScore
    from innoregion.apps.region.models import Enterprise, Filing, Platform

    assert Enterprise.objects.count() == 120
    assert ImportBatch.objects.count() == 1 + 5 * 3  # the register, five departments × three years
    assert Filing.objects.count() > 120 * 3 * 20
    assert QuarantinedRow.objects.exists()  # the generator plants realistic bad rows
    assert Platform.objects.filter(code="jilin-1").exists()
    assert made["years"] == [2021, 2022, 2023]
    last = made["runs"][-1]
    assert last.status == "done"
    scores = EnterpriseScore.objects.filter(run=last)
    assert scores.count() == last.units > 100
    assert len({s.stage for s in scores}) > 1  # ranked within life-cycle stages
    assert set(made["users"]) >= {"official", "bank", "enterprise"}

    # Running the demo again on the same delivery changes nothing (imports are idempotent).
    filings = Filing.objects.count()
    build_demo(enterprises=120, years=3, seed=7, out_dir=tmp_path / "region", methodology="changchun-new-area")
    assert Filing.objects.count() == filings


@pytest.mark.django_db(transaction=True)
def test_a_stored_scoring_run_is_reproduced_and_a_change_is_detected(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    made = build_demo(enterprises=80, years=3, seed=11, out_dir=tmp_path / "region", methodology="changchun-new-area")
    from innoregion.apps.points.services import verify_run
    from innoregion.apps.region.models import Filing

    run = made["runs"][-1]
    report = verify_run(run)
    assert report == {"reproduced": True, "inputs_match": True, "spec_match": True, "differences": []}

    # A correction after the run: the inputs hash says so, and the comparison names who moved.
    filing = Filing.objects.filter(year=run.year, indicator__code="invention_patents", is_current=True).first()
    Filing.objects.filter(pk=filing.pk).update(value=filing.value + 50)
    report = verify_run(run)
    assert not report["reproduced"] and not report["inputs_match"]
    assert any(d["credit_code"] == filing.enterprise.credit_code for d in report["differences"])
