"""Benefits without application: eligibility, budget caps, pending rows, run record, XLSX safety."""

import copy

import polars as pl
import pytest
from openpyxl import load_workbook

from innoregion.engines.rules import (
    PackError,
    allocate,
    evaluate_benefits,
    load_policy,
    parse_policy,
    run_record,
    table_sha256,
    write_xlsx,
)
from innoregion.exports import safe_cell

from .helpers import frame

POLICY = {
    "id": "t", "name": {"zh": "测试", "ko": "테스트", "en": "Test"}, "version": "1", "year": 2024,
    "citation": {"document": "doc"}, "budget": 1_000_000, "overflow": "pro_rata",
    "measures": [
        {"id": "first", "label": {"zh": "首次", "ko": "최초", "en": "First"}, "cite": "a", "amount": 100_000,
         "priority": 1, "when": {"all": [{"eq": ["hnte_recognised_year", "year"]},
                                         {"eq": ["hnte_first_year", "year"]}]}},
        {"id": "again", "label": {"zh": "重新", "ko": "재", "en": "Again"}, "cite": "b", "amount": 50_000,
         "priority": 2, "when": {"all": [{"eq": ["hnte_recognised_year", "year"]},
                                         {"lt": ["hnte_first_year", "year"]}]}},
    ],
}
GIANT = {"id": "giant", "label": {"zh": "小巨人", "ko": "거인", "en": "Giant"}, "cite": "c", "amount": 300_000,
         "priority": 1, "when": {"flag": "met_little_giant"}}

FACTS = frame([
    dict(hnte_recognised_year=2024, hnte_first_year=2024),   # E0000 first-time
    dict(hnte_recognised_year=2024, hnte_first_year=2018),   # E0001 re-recognised
    dict(hnte_recognised_year=2022, hnte_first_year=2022),   # E0002 nothing this year
    dict(hnte_recognised_year=2024, hnte_first_year=None),   # E0003 pending
])


def policy(**changes):
    data = copy.deepcopy(POLICY)
    data.update(changes)
    return parse_policy(data, ["little_giant"])


def grants(p, outcomes=None):
    return evaluate_benefits(FACTS, p, outcomes).sort("credit_code", "measure")


def test_eligibility_and_pending():
    g = grants(policy())
    assert g.select("credit_code", "measure", "status", "requested", "paid").rows() == [
        ("E0000", "first", "granted", 100_000.0, 100_000.0),
        ("E0001", "again", "granted", 50_000.0, 50_000.0),
        ("E0003", "again", "pending", 0.0, 0.0),
        ("E0003", "first", "pending", 0.0, 0.0),
    ]
    assert g.filter(pl.col("credit_code") == "E0003").get_column("missing").to_list() == [
        "hnte_first_year", "hnte_first_year"]


def test_outcome_columns_drive_measures():
    out = pl.DataFrame({"credit_code": ["E0002", "E0001"], "year": [2024, 2024], "pack": ["little_giant"] * 2,
                        "outcome": ["met", "unknown"]}, schema_overrides={"year": pl.Int32})
    g = grants(policy(measures=[*POLICY["measures"], GIANT]), out).filter(pl.col("measure") == "giant")
    # no outcome for E0000 / E0003: unknown, so pending (never refused)
    assert g.select("credit_code", "status").rows() == [
        ("E0000", "pending"), ("E0001", "pending"), ("E0002", "granted"), ("E0003", "pending")]


def test_budget_pro_rata():
    g = grants(policy(budget=100_000))
    paid = dict(zip(g.get_column("measure") + g.get_column("credit_code"), g.get_column("paid"), strict=True))
    # requested 150,000 for 100,000: factor 2/3, rounded down to the yuan
    assert paid["firstE0000"] == 66_666 and paid["againE0001"] == 33_333
    assert g.get_column("paid").sum() <= 100_000


def test_budget_priority():
    g = grants(policy(budget=120_000, overflow="priority"))
    paid = {(r["credit_code"], r["measure"]): r["paid"] for r in g.to_dicts()}
    assert paid[("E0000", "first")] == 100_000 and paid[("E0001", "again")] == 20_000


def test_per_enterprise_and_measure_caps():
    data = copy.deepcopy(POLICY)
    data["measures"][0]["budget"] = 40_000
    p = parse_policy(dict(data, per_enterprise_cap=30_000), ["little_giant"])
    g = grants(p)
    paid = {(r["credit_code"], r["measure"]): r["paid"] for r in g.to_dicts()}
    assert paid[("E0000", "first")] == 30_000   # capped per enterprise, within the measure budget
    assert paid[("E0001", "again")] == 30_000


def test_allocate_helper():
    s = pl.Series([100.0, 50.0, 25.0])
    assert allocate(s, 1000, "pro_rata").to_list() == [100, 50, 25]
    assert allocate(s, 70, "priority").to_list() == [70, 0, 0]
    assert allocate(s, 70, "pro_rata").to_list() == [40, 20, 10]


def test_policy_validation():
    with pytest.raises(PackError) as exc:
        parse_policy(dict(POLICY, overflow="lottery"), [])
    assert exc.value.path == "overflow"
    bad = copy.deepcopy(POLICY)
    bad["measures"].append(dict(GIANT, when={"flag": "met_nope"}))
    with pytest.raises(PackError) as exc:
        parse_policy(bad, ["little_giant"])
    assert exc.value.path == "measures[2].when.flag"


def test_shipped_policy_loads():
    p = load_policy()
    assert {m.id for m in p.measures} >= {"hnte_first", "hnte_renewed"}
    amounts = {m.id: m.amount for m in p.measures}
    assert (amounts["hnte_first"], amounts["hnte_renewed"]) == (100_000, 50_000)


def test_run_record_and_hash():
    p = policy()
    g = grants(p)
    h = table_sha256(FACTS)
    assert h == table_sha256(FACTS.reverse().select(list(reversed(FACTS.columns))))
    assert h != table_sha256(FACTS.with_columns(pl.lit(2023, pl.Int32).alias("year")))
    rec = run_record(p, g, {"facts": h}, code_version="x")
    assert rec["inputs_sha256"] == {"facts": h}
    assert (rec["requested_total"], rec["paid_total"], rec["grants"], rec["pending"]) == (150_000, 150_000, 2, 2)


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"])
def test_safe_cell_prefixes_formula_starts(text):
    assert safe_cell(text) == "'" + text


def test_safe_cell_keeps_plain_values():
    assert safe_cell("长春") == "长春" and safe_cell(-5) == -5 and safe_cell(1.5) == 1.5 and safe_cell(None) is None


def test_xlsx_has_no_formulas(tmp_path):
    g = grants(policy()).with_columns(
        pl.when(pl.col("credit_code") == "E0000").then(pl.lit("=HYPERLINK(\"http://x\")"))
        .otherwise(pl.col("label_en")).alias("label_en"))
    names = pl.DataFrame({"credit_code": ["E0000", "E0001"], "name": ["@evil", "-1+2"]})
    path = write_xlsx(tmp_path / "out.xlsx", g, {"policy": {"id": "t"}, "note": "=cmd|' /C calc'!A0"}, names)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Grants", "Pending", "Summary", "Run"]
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert "'=HYPERLINK(\"http://x\")" in texts and "'@evil" in texts and "'-1+2" in texts
    assert "'=cmd|' /C calc'!A0" in texts
    grants_ws = wb["Grants"]
    header = [c.value for c in grants_ws[1]]
    paid = [r[header.index("paid")] for r in grants_ws.iter_rows(min_row=2, values_only=True)]
    assert paid == [100_000, 50_000]
