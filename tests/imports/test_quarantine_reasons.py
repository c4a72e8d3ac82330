"""Quarantine reasons in three languages: every kind the engines emit has one English template (the
stored reason, unchanged) and a Django message translated into Chinese and Korean with the same
placeholders; the import report page and the rejected-rows downloads show them in the reader's
language; rows stored before kinds existed keep their English reason."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from innoregion.apps.imports import services
from innoregion.apps.imports.models import QuarantinedRow
from innoregion.apps.imports.reasons import MESSAGES, localised_reason
from innoregion.data.catalogue import CHECK_MESSAGES
from innoregion.data.creditcode import MESSAGES as CREDIT_CODE_MESSAGES
from innoregion.data.creditcode import CreditCodeError, validate
from innoregion.engines.credentials.talentfile import check_talent_table
from innoregion.engines.ingest import RawTable, ingest_bytes
from innoregion.engines.ingest.reasons import TEMPLATES, english, fields, shown_params
from tests.imports.conftest import code, csv_bytes, write

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# kinds no file can produce with the shipped catalogue (a flag word is read as 1/0 before the check,
# the number pattern admits no NaN, a cell is always text, every flag's range is [0, 1] so a value
# that is not 0 or 1 is out of range or not whole first, and every cell the vectorised check refuses
# has a named reason); they keep their sentence and translations for the day one can
UNREACHABLE = {"unexpected_flag", "value_is_nan", "credit_code_not_text", "bad_value", "not_zero_or_one"}


def as_msgid(template: str) -> str:
    """The English template with its fields written as Django's named placeholders."""
    return re.sub(r"\{(\w+)(?:![rsa])?(?::[^}]*)?\}", r"%(\1)s", template)


def everything_bad() -> list:
    """Quarantine records of every reachable kind, from the department-file and talents-file engines."""
    bad_check = code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")
    tax = [["统一社会信用代码", "年度", "营业收入", "研发费用"],
           [code(1), "2024", "1", "1"], [code(1), "2024", "1", "1"],        # duplicate row
           [code(2), "2024", "1", "1"], [code(2), "2024", "2", "1"],        # contradicting rows in a year
           ["", "2024", "1", "1"], ["123", "2024", "1", "1"], [bad_check, "2024", "1", "1"],
           ["91AB0000600037341L", "2024", "1", "1"], ["9111000060003734IL", "2024", "1", "1"],
           [code(9), "2024", "1", "1"],                                     # unknown enterprise
           [code(3), "二〇二四", "1", "1"], [code(3), "2023", "1", "1"],    # bad and wrong year
           [code(4), "2024", "约100万", "1e400"], [code(5), "2024", "1", "1", "extra"]]
    hr = [["credit_code", "year", "employees"], [code(1), "2024", "many"], [code(2), "2024", "2.5"]]
    self_ = [["credit_code", "year", "own_brand", "national_market_share"], [code(1), "2024", "1", "1.5"]]
    known = {code(i) for i in range(1, 6)}
    results = [ingest_bytes(csv_bytes(tax), "tax_2024.csv", "tax", known_codes=known),
               ingest_bytes(csv_bytes(hr), "hr_2024.csv", "hr", known_codes=known),
               ingest_bytes(csv_bytes(self_), "self_2024.csv", "self", known_codes=known)]
    registry = [["统一社会信用代码", "企业名称", "成立日期", "国民经济行业代码", "产业集群", "所在园区", "是否上市",
                 "经营状态"],
                [code(1), "", "2019-13-01", "手工", "nowhere", "mars", "maybe", "gone"],
                [code(2), "乙" * 201, "1850-01-01", "C2710", "", "", "", ""],
                [code(3), "丙", "2019-03-01", "C2710", "", "", "", ""], [code(3), "丙", "2019-03-01", "C2710", "", "", "", ""],
                [code(4), "丁", "2019-03-01", "C2710", "", "", "", ""], [code(4), "戊", "2019-03-01", "C2710", "", "", "", ""]]
    results.append(ingest_bytes(csv_bytes(registry), "registry.csv", "registry", clusters={}, zones={}))
    header = ["talent_id", "affiliation_credit_code", "field", "title", "awards", "two_way_post"]
    talents = RawTable(header=header, encoding="utf-8", rows=[
        ["", code(1), "", "", "", ""], ["T 9!", code(1), "", "", "", ""], ["T3", "", "", "", "", ""],
        ["T4", code(9), "space", "wizard", "oscar", "maybe"],
        ["T5", code(1), "", "", "", ""], ["T5", code(1), "", "", "", ""],
        ["T6", code(1), "", "", "", ""], ["T6", code(2), "", "", "", ""]])
    talent_result = check_talent_table(talents, file_name="talents.csv", known_codes=known)
    return [q for r in results for q in r.quarantine] + talent_result.quarantine


# ------------------------------------------------------------------------------------------ the tables
def test_the_engine_table_is_built_from_the_credit_code_and_catalogue_wordings():
    for kind, text in CREDIT_CODE_MESSAGES.items():
        assert TEMPLATES[kind] == f"invalid credit code: {text}"
    for kind, text in CHECK_MESSAGES.items():
        assert TEMPLATES[kind] == f"out of range: {text}"


def test_every_kind_has_a_django_message_equal_to_the_english_template():
    assert set(MESSAGES) == set(TEMPLATES)
    with translation.override("en"):
        for kind, template in TEMPLATES.items():
            assert str(MESSAGES[kind]) == as_msgid(template), kind
            assert set(PLACEHOLDER.findall(str(MESSAGES[kind]))) == set(fields(kind)), kind


@pytest.mark.parametrize("language", ["zh-hans", "ko"])
def test_every_kind_is_translated_with_the_same_placeholders(language):
    with translation.override(language):
        for kind, message in MESSAGES.items():
            text = str(message)
            assert text != as_msgid(TEMPLATES[kind]), f"{kind} is not translated into {language}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(as_msgid(TEMPLATES[kind]))), kind
            assert "%" not in PLACEHOLDER.sub("", text), f"{kind}: a stray % in the {language} message"
            if language == "zh-hans":
                assert re.search(r"[\u4e00-\u9fff]", PLACEHOLDER.sub("", text)), kind
            else:
                assert re.search(r"[\uac00-\ud7a3]", text), kind


def test_every_record_the_engines_emit_has_a_known_kind_english_from_its_params_and_json_params():
    records = everything_bad()
    emitted = {q.kind for q in records}
    assert emitted == set(TEMPLATES) - UNREACHABLE
    for q in records:
        assert q.reason == english(q.kind, q.params)
        assert json.loads(json.dumps(q.params, allow_nan=False)) == q.params
        assert set(q.params) == set(fields(q.kind)), q.kind
        with translation.override("en"):
            assert localised_reason(q.kind, q.params, "fallback") == q.reason


def test_the_english_reasons_read_as_before():
    reasons = {q.reason for q in everything_bad()}
    for text in [
        "not a number: '约100万' must be an amount in yuan written as digits (blank when unknown)",
        "not a number: 'many' must be a number written as digits (blank when unknown)",
        "out of range: not a finite number",
        "out of range: 2.5 must be a whole number",
        "out of range: 1.5 is outside the valid range [0, 1]",
        "duplicate row: same values as row 2; imported once",
        f"contradicting rows: {code(2)} year 2024 appears in rows 4, 5 with different values",
        f"contradicting rows: {code(4)} appears in rows 6, 7 with different values",
        "contradicting rows: T6 appears in rows 8, 9 with different values",
        "missing credit code: the unified social credit code is blank",
        "invalid credit code: credit code '123' has 3 characters; it needs 18",
        "invalid credit code: credit code '91AB0000600037341L': positions 3-8 must be a 6-digit administrative "
        "division code",
        "invalid credit code: credit code '9111000060003734IL': character 'I' at position 17 is not allowed "
        "(digits and capitals except I, O, Z, S, V)",
        f"unknown enterprise: {code(9)} is not in the enterprise register (import the register first)",
        "bad year: '二〇二四' is not a year",
        "wrong year: 2023 does not match the file's year 2024",
        "extra cells: the row has 5 cells but the header has 4",
        "missing name: the Chinese name is required",
        "too long: a name has at most 200 characters",
        "bad date: '2019-13-01' is not a date (YYYY-MM-DD)",
        "bad date: 1850-01-01 is not a plausible founding date",
        "bad industry code: '手工' is not a GB/T 4754 code (e.g. C2710 or 2710)",
        "unknown cluster: 'nowhere' is not a cluster code of the region",
        "unknown zone: 'mars' is not a zone code of the region",
        "bad flag: 'maybe' must be 是/否 or 1/0",
        "bad status: 'gone' must be active, suspended or deregistered",
        "missing talent id: the talent id is blank",
        "bad talent id: 'T 9!' must be 1-40 letters, digits, '_', '.' or '-'",
        "missing credit code: the affiliation's credit code is blank",
        "unknown field: 'space' is not a cluster code of the region or a field code",
        "bad flag: 'maybe' must be 1/0 (是/否)",
    ]:
        assert text in reasons, text
    assert any(r.startswith("unknown title: 'wizard' is not one of ") for r in reasons)
    assert any(r.startswith("unknown award: 'oscar' is not one of ") for r in reasons)


def test_credit_code_errors_carry_kind_and_params():
    with pytest.raises(CreditCodeError) as caught:
        validate("91110000600037341M")
    err = caught.value
    assert (err.kind, err.params) == ("bad_credit_code_check", {"code": "91110000600037341M", "found": "M",
                                                                "expected": "L"})
    assert str(err) == "credit code '91110000600037341M': check character is 'M' but GB 32100-2015 gives 'L'"
    assert str(CreditCodeError("plain words")) == "plain words" and CreditCodeError("x").kind == ""


def test_shown_params_write_values_as_the_english_sentence_does():
    params = {"value": 1234567.0, "min": 0.0, "max": 1e13}
    assert shown_params("out_of_range", params) == {"value": "1.23457e+06", "min": "0", "max": "1e+13"}
    assert shown_params("bad_year", {"text": "二〇二四"}) == {"text": "'二〇二四'"}
    with translation.override("zh-hans"):
        assert localised_reason("bad_year", {"text": "x"}, "fb") == "年度有误：'x' 不是年份"
        # a row stored before kinds existed, an unknown kind or params that do not fit: the stored reason
        assert localised_reason("", {}, "old English reason") == "old English reason"
        assert localised_reason("no_such_kind", {}, "stored") == "stored"
        assert localised_reason("bad_year", {}, "stored") == "stored"
        assert localised_reason("bad_year", None, "stored") == "stored"


# ---------------------------------------------------------------------------------------- pages, downloads
TAX = ["统一社会信用代码", "年度", "营业收入", "研发费用"]
BAD_ROWS = [TAX, [code(1), 2024, "约100万", 1], ["123", 2024, 1, 1], [code(2), 2023, 1, 1], [code(3), 2024, 1, 1]]


@pytest.fixture
def batch(enterprises, tmp_path):
    batch = services.import_file(write(tmp_path, "tax_2024.csv", BAD_ROWS), "tax")
    assert batch.rows_quarantined == 3
    # a row quarantined before reasons had kinds: shown as stored in every language
    QuarantinedRow.objects.create(batch=batch, row_number=99, column="营业收入", value="?",
                                  reason="legacy: an English reason from an earlier version", raw={})
    return batch


@pytest.fixture
def official(db, client, settings):
    from innoregion.apps.access.models import Role
    from innoregion.apps.access.services import create_user

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # restored after the test
    user = create_user("official", secrets.token_urlsafe(16), Role.OFFICIAL)
    client.force_login(user)
    return client


CHINESE = ["不是数字：'约100万' 应为用阿拉伯数字填写的金额（单位：元；未知时留空）",
           "信用代码无效：信用代码 '123' 有 3 位，应为 18 位",
           "年度不符：2023 与文件所属年度 2024 不一致"]
KOREAN = ["숫자 아님: '约100万'은(는) 아라비아 숫자로 쓴 위안 단위 금액이어야 합니다(모르면 비워 두십시오)",
          "잘못된 신용코드: 신용코드 '123'은(는) 3자입니다. 18자여야 합니다",
          "연도 불일치: 2023은(는) 파일의 연도 2024와(과) 다릅니다"]
ENGLISH = ["not a number: '约100万' must be an amount in yuan written as digits (blank when unknown)",
           "invalid credit code: credit code '123' has 3 characters; it needs 18",
           "wrong year: 2023 does not match the file's year 2024"]
LEGACY = "legacy: an English reason from an earlier version"


def page(client, batch, **headers) -> str:
    resp = client.get(f"/data/imports/{batch.pk}/", **headers)
    assert resp.status_code == 200
    return resp.content.decode().replace("&#x27;", "'")


def test_stored_rows_keep_english_kind_and_params(batch):
    rows = {q.row_number: q for q in batch.quarantine.all()}
    assert rows[2].reason == ENGLISH[0] and rows[2].kind == "not_an_amount" and rows[2].params == {"text": "约100万"}
    assert rows[4].kind == "wrong_year" and rows[4].params == {"year": 2023, "file_year": 2024}
    assert batch.report["quarantine_kinds"] == {"not_an_amount": 1, "bad_credit_code_length": 1, "wrong_year": 1}
    assert batch.report["quarantine_reasons"] == {"not a number": 1, "invalid credit code": 1, "wrong year": 1}


def test_report_page_in_chinese_korean_and_english(official, batch):
    html = page(official, batch, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert all(text in html for text in CHINESE) and not any(text in html for text in ENGLISH)
    assert LEGACY in html
    official.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = page(official, batch)
    assert all(text in html for text in KOREAN) and not any(text in html for text in CHINESE + ENGLISH)
    assert LEGACY in html
    official.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(official, batch)
    assert all(text in html for text in ENGLISH) and LEGACY in html


def test_rejected_rows_download_in_the_readers_language(official, batch):
    resp = official.get(f"/data/imports/{batch.pk}/rejected.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    table = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["行", "列", "原因"]
    assert [r[2] for r in table[1:]] == [*CHINESE, LEGACY]
    resp = official.get(f"/data/imports/{batch.pk}/rejected.csv", HTTP_ACCEPT_LANGUAGE="en")
    table = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["row", "column", "reason"] and [r[2] for r in table[1:]] == [*ENGLISH, LEGACY]


def test_quarantine_exports_in_a_language_and_in_english_by_default(batch, tmp_path):
    def read_csv(path):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return list(csv.reader(fh))

    before = translation.get_language()
    english_table = read_csv(services.export_quarantine_csv(batch, tmp_path / "en.csv"))
    assert english_table[0] == services.EXPORT_HEADER == ["file", "row", "column", "value", "reason", "row as read"]
    assert [r[4] for r in english_table[1:]] == [*ENGLISH, LEGACY]
    chinese = read_csv(services.export_quarantine_csv(batch, tmp_path / "zh.csv", language="zh-hans"))
    assert chinese[0] == ["文件", "行", "列", "数值", "原因", "读取的行"]
    assert [r[4] for r in chinese[1:]] == [*CHINESE, LEGACY]
    assert [r[:4] for r in chinese[1:]] == [r[:4] for r in english_table[1:]]
    sheet = openpyxl.load_workbook(services.export_quarantine_xlsx(batch, tmp_path / "ko.xlsx", language="ko")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("파일", "행", "열", "값", "사유", "읽은 행")
    assert [r[4] for r in rows[1:]] == [*KOREAN, LEGACY]
    assert translation.get_language() == before  # the exports did not leave their language active
