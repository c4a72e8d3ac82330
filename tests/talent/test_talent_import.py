"""Importing the talent office's file (talents.csv) into the registry, issuing the missing codes, the
region counts over imported talents, and the officials' read-only API."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from innoregion.apps.access.models import AuditEntry, Bank, Profile
from innoregion.apps.imports.reasons import MESSAGES as REASON_MESSAGES
from innoregion.apps.region.models import Cluster, Enterprise
from innoregion.apps.talent import selectors, services
from innoregion.apps.talent.importing import import_talents_csv
from innoregion.apps.talent.models import (
    Talent,
    TalentCredential,
    TalentImportBatch,
    TalentPersonalData,
    TalentQuarantinedRow,
)
from innoregion.cli.talent import command as talent_cli
from innoregion.data.creditcode import make_code
from innoregion.engines.credentials import shipped_catalogues
from innoregion.engines.credentials.talentfile import load_crosswalk
from innoregion.engines.ingest.reasons import english as english_reason

pytestmark = pytest.mark.django_db

HEADER = ["talent_id", "affiliation_credit_code", "field", "title", "awards", "two_way_post", "part_time_post",
          "startup_founder"]
FIRMS = [make_code("9", "1", "220173", f"TL{n:06d}") for n in range(3)]
OUTSIDER = make_code("9", "1", "220173", "TL999999")  # valid, but not in the register


def good_rows() -> list[list[str]]:
    return [
        ["T0000001", FIRMS[0], "pharma-valley", "professor", "national_talent_programme", "0", "0", "0"],
        ["T0000002", FIRMS[1], "optics-valley", "senior_engineer", "", "1", "0", "0"],
        ["T0000003", FIRMS[1], "optics-valley", "engineer", "", "0", "1", "1"],
        ["T0000004", FIRMS[2], "pharma-valley", "doctor", "st_award_provincial", "0", "0", "0"],
        ["T0000005", FIRMS[0], "pharma-valley", "researcher", "academician;st_award_national", "0", "0", "0"],
    ]


# what the crosswalk and the catalogue give each row (worked out by hand from the two YAML files)
EXPECTED_TIERS = {"T0000001": "B1", "T0000002": "D2", "T0000003": "", "T0000004": "C2", "T0000005": "A"}


def write(folder: Path, rows: list[list[str]], name: str = "talents.csv", header=None) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header or HEADER, *rows])
    path = folder / name
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


@pytest.fixture(autouse=True)
def region(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    optics = Cluster.objects.create(code="optics-valley", kind="valley", name_zh="长春光谷")
    pharma = Cluster.objects.create(code="pharma-valley", kind="valley", name_zh="长春药谷")
    for n, code in enumerate(FIRMS):
        Enterprise.objects.create(credit_code=code, founded=dt.date(2015, 1, 1), industry="C27",
                                  cluster=optics if n == 1 else pharma, name_zh=f"示例企业{n}")


def by_source_id() -> dict[str, Talent]:
    return {p.source_id: p.talent for p in TalentPersonalData.objects.select_related("talent")}


# ------------------------------------------------------------------------------------------ good file
def test_good_file_places_every_talent_and_keeps_personal_data_apart(tmp_path):
    path = write(tmp_path, good_rows())
    batch = import_talents_csv(path)
    assert batch.status == "imported" and not batch.already_imported
    assert (batch.rows_total, batch.rows_accepted, batch.rows_quarantined) == (5, 5, 0)
    assert (batch.talents_created, batch.talents_updated, batch.talents_unchanged) == (5, 0, 0)
    talents = by_source_id()
    assert {sid: t.tier for sid, t in talents.items()} == EXPECTED_TIERS
    t1 = talents["T0000001"]
    assert t1.titles == ["full_senior_title", "national_major_talent_program"]
    assert t1.field == "biopharma" and t1.cluster.code == "pharma-valley" and t1.affiliation.credit_code == FIRMS[0]
    assert t1.catalogue_version == "changchun-new-area/2025.1" and "B1-national-programme" in t1.placement_explanation[0]
    assert talents["T0000004"].degree == "doctorate" and talents["T0000004"].awards == ["provincial_science_award_second"]
    assert talents["T0000002"].two_way_post and talents["T0000003"].startup_founder
    assert batch.report["placed_by_tier"] == {"": 1, "A": 1, "B1": 1, "C2": 1, "D2": 1}
    # the office's id lives only with the personal data, never on the registry row
    for sid, talent in talents.items():
        assert talent.pseudonymous_id != sid and len(talent.pseudonymous_id) == 16
        row = Talent.objects.filter(pk=talent.pk).values().get()
        assert sid not in json.dumps(row, default=str)
    # the raw file is kept under the data dir, named by its SHA-256, readable by the owner only
    raw = Path(batch.raw_path)
    assert raw.read_bytes() == path.read_bytes()
    assert batch.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and raw.stem == batch.sha256
    assert raw.is_relative_to(settings.DATA_DIR) and stat.S_IMODE(raw.stat().st_mode) == 0o600
    # each placement and the import itself are in the audit log
    assert AuditEntry.objects.filter(action="talent.place").count() == 5
    assert AuditEntry.objects.filter(action="talent.import", object_id=str(batch.pk)).count() == 1


def test_crosswalk_maps_only_to_codes_of_the_catalogue():
    xw = load_crosswalk()
    cat = shipped_catalogues()[xw.catalogue]
    assert cat.id == services.catalogue().id  # written for the catalogue the platform places with
    for table in (xw.titles, xw.awards):
        for facts in table.values():
            for facet in ("titles", "awards"):
                assert set(facts.get(facet, [])) <= set(cat.vocabulary[facet])
    # every code the contract allows in the file is mapped (docs/data/department-files.md)
    assert set(xw.titles) == {"professor", "senior_engineer", "researcher", "engineer", "doctor"}
    assert set(xw.awards) == {"national_talent_programme", "provincial_talent_programme", "academician",
                              "st_award_national", "st_award_provincial"}


# ------------------------------------------------------------------------------------------ bad rows
BAD = {
    "extra cells": (["T0000009", FIRMS[0], "pharma-valley", "engineer", "", "0", "0", "0", "surplus"], ""),
    "missing talent id": (["", FIRMS[0], "pharma-valley", "engineer", "", "0", "0", "0"], "talent_id"),
    "bad talent id": (["T 9!", FIRMS[0], "pharma-valley", "engineer", "", "0", "0", "0"], "talent_id"),
    "missing credit code": (["T0000009", "", "pharma-valley", "engineer", "", "0", "0", "0"],
                            "affiliation_credit_code"),
    "invalid credit code": (["T0000009", FIRMS[0][:-1] + ("0" if FIRMS[0][-1] != "0" else "1"), "pharma-valley",
                             "engineer", "", "0", "0", "0"], "affiliation_credit_code"),
    "unknown enterprise": (["T0000009", OUTSIDER, "pharma-valley", "engineer", "", "0", "0", "0"],
                           "affiliation_credit_code"),
    "unknown field": (["T0000009", FIRMS[0], "space-valley", "engineer", "", "0", "0", "0"], "field"),
    "unknown title": (["T0000009", FIRMS[0], "pharma-valley", "wizard", "", "0", "0", "0"], "title"),
    "unknown award": (["T0000009", FIRMS[0], "pharma-valley", "engineer", "academician;oscar", "0", "0", "0"],
                      "awards"),
    "bad flag": (["T0000009", FIRMS[0], "pharma-valley", "engineer", "", "0", "maybe", "0"], "part_time_post"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_bad_row_class_is_quarantined_with_row_column_and_reason(tmp_path, kind):
    bad_row, column = BAD[kind]
    batch = import_talents_csv(write(tmp_path, [good_rows()[0], bad_row]))
    assert batch.status == "imported" and batch.rows_accepted == 1 and batch.rows_quarantined == 1
    [q] = TalentQuarantinedRow.objects.filter(batch=batch)
    assert q.row_number == 3 and q.column == column and q.reason.startswith(kind + ":"), q.reason
    assert q.raw["talent_id"] == bad_row[0]
    assert batch.report["quarantine_reasons"] == {kind: 1}
    # the machine kind and its values are stored too; the English reason is made from them
    assert q.kind in REASON_MESSAGES and q.reason == english_reason(q.kind, q.params)
    assert batch.report["quarantine_kinds"] == {q.kind: 1}
    assert set(by_source_id()) == {"T0000001"}  # the bad row created nothing


def test_duplicate_rows_are_imported_once_and_contradicting_rows_not_at_all(tmp_path):
    rows = good_rows()[:2]
    changed = list(rows[1])
    changed[3] = "professor"
    batch = import_talents_csv(write(tmp_path, [rows[0], rows[0], rows[1], changed]))
    reasons = sorted((q.row_number, q.reason.split(":")[0]) for q in batch.quarantine.all())
    assert reasons == [(3, "duplicate row"), (4, "contradicting rows"), (5, "contradicting rows")]
    assert set(by_source_id()) == {"T0000001"} and batch.talents_created == 1


def test_quarantine_reasons_in_the_readers_language(tmp_path):
    from django.utils import translation

    from innoregion.apps.imports.services import export_quarantine_csv

    rows = [good_rows()[0], BAD["unknown field"][0], BAD["bad flag"][0], BAD["missing talent id"][0]]
    batch = import_talents_csv(write(tmp_path, rows))
    quarantine = list(batch.quarantine.order_by("row_number"))
    assert [q.kind for q in quarantine] == ["unknown_field", "bad_talent_flag", "missing_talent_id"]
    assert quarantine[1].params == {"text": "maybe"}
    expected = {
        "zh-hans": ["未知领域：'space-valley' 既不是本区的产业集群代码，也不是领域代码",
                    "是否值有误：'maybe' 应为 1/0（是/否）", "缺少人才编号：人才编号为空"],
        "ko": ["알 수 없는 분야: 'space-valley'은(는) 이 지역의 산업 클러스터 코드도, 분야 코드도 아닙니다",
               "잘못된 예/아니요 값: 'maybe'은(는) 1/0(是/否)이어야 합니다", "인재 ID 누락: 인재 ID가 비어 있습니다"],
        "en": [q.reason for q in quarantine],
    }
    for language, texts in expected.items():
        with translation.override(language):
            assert [q.localised_reason() for q in quarantine] == texts, language
    # the talents quarantine goes through the department imports' exporters, in a language or in English
    for language, texts in (("zh-hans", expected["zh-hans"]), (None, expected["en"])):
        path = export_quarantine_csv(batch, tmp_path / f"q-{language}.csv", language=language)
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert table[0][4] == ("原因" if language else "reason") and [r[4] for r in table[1:]] == texts


def test_a_file_without_a_key_column_is_rejected_whole(tmp_path):
    header = [h for h in HEADER if h != "affiliation_credit_code"]
    rows = [[c for i, c in enumerate(r) if i != 1] for r in good_rows()]
    batch = import_talents_csv(write(tmp_path, rows, header=header))
    assert batch.status == "rejected" and "affiliation_credit_code" in batch.report["rejected"]
    assert not Talent.objects.exists() and not TalentQuarantinedRow.objects.exists()


def test_chinese_headers_and_gb18030_are_read(tmp_path):
    header = ["人才编号", "统一社会信用代码", "领域", "职称", "荣誉奖项", "双向流动岗位", "兼职岗位", "创业企业创始人"]
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *[[*r[:5], "是", "否", "否"] for r in good_rows()[:2]]])
    path = tmp_path / "人才.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    batch = import_talents_csv(path)
    assert batch.encoding == "gb18030" and batch.rows_accepted == 2
    assert all(t.two_way_post and not t.part_time_post for t in by_source_id().values())


# ------------------------------------------------------------------------------------------ idempotence
def test_reimporting_the_same_file_changes_nothing_and_a_new_version_updates_only_changes(tmp_path):
    path = write(tmp_path, good_rows())
    first = import_talents_csv(path)
    snapshot = list(Talent.objects.order_by("pk").values())
    audits = AuditEntry.objects.count()
    again = import_talents_csv(path)
    assert again.pk == first.pk and again.already_imported
    assert list(Talent.objects.order_by("pk").values()) == snapshot
    assert AuditEntry.objects.count() == audits and TalentImportBatch.objects.count() == 1
    assert TalentPersonalData.objects.count() == 5

    rows = good_rows()
    rows[1][3] = "professor"  # T0000002 is promoted: associate -> full senior title
    second = import_talents_csv(write(tmp_path, rows, name="talents-2.csv"))
    assert (second.talents_created, second.talents_updated, second.talents_unchanged) == (0, 1, 4)
    talents = by_source_id()
    assert talents["T0000002"].tier == "D1" and Talent.objects.count() == 5
    unchanged = {t["id"]: t for t in snapshot}
    for sid in ("T0000001", "T0000003", "T0000004", "T0000005"):
        assert talents[sid].placed_at == unchanged[talents[sid].pk]["placed_at"]


# ------------------------------------------------------------------------------------------ all or nothing
def test_a_failure_midway_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    real_place = services.place
    calls = []

    def failing_place(talent, actor=None):
        calls.append(talent.pk)
        if len(calls) == 3:
            raise RuntimeError("injected failure while placing")
        return real_place(talent, actor=actor)

    monkeypatch.setattr(services, "place", failing_place)
    path = write(tmp_path, [*good_rows(), ["", FIRMS[0], "", "", "", "", "", ""]])
    with pytest.raises(RuntimeError, match="injected"):
        import_talents_csv(path)
    assert len(calls) == 3
    for model in (Talent, TalentPersonalData, TalentImportBatch, TalentQuarantinedRow):
        assert not model.objects.exists(), model
    assert not AuditEntry.objects.filter(action__in=["talent.place", "talent.import"]).exists()

    monkeypatch.setattr(services, "place", real_place)
    batch = import_talents_csv(path)  # the same file goes in once the fault is gone
    assert batch.talents_created == 5 and batch.rows_quarantined == 1


# ------------------------------------------------------------------------------------------ issuing
def test_issue_missing_issues_once_per_placed_talent_and_respects_suspension(tmp_path):
    import_talents_csv(write(tmp_path, good_rows()))
    placed = {sid: t for sid, t in by_source_id().items() if t.tier}
    assert services.issue_missing() == len(placed) == 4
    for t in placed.values():
        [cred] = t.credentials.all()
        assert cred.status == "valid" and cred.tier == t.tier
    assert not by_source_id()["T0000003"].credentials.exists()  # no tier, no code
    assert services.issue_missing() == 0

    suspended = services.current_credential(placed["T0000001"])
    services.set_status(suspended, "suspended", reason="under review")
    revoked = services.current_credential(placed["T0000002"])
    services.set_status(revoked, "revoked", reason="left the region")
    expired = services.current_credential(placed["T0000004"])
    TalentCredential.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert services.issue_missing() == 2  # the revoked and the expired one; not the suspended one
    suspended.refresh_from_db()
    assert suspended.status == "suspended"
    assert placed["T0000002"].credentials.filter(status="valid").count() == 1
    assert placed["T0000004"].credentials.filter(status="valid", expires_at__gt=timezone.now()).count() == 1


# ------------------------------------------------------------------------------------------ counts
def test_region_counts_over_imported_talents(tmp_path):
    import_talents_csv(write(tmp_path, good_rows()))
    services.issue_missing()
    counts = selectors.region_counts()
    assert counts["total"] == 5
    assert counts["by_tier"] == {"": 1, "A": 1, "B1": 1, "C2": 1, "D2": 1}
    assert counts["by_field"] == {"biopharma": 3, "optoelectronics": 2}
    assert counts["by_cluster"] == {"optics-valley": 2, "pharma-valley": 3}
    cross = {(c["tier"], c["cluster"]): c["count"] for c in counts["tier_by_cluster"]}
    assert cross == {("", "optics-valley"): 1, ("A", "pharma-valley"): 1, ("B1", "pharma-valley"): 1,
                     ("C2", "pharma-valley"): 1, ("D2", "optics-valley"): 1}
    assert counts["flags"] == {"two_way_post": 1, "part_time_post": 1, "startup_founder": 1}
    assert counts["valid_codes"] == 4


def test_generated_delivery_talents_import_without_quarantine(tmp_path):
    from innoregion.apps.imports.services import import_file
    from innoregion.apps.region.services import load_reference_data
    from innoregion.generator import generate

    load_reference_data()  # all clusters of region.yaml (the fixture's two are updated in place)
    out = tmp_path / "delivery"
    manifest = generate(out, enterprises=120, years=1, seed=11, first_year=2024, echo=lambda _: None,
                        matching=False)
    assert import_file(out / "registry.csv").rows_quarantined == 0
    batch = import_talents_csv(out / "talents.csv")
    assert batch.rows_quarantined == 0 and batch.talents_created == manifest["counts"]["talents"] > 0
    counts = selectors.region_counts()
    assert sum(counts["by_tier"].values()) == counts["total"] == manifest["counts"]["talents"]
    assert set(counts["by_cluster"]) <= {c.code for c in Cluster.objects.all()}


# ------------------------------------------------------------------------------------------ CLI
def test_cli_import_prints_the_report_and_writes_the_quarantine(tmp_path):
    path = write(tmp_path, [*good_rows(), BAD["unknown enterprise"][0]])
    out = tmp_path / "q.csv"
    result = CliRunner().invoke(talent_cli, ["import", str(path), "--quarantine-csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "accepted 5, quarantined 1" in result.output and "unknown enterprise" in result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("file,row,column") and ",7,affiliation_credit_code," in lines[1]
    assert AuditEntry.objects.filter(action="talent.import", after__via="cli").exists()
    again = CliRunner().invoke(talent_cli, ["import", str(path)])
    assert again.exit_code == 0 and "ALREADY IMPORTED" in again.output


# ------------------------------------------------------------------------------------------ API
def _login(client, role: str | None):
    if role is None:
        return
    user = User.objects.create_user(f"u-{role}")
    binding = {}
    if role == "enterprise":
        binding["enterprise"] = Enterprise.objects.get(credit_code=FIRMS[0])
    elif role == "bank":
        binding["bank"] = Bank.objects.create(name="示例银行", code="demo-bank")
    Profile.objects.create(user=user, role=role, **binding)
    client.force_login(user)


API = ["/api/v1/talent/counts/", "/api/v1/talent/talents/", "/api/v1/talent/imports/"]


@pytest.mark.parametrize("role", [None, "enterprise", "bank"])
def test_api_is_closed_to_everyone_but_officials(client, tmp_path, role):
    import_talents_csv(write(tmp_path, good_rows()))
    _login(client, role)
    for url in API:
        response = client.get(url)
        assert response.status_code in (401, 403), (url, role, response.status_code)
        assert b"T0000001" not in response.content and b"B1" not in response.content


def test_api_serves_officials_counts_registry_and_imports(client, tmp_path):
    batch = import_talents_csv(write(tmp_path, [*good_rows(), BAD["unknown field"][0]]))
    _login(client, "official")
    counts = client.get("/api/v1/talent/counts/").json()
    assert counts == json.loads(json.dumps(selectors.region_counts()))
    page = client.get("/api/v1/talent/talents/", {"tier": "B1"}).json()
    assert page["count"] == 1 and page["results"][0]["tier"] == "B1"
    assert page["results"][0]["affiliation_credit_code"] == FIRMS[0]
    assert page["results"][0]["pseudonymous_id"] == by_source_id()["T0000001"].pseudonymous_id
    unplaced = client.get("/api/v1/talent/talents/", {"tier": "none"}).json()
    assert [r["pseudonymous_id"] for r in unplaced["results"]] == [by_source_id()["T0000003"].pseudonymous_id]
    everyone = client.get("/api/v1/talent/talents/", {"cluster": "optics-valley"})
    assert everyone.json()["count"] == 2 and b"T000000" not in everyone.content  # no office ids
    imports = client.get("/api/v1/talent/imports/").json()["results"]
    assert imports[0]["id"] == batch.pk and imports[0]["quarantine_reasons"] == {"unknown field": 1}
    assert client.post("/api/v1/talent/counts/").status_code in (403, 405)  # read-only


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for url in API:
        assert url in schema["paths"] and list(schema["paths"][url]) == ["get"]
    counts = schema["paths"]["/api/v1/talent/counts/"]["get"]
    assert "200" in counts["responses"] and counts["operationId"] == "talent_counts"
