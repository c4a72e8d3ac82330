"""The ladder app: runs stored with hashes, pack versions and code version; grants stored."""

import datetime as dt

import polars as pl
import pytest

from innoregion.apps.ladder.models import BenefitGrant, LadderOutcome, LadderRun
from innoregion.apps.ladder.services import run_benefits, run_ladder
from innoregion.apps.region.models import Enterprise
from innoregion.data.creditcode import make_code
from innoregion.engines.rules import table_sha256
from innoregion.version import code_version

from .helpers import TECH_SME_OK

pytestmark = pytest.mark.django_db


def test_ladder_and_benefit_runs():
    codes = [make_code("9", "1", "220101", f"MA0000{i:02d}") for i in range(2)]
    for c in codes:
        Enterprise.objects.create(credit_code=c, name_zh="企业" + c[-4:], founded=dt.date(2015, 1, 1), industry="C39")
    rows = [dict(TECH_SME_OK, credit_code=codes[0], year=2025, hnte_certified=1, hnte_recognised_year=2025,
                 hnte_first_year=2025),
            dict(TECH_SME_OK, credit_code=codes[1], year=2025, employees=600)]
    facts = pl.DataFrame(rows).with_columns(pl.col("year").cast(pl.Int32))
    run = run_ladder(facts, year=2025, pack_ids=["tech_sme", "hnte"])
    assert run.inputs_sha256 == table_sha256(facts) and run.code_version == code_version()
    assert run.pack_versions == ["hnte@2016", "tech_sme@2017"] and run.rows == 4
    o = LadderOutcome.objects.get(run=run, enterprise__credit_code=codes[1], pack="tech_sme")
    assert o.outcome == "not_met" and "Employees 600; needs ≤ 500" in o.details["gaps"]["en"]
    assert LadderOutcome.objects.get(run=run, enterprise__credit_code=codes[0], pack="tech_sme").score == 100
    brun = run_benefits(facts, ladder_run=run)
    assert brun.record["pack_versions"] and float(brun.paid_total) == 100_000
    g = BenefitGrant.objects.get(run=brun, status="granted")
    assert BenefitGrant.objects.filter(run=brun, status="pending", paid=0).exists()  # platform flags not filed
    assert (g.enterprise.credit_code, g.measure, float(g.paid)) == (codes[0], "hnte_first", 100_000)
    assert LadderRun.objects.count() == 1
