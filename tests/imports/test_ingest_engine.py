"""The pure ingest engine: encodings, XLSX, header mapping, cell checks, quarantine records."""

import subprocess
import sys

import openpyxl
import pytest

from innoregion.engines.ingest import IngestError, detect_encoding, infer_source, infer_year, ingest_bytes
from tests.imports.conftest import code, csv_bytes

HEADER_ZH = ["统一社会信用代码", "年度", "营业收入", "研发费用", "净利润"]


def tax(rows, encoding="utf-8", header=HEADER_ZH, name="tax_2024.csv", **kw):
    return ingest_bytes(csv_bytes([header, *rows], encoding), name, "tax", **kw)


def reasons(result):
    return {(q.row, q.column): q.reason for q in result.quarantine}


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_encodings_are_detected_and_chinese_headers_mapped(encoding, expected):
    result = tax([[code(1), "2024", "1000", "10", "-5"]], encoding=encoding)
    assert result.encoding == expected
    assert result.columns["营业收入"] == "revenue"
    assert sorted(result.values["indicator"].to_list()) == ["net_profit", "rd_expense", "revenue"]


def test_gb18030_only_characters_survive():
    # U+20000 exists in GB18030 but not in GBK: a company-name cell in the register
    data = csv_bytes([["统一社会信用代码", "企业名称", "成立日期", "国民经济行业代码"],
                      [code(1), "𠀀光电", "2019-03-01", "C3976"]], "gb18030")
    result = ingest_bytes(data, "registry.csv", "registry")
    assert result.encoding == "gb18030"
    assert result.records["name_zh"].to_list() == ["𠀀光电"]


def test_undecodable_file_names_the_byte_offset():
    data = "统一社会信用代码,年度\n".encode() + b"\x81\x20\xff\xfe"
    with pytest.raises(IngestError, match=r"offset \d+"):
        ingest_bytes(data, "tax_2024.csv", "tax")
    with pytest.raises(IngestError, match="UTF-16"):
        ingest_bytes("a,b".encode("utf-16"), "tax_2024.csv", "tax")
    assert detect_encoding(b"plain") == "utf-8"


def test_xlsx_with_numbers_and_codes(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["credit_code", "year", "employees", "rd_staff", "参保人数备注"])
    sheet.append([code(1), 2024, 120, 30.0, "x"])
    sheet.append([code(2), 2024, "约100", None, None])
    path = tmp_path / "hr_2024.xlsx"
    book.save(path)
    result = ingest_bytes(path.read_bytes(), path.name, "hr")
    assert result.encoding == "xlsx"
    assert sorted(result.values.select("indicator", "value").rows()) == [("employees", 120.0), ("rd_staff", 30.0)]
    assert reasons(result)[(3, "employees")].startswith("not a number")
    assert any("参保人数备注" in w for w in result.warnings)


def test_missing_key_column_rejects_the_file():
    with pytest.raises(IngestError, match="missing key column: credit_code"):
        tax([["2024", "1", "1", "1"]], header=["年度", "营业收入", "研发费用", "净利润"])
    with pytest.raises(IngestError, match="no indicator column"):
        tax([[code(1), "2024"]], header=["统一社会信用代码", "年度"])
    with pytest.raises(IngestError, match="both mean"):
        tax([[code(1), "2024", "1", "2"]], header=["统一社会信用代码", "年度", "营业收入", "revenue"])


def test_unknown_and_other_department_columns_are_reported_not_dropped_silently():
    result = tax([[code(1), "2024", "1", "2", "3", "4", "5"]],
                 header=[*HEADER_ZH, "备注", "参保职工人数"])
    assert "unknown column '备注'; ignored" in result.warnings
    assert any("参保职工人数" in w and "not filed by source 'tax'" in w for w in result.warnings)
    assert result.report()["warnings"] == result.warnings


def test_numbers_thousands_separators_and_bad_cells():
    result = tax([
        [code(1), "2024", "1,234,567.50", " 2，000 ", "-1,000"],   # row 2: good
        [code(2), "2024", "约100万", "10", "0"],                  # row 3: text
        [code(3), "2024", "-5", "10", "0"],                       # row 4: below range
        [code(4), "2024", "1,23,4", "10", "0"],                   # row 5: badly grouped
        [code(5), "2024", "nan", "1e400", ""],                    # row 6: nan and infinity
    ])
    good = dict(result.values.filter(result.values["row"] == 2).select("indicator", "value").rows())
    assert good == {"revenue": 1234567.5, "rd_expense": 2000.0, "net_profit": -1000.0}
    r = reasons(result)
    assert r[(3, "营业收入")].startswith("not a number") and "约100万" in r[(3, "营业收入")]
    assert r[(4, "营业收入")].startswith("out of range")
    assert r[(5, "营业收入")].startswith("not a number")
    assert (6, "营业收入") in r and r[(6, "研发费用")].startswith("out of range")
    assert result.rows_accepted == 1 and result.rows_quarantined == 4
    assert set(result.values["row"].to_list()) == {2}  # no value of a bad row is accepted


def test_whole_numbers_flags_ratios_and_levels():
    header = ["credit_code", "year", "niche_years", "own_brand", "national_market_share", "digital_level"]
    rows = [[code(1), "2024", "5", "是", "35%", "2"],
            [code(2), "2024", "5.5", "1", "0.2", "1"],
            [code(3), "2024", "5", "2", "0.2", "1"],
            [code(4), "2024", "5", "否", "1.5", "3"]]
    result = ingest_bytes(csv_bytes([header, *rows]), "self_2024.csv", "self")
    assert dict(result.values.filter(result.values["row"] == 2).select("indicator", "value").rows()) == {
        "niche_years": 5.0, "own_brand": 1.0, "national_market_share": 0.35, "digital_level": 2.0}
    r = reasons(result)
    assert "whole number" in r[(3, "niche_years")]
    assert "0 or 1" in r[(4, "own_brand")] or "outside" in r[(4, "own_brand")]
    assert "outside" in r[(5, "national_market_share")] and "outside" in r[(5, "digital_level")]


def test_credit_code_year_and_duplicates():
    bad_check = code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")
    result = tax([
        [code(1), "2024", "1", "1", "1"],     # 2 good
        [bad_check, "2024", "1", "1", "1"],   # 3 bad check character
        ["", "2024", "1", "1", "1"],          # 4 blank code
        [code(2), "2023", "1", "1", "1"],     # 5 wrong year
        [code(3), "二〇二四", "1", "1", "1"],  # 6 not a year
        [code(1), "2024", "1", "1", "1"],     # 7 identical duplicate of row 2
        [code(4), "2024", "1", "1", "1"],     # 8 contradicts row 9
        [code(4), "2024", "2", "1", "1"],     # 9
        [code(5).lower(), "2024", "3", "", ""],  # 10 good: lower case normalised, blanks are missing
    ])
    r = reasons(result)
    assert "check character" in r[(3, "统一社会信用代码")]
    assert r[(4, "统一社会信用代码")].startswith("missing credit code")
    assert r[(5, "年度")].startswith("wrong year")
    assert r[(6, "年度")].startswith("bad year")
    assert r[(7, "统一社会信用代码")] == "duplicate row: same values as row 2; imported once"
    assert r[(8, "统一社会信用代码")].startswith("contradicting rows") and (9, "统一社会信用代码") in r
    assert sorted(set(result.values["row"].to_list())) == [2, 10]
    assert result.values.filter(result.values["row"] == 10)["credit_code"].to_list() == [code(5)]
    q = next(q for q in result.quarantine if q.row == 3)
    assert q.value == bad_check and q.raw["营业收入"] == "1"


def test_unknown_enterprise_and_row_numbers_as_a_spreadsheet_shows_them():
    data = csv_bytes([HEADER_ZH, [code(1), "2024", "1", "1", "1"], [], ["", "", "", "", ""],
                      [code(9), "2024", "1", "1", "1"],
                      [code(2), "2024", "1", "1", "1", "extra"]])
    data = data.replace(b"\r\n\r\n", b"\r\n\r\n")
    result = ingest_bytes(data, "tax_2024.csv", "tax", known_codes={code(1), code(2)})
    r = reasons(result)
    assert r[(5, "统一社会信用代码")].startswith("unknown enterprise")
    assert r[(6, "")].startswith("extra cells")
    assert result.blank_rows == 2 and result.rows_accepted == 1


def test_quoted_multiline_cell_counts_as_one_spreadsheet_row():
    data = csv_bytes([HEADER_ZH, [code(1), "2024", "1", "1", "1"],
                      [code(2), "2024", "line one\nline two", "1", "1"], [code(3), "2024", "x", "1", "1"]])
    result = ingest_bytes(data, "tax_2024.csv", "tax")
    assert sorted(q.row for q in result.quarantine) == [3, 4]


def test_registry_checks():
    header = ["统一社会信用代码", "企业名称", "成立日期", "国民经济行业代码", "产业集群", "所在园区", "是否上市", "经营状态"]
    rows = [[code(1), "甲", "2019-03-01", "C2710", "pharma-valley", "south", "是", "存续"],
            [code(2), "乙", "2019/13/01", "C2710", "", "", "", ""],
            [code(3), "丙", "2019-03-01", "手工", "", "", "", ""],
            [code(4), "丁", "2019-03-01", "C2710", "nowhere", "mars", "", ""],
            ["123", "戊", "2019-03-01", "C2710", "", "", "", ""],
            [code(6), "", "2019-03-01", "C2710", "", "", "maybe", "gone"]]
    result = ingest_bytes(csv_bytes([header, *rows]), "registry.csv", "registry",
                          clusters={"pharma-valley": "pharma-valley"}, zones={"south": "south", "南区": "south"})
    assert result.records.select("credit_code", "cluster", "zone", "listed", "status").rows() == [
        (code(1), "pharma-valley", "south", True, "active")]
    r = reasons(result)
    assert r[(3, "成立日期")].startswith("bad date")
    assert r[(4, "国民经济行业代码")].startswith("bad industry code")
    assert r[(5, "产业集群")].startswith("unknown cluster") and r[(5, "所在园区")].startswith("unknown zone")
    assert r[(6, "统一社会信用代码")].startswith("invalid credit code")
    assert {(7, "企业名称"), (7, "是否上市"), (7, "经营状态")} <= set(r)
    with pytest.raises(IngestError, match="成立日期"):
        ingest_bytes(csv_bytes([["统一社会信用代码", "企业名称", "国民经济行业代码"]]), "registry.csv", "registry")


def test_file_names():
    assert infer_source("tax_2024.csv") == "tax" and infer_year("tax_2024.csv") == 2024
    assert infer_source("registry.csv") == "registry" and infer_year("registry.csv") is None
    assert infer_source("SELF_2023.xlsx") == "self"
    with pytest.raises(IngestError, match="cannot tell the source"):
        infer_source("report.csv")


def test_engine_does_not_import_django():
    code_ = ("import sys, innoregion.engines.ingest as m; "
             "assert not any(k == 'django' or k.startswith('django.') for k in sys.modules), 'django imported'")
    subprocess.run([sys.executable, "-c", code_], check=True)
