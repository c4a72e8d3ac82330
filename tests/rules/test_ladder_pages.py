"""The officials' ladder page and the finance bureau's benefit workbook."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from innoregion.apps.access.models import Role
from innoregion.apps.access.services import create_user
from innoregion.apps.ladder.models import BenefitGrant, BenefitRun, LadderOutcome, LadderRun
from innoregion.apps.region.models import Enterprise
from innoregion.data.creditcode import make_code


@pytest.fixture
def ladder_world(db):
    firms = [Enterprise.objects.create(credit_code=make_code("9", "1", "220173", f"MA0{i:05d}"),
                                       name_zh=f"长春测试{i}科技有限公司", founded=dt.date(2018, 1, 1),
                                       industry="C2720") for i in range(3)]
    run = LadderRun.objects.create(inputs_sha256="a" * 64, code_version="test", year=2025,
                                   started_at=timezone.now(), rows=6)
    for firm, outcome in zip(firms, ["met", "unknown", "not_met"], strict=True):
        LadderOutcome.objects.create(run=run, enterprise=firm, year=2025, pack="tech_sme", outcome=outcome)
        LadderOutcome.objects.create(run=run, enterprise=firm, year=2025, pack="hnte",
                                     outcome="met" if outcome == "met" else "needs_review")
    benefits = BenefitRun.objects.create(
        policy="cc_new_area_2025", policy_version="2025.1", year=2025, ladder_run=run, inputs_sha256="b" * 64,
        code_version="test", budget=Decimal("5000000"), overflow="pro_rata", requested_total=Decimal("100000"),
        paid_total=Decimal("100000"), record={"policy": {"id": "cc_new_area_2025"}}, started_at=timezone.now(),
        finished_at=timezone.now())
    BenefitGrant.objects.create(run=benefits, enterprise=firms[0], year=2025, measure="hnte_first",
                                status="granted", requested=Decimal("100000"), paid=Decimal("100000"))
    BenefitGrant.objects.create(run=benefits, enterprise=firms[1], year=2025, measure="hnte_first",
                                status="pending", missing="hnte_first_year")
    official = create_user("official", "pw-official-123", Role.OFFICIAL)
    enterprise_user = create_user("firm", "pw-firm-12345", Role.ENTERPRISE, enterprise=firms[0])
    return {"firms": firms, "run": run, "benefits": benefits, "official": official, "firm": enterprise_user}


def test_overview_counts_outcomes_per_pack_against_targets(ladder_world, client):
    client.force_login(ladder_world["official"])
    page = client.get("/ladder/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    rows = {r["pack"]: r for r in page.context["rows"]}
    # counts per outcome, in the page's order: met, needs review, unknown, not met, not applicable
    assert rows["tech_sme"]["counts"] == [1, 0, 1, 1, 0]
    assert rows["hnte"]["counts"] == [1, 2, 0, 0, 0]
    assert rows["tech_sme"]["target"] == 1201  # "> 1,200" by 2027
    assert "Download XLSX" in page.content.decode()


def test_benefit_workbook_for_the_finance_bureau(ladder_world, client):
    client.force_login(ladder_world["official"])
    resp = client.get(f"/ladder/benefits/{ladder_world['benefits'].pk}.xlsx")
    assert resp.status_code == 200
    assert "benefits-" in resp["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["Grants", "Pending", "Summary", "Run"]
    grants = list(book["Grants"].values)
    assert len(grants) == 2 and ladder_world["firms"][0].credit_code in grants[1]
    pending = list(book["Pending"].values)
    assert len(pending) == 2 and "hnte_first_year" in pending[1]

    from innoregion.apps.access.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", object_type="ladder.benefitrun").exists()


def test_enterprise_users_do_not_see_the_region_ladder(ladder_world, client):
    client.force_login(ladder_world["firm"])
    assert client.get("/ladder/").status_code == 403
    assert client.get(f"/ladder/benefits/{ladder_world['benefits'].pk}.xlsx").status_code == 403


def test_enterprise_page_lists_its_own_benefits_in_the_reader_language(ladder_world, client):
    """The enterprise page's benefits table (ladder.selectors.benefits_for, a plain SQL read): this
    enterprise's grants only, the status in the page's language, the paid amount in yuan."""
    from innoregion.apps.ladder import selectors as sources

    firm, other = ladder_world["firms"][0], ladder_world["firms"][1]
    rows = sources.benefits_for(firm.pk)
    assert [(r.measure, r.status, r.paid) for r in rows] == [("hnte_first", "granted", Decimal("100000.00"))]
    assert [r.missing for r in sources.benefits_for(other.pk)] == ["hnte_first_year"]
    client.force_login(ladder_world["firm"])
    en = client.get(f"/enterprises/{firm.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = en[en.index('id="ladder"'):en.index('id="whatif"')]
    assert "hnte_first" in section and ">granted<" in section and "100,000.00" in section
    assert "hnte_first_year" not in section  # the other enterprise's pending grant
    zh = client.get(f"/enterprises/{firm.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">granted<" not in zh[zh.index('id="ladder"'):zh.index('id="whatif"')]


def test_a_rerun_of_the_benefits_replaces_the_earlier_decision(ladder_world):
    """After the bureau re-runs a policy for a year (corrected data), the enterprise page shows the
    latest run's grants for that policy and year, not both runs'; other years keep theirs."""
    from innoregion.apps.ladder import selectors as sources

    firm, first = ladder_world["firms"][0], ladder_world["benefits"]

    def run_of(year, paid, status="granted"):
        run = BenefitRun.objects.create(
            policy="cc_new_area_2025", policy_version="2025.1", year=year, inputs_sha256="c" * 64,
            code_version="test", budget=Decimal("5000000"), overflow="pro_rata", requested_total=paid,
            paid_total=paid, record={}, started_at=timezone.now(), finished_at=timezone.now())
        BenefitGrant.objects.create(run=run, enterprise=firm, year=year, measure="hnte_first", status=status,
                                    requested=paid, paid=paid)
        return run

    rerun = run_of(2025, Decimal("80000"))
    older_year = run_of(2024, Decimal("50000"))
    rows = sources.benefits_for(firm.pk)
    assert [(r.year, r.paid) for r in rows] == [(2025, Decimal("80000.00")), (2024, Decimal("50000.00"))]
    assert rerun.pk > first.pk and older_year.pk > rerun.pk
