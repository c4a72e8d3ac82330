"""The pages with a real scoring run: cockpit figures, list filters and sorting, the enterprise page
with breakdown, cohort position, strengths, the what-if through the explain engine, the methodology,
score runs and their diff, the import upload and its rejected rows."""

from __future__ import annotations

import re

import pytest


def test_cockpit_with_scores(scored, client):
    client.force_login(scored["users"]["official"])
    html = client.get("/").content.decode()
    assert html.count('class="card task"') == 8
    assert "Points distribution by stage" in html and "<polyline" in html
    assert 'class="chart map"' in html and html.count("<path") >= 6
    assert "Technology-based SME" in html  # ladder rungs with the 2027 target markers
    assert html.count('class="target"') == 3


def test_ladder_on_the_enterprise_page(scored, client):
    from innoregion.apps.ladder.models import LadderOutcome

    client.force_login(scored["users"]["official"])
    outcomes = LadderOutcome.objects.filter(run=scored["ladder_run"])
    assert outcomes.exists()
    eid = outcomes.first().enterprise_id
    html = client.get(f"/enterprises/{eid}/").content.decode()
    ladder = html[html.index('id="ladder"'):html.index('id="whatif"')]
    assert "Next step" in ladder or "Current rung" in ladder
    met = outcomes.filter(outcome="met").values_list("pack", flat=True).first()
    if met:
        html = client.get(f"/enterprises/?rung={met}").content.decode()
        n = outcomes.filter(outcome="met", pack=met).values("enterprise").distinct().count()
        assert f"({n})" in html


def test_enterprise_list_filters_and_sorts(scored, client):
    from innoregion.apps.points.models import EnterpriseScore

    client.force_login(scored["users"]["official"])
    html = client.get("/enterprises/?sort=-points").content.decode()
    best = EnterpriseScore.objects.filter(run=scored["run"]).order_by("-score").select_related("enterprise").first()
    first_row = html[html.index("<tbody>"):].split("</tr>")[0]
    assert best.enterprise.credit_code in first_row
    stage = best.stage
    html = client.get(f"/enterprises/?stage={stage}").content.decode()
    n = EnterpriseScore.objects.filter(run=scored["run"], stage=stage).count()
    assert f"({n})" in html
    html = client.get(f"/enterprises/?q={scored['b'].credit_code}").content.decode()
    assert "(1)" in html and scored["b"].credit_code in html


def test_enterprise_page_and_what_if(scored, client):
    from innoregion.apps.access.models import AuditEntry
    from innoregion.apps.points.models import EnterpriseScore

    a = scored["a"]
    s = EnterpriseScore.objects.get(run=scored["run"], enterprise=a)
    client.force_login(scored["users"]["ent_a"])
    html = client.get(f"/enterprises/{a.pk}/").content.decode()
    assert "Points breakdown" in html and "rank in cohort" in html and "normalised" in html
    indicator = next(iter(s.breakdown["indicators"]))
    resp = client.post(f"/enterprises/{a.pk}/", {"indicator": indicator, "target": "points", "points": "3"})
    assert resp.status_code == 200
    result = re.search(r'<div class="whatif-result">(.*?)</div>', resp.content.decode(), re.S)
    assert result is not None, "no what-if result"
    assert AuditEntry.objects.filter(action="page.whatif", enterprise=a).exists()


def test_methodology_page_from_the_spec(scored, client):
    client.force_login(scored["users"]["ent_a"])
    html = client.get("/methodology/?m=changchun-new-area").content.decode()
    for text in ("class1_other_ip", "Weights by stage", "startup", "Bonus and deductions", "x&#x27; = "):
        assert text in html or text.replace("&#x27;", "'") in html, text


def test_score_run_diff(scored, client):
    from innoregion.apps.points.services import score_region
    from innoregion.apps.region.models import Filing

    # correct one enterprise's R&D so the second run moves it
    Filing.objects.filter(enterprise=scored["a"], indicator__code="rd_expense", year=2025).update(value=9e9)
    run2 = score_region("changchun-new-area", 2025)
    client.force_login(scored["users"]["official"])
    assert str(scored["run"].pk) in client.get("/runs/").content.decode()
    html = client.get(f"/runs/diff/?a={scored['run'].pk}&b={run2.pk}").content.decode()
    first = html[html.index("<tbody>"):].split("</tr>")[0]
    assert scored["a"].name_zh in first or scored["a"].name_en in first
    assert "rd_" in first  # why: an R&D indicator moved


def test_import_upload_report_and_rejected_rows(world, client, tmp_path, settings):
    from innoregion.apps.imports.models import ImportBatch

    settings.INNOREGION_DATA_DIR = str(tmp_path)
    client.force_login(world["users"]["official"])
    a = world["a"].credit_code
    content = ("统一社会信用代码,年度,营业收入\n"
               f"{a},2025,1000000\n"
               "91220100000000000X,2025,=1+2\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/data/imports/", {"source": "tax", "file": SimpleUploadedFile("tax-2025.csv", content)})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    batch = ImportBatch.objects.order_by("-pk").first()
    report = client.get(resp["Location"]).content.decode()
    assert batch.file_name in report
    if batch.rows_quarantined:
        csv_text = client.get(f"/data/imports/{batch.pk}/rejected.csv").content.decode("utf-8-sig")
        assert csv_text.splitlines()[0].startswith("row,column,reason")
        assert ",=" not in csv_text  # formula-looking cells are neutralised
    assert batch.rows_total >= 1


def test_bank_api_with_scores(scored, client, api):
    from innoregion.apps.points.models import EnterpriseScore

    a = scored["a"]
    s = EnterpriseScore.objects.get(run=scored["run"], enterprise=a)
    row = api(client, scored["token"], f"/api/v1/enterprises/{a.credit_code}/").json()
    assert row["points"] == pytest.approx(s.score) and row["tier"] == s.tier and row["stage"] == s.stage
    bd = api(client, scored["token"], f"/api/v1/enterprises/{a.credit_code}/breakdown/").json()
    assert {i["indicator"] for i in bd["items"]} == set(s.breakdown["indicators"])
    total = sum(i["contribution"] for i in bd["items"]) + (bd["bonus"] or 0) - (bd["penalty"] or 0)
    assert total == pytest.approx(s.score, abs=1e-6) or s.score == 0


def test_derived_indicators_are_named_from_the_methodology(settings):
    """Ratios such as R&D intensity exist only in the methodology, not the catalogue: the enterprise
    page names them in the reader's language, never by their code."""
    from django.utils import translation

    from innoregion.apps.points import selectors as sources

    class Run:
        methodology = "changchun-new-area"

    with translation.override("en"):
        assert sources.indicator_names(Run())["rd_intensity"].startswith("R&D intensity")
    with translation.override("ko"):
        assert sources.indicator_names(Run())["rd_intensity"] == "연구개발 투자 강도"
    assert sources.indicator_names(None) == {}


def test_cockpit_counts_talents_and_published_lists(world, client):
    """Task 3 shows the talent registry (by tier, valid codes, two-way posts); task 4 the published
    scenario and capability lists."""
    from innoregion.apps.matchmaking.models import Capability, Scenario
    from innoregion.apps.talent.models import Talent

    Talent.objects.create(tier="B1", field="optics", two_way_post=True)
    Talent.objects.create(tier="D2", field="pharma")
    Scenario.objects.create(title="激光焊接", description="需要激光焊接", owner_organisation="某车企",
                            status=Scenario.Status.PUBLISHED)
    Scenario.objects.create(title="草稿", description="未发布", owner_organisation="某车企")
    Capability.objects.create(enterprise=world["a"], title="激光焊接", description="提供激光焊接", maturity=7)
    client.force_login(world["users"]["official"])
    with_lang = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    figures = dict((str(name), value) for name, value in with_lang.context["tasks"][2][2]["figures"])
    assert figures["talents registered"] == 2 and figures["two-way posts"] == 1
    chains = dict((str(name), value) for name, value in with_lang.context["tasks"][3][2]["figures"])
    assert chains["application scenarios published"] == 1 and chains["capabilities published"] == 1
    assert "Talents by tier" in with_lang.content.decode()


def test_enterprise_filings_one_year_at_a_time(scored, client):
    """The filings table shows the newest year by default, any other year on request, and never
    mixes years; an unknown year falls back to the newest."""
    a = scored["a"]
    client.force_login(scored["users"]["official"])
    page = client.get(f"/enterprises/{a.pk}/")
    years = page.context["filing_years"]
    assert len(years) > 1 and years == sorted(years, reverse=True)
    assert page.context["filing_year"] == years[0]
    assert {f.year for f in page.context["filings"]} == {years[0]}
    older = client.get(f"/enterprises/{a.pk}/?year={years[-1]}")
    assert {f.year for f in older.context["filings"]} == {years[-1]}
    assert f'?year={years[0]}' in older.content.decode()
    assert client.get(f"/enterprises/{a.pk}/?year=1900").context["filing_year"] == years[0]


def test_enterprise_filings_table_escapes_and_names_its_sources(scored, client):
    """The filings rows are written in Python (views._filings_html): every cell is escaped, and each
    row names the value's department, file and row."""
    from innoregion.apps.region.models import Filing

    a = scored["a"]
    newest = Filing.objects.filter(enterprise=a, is_current=True).order_by("-year").first()
    batch = newest.batch
    batch.file_name = "<script>alert(1)</script>.csv"
    batch.save(update_fields=["file_name"])
    Filing.objects.filter(pk=newest.pk).update(row_number=17)
    client.force_login(scored["users"]["official"])
    body = client.get(f"/enterprises/{a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv · row 17" in body
    table = body[body.index('id="filings"'):]
    rows = table.count("<tr><td>")
    assert rows == Filing.objects.filter(enterprise=a, is_current=True, year=newest.year).count()


def test_cohort_position_counts_the_stage(scored, client):
    """The page's "rank in cohort": the stored stage rank among the run's scored enterprises of the
    same stage, and the same count when the caller has no score row at hand."""
    from innoregion.apps.points import selectors as sources
    from innoregion.apps.points.models import EnterpriseScore

    run = scored["run"]
    for s in EnterpriseScore.objects.filter(run=run, score__isnull=False)[:5]:
        peers = EnterpriseScore.objects.filter(run=run, stage=s.stage, score__isnull=False)
        known = {"points": s.score, "stage_rank": s.stage_rank}
        got = sources.cohort_position(run, s.enterprise_id, s.stage, known=known)
        assert got["size"] == peers.count() and got["rank"] == s.stage_rank
        assert sources.cohort_position(run, s.enterprise_id, s.stage) == got  # reads the row itself
        # without a stored stage rank the rank is counted: enterprises of the stage scoring higher, plus one
        counted = sources.cohort_position(run, s.enterprise_id, s.stage, known={"points": s.score})
        assert counted["rank"] == peers.filter(score__gt=s.score).count() + 1
