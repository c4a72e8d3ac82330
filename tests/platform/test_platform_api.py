"""The bank API beyond the matrix: errors in the client's language, the white-list export (CSV and
XLSX, formula-injection safe), throttling, financing applications, the OpenAPI schema, demo users."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone


@pytest.mark.parametrize("lang,expected", [("ko", "인증 정보가 제공되지 않았습니다."),
                                           ("zh-hans", "未提供身份认证信息。"),
                                           ("en", "Authentication credentials were not provided.")])
def test_errors_in_client_language(world, client, lang, expected):
    resp = client.get("/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE=lang)
    assert resp.status_code == 401
    assert resp.json()["detail"] == expected


def test_not_shared_error_in_korean(world, client, api):
    resp = api(client, world["token2"], f"/api/v1/enterprises/{world['a'].credit_code}/", HTTP_ACCEPT_LANGUAGE="ko")
    assert resp.status_code == 404
    assert resp.json()["detail"] == "찾을 수 없거나 귀 은행과 공유되지 않은 자료입니다."


def test_whitelist_is_formula_injection_safe(world, client, api):
    from openpyxl import load_workbook

    a = world["a"]
    a.name_zh = "=HYPERLINK(\"http://evil.example\",\"x\")"
    a.name_en = "+cmd|' /C calc'!A0"
    a.save()
    text = api(client, world["token"], "/api/v1/whitelist.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["credit_code", "name_zh", "name_en"]
    assert rows[1][1].startswith("'=") and rows[1][2].startswith("'+")
    resp = api(client, world["token"], "/api/v1/whitelist.xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [c.value for c in ws[2]]
    assert values[0] == a.credit_code and values[1].startswith("'=") and values[2].startswith("'+")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert api(client, world["token"], "/api/v1/whitelist.pdf").status_code == 404


def test_safe_cell_keeps_numbers_and_plain_text():
    from innoregion.exports import safe_cell

    assert safe_cell(12.5) == 12.5 and safe_cell(-3) == -3
    assert safe_cell("plain") == "plain"
    for bad in ("=1+1", "-2+3", "@SUM(A1)", "\t=x", "＝1"):
        assert safe_cell(bad) == "'" + bad


def test_bank_reads_are_audited_for_the_enterprise(world, client, api):
    from innoregion.apps.access.models import AuditEntry

    api(client, world["token"], "/api/v1/enterprises/")
    api(client, world["token"], f"/api/v1/enterprises/{world['a'].credit_code}/breakdown/")
    reads = AuditEntry.objects.filter(enterprise=world["a"], action__startswith="bank.read")
    assert {e.action for e in reads} == {"bank.read.summary", "bank.read.breakdown"}
    assert all(e.consent_id == world["consent"].pk and e.bank_id == world["bank"].pk for e in reads)
    client.force_login(world["users"]["ent_a"])
    page = client.get("/access/portal/").content.decode()
    assert "bank read the points breakdown" in page and "First Bank" in page
    client.force_login(world["users"]["ent_b"])
    assert "bank.read" not in client.get("/access/portal/").content.decode()


def test_throttling(world, client, api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.INNOREGION_BANK_API_RATE = "3/min"
    codes = [api(client, world["token"], "/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    resp = api(client, world["token"], "/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请求过多" in resp.json()["detail"]
    cache.clear()


def test_financing_needs_consent_and_tracks_registration(world, client, api):
    from decimal import Decimal

    from django.core.exceptions import PermissionDenied, ValidationError

    from innoregion.apps.finance import services
    from innoregion.apps.finance.models import PledgeApplication

    ent_user = world["users"]["ent_a"]
    with pytest.raises(ValidationError):  # no consent to the second bank
        services.submit_credit_application(world["a"], world["bank2"], Decimal("100000"), ent_user)
    with pytest.raises(PermissionDenied):  # B's user cannot apply for A
        services.submit_credit_application(world["a"], world["bank"], Decimal("100000"), world["users"]["ent_b"])
    credit = services.submit_credit_application(world["a"], world["bank"], Decimal("500000"), ent_user)
    pledge = services.submit_pledge_application(world["a"], world["bank"], "ip", "ZL2023 1 0000001.X",
                                                Decimal("2000000"), ent_user)
    listed = api(client, world["token"], "/api/v1/applications/").json()
    assert {x["id"] for x in listed} == {credit.pk, pledge.pk}
    assert api(client, world["token2"], "/api/v1/applications/").json() == []
    url = f"/api/v1/applications/pledge/{pledge.pk}/"
    resp = client.patch(url, {"registration_status": "registered", "registration_number": "Z-2026-001"},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    assert resp.status_code == 200, resp.content
    pledge.refresh_from_db()
    assert pledge.registration_status == PledgeApplication.Registration.REGISTERED
    bad = client.patch(url, {"status": "approved"}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {world['token2']}")
    assert bad.status_code == 404
    # the enterprise user applies through the page
    client.force_login(ent_user)
    r = client.post("/finance/applications/", {"kind": "equity", "bank": world["bank"].pk, "amount": "300000",
                                               "pledged": "10% of shares"})
    assert r.status_code == 302
    assert PledgeApplication.objects.filter(kind="equity", enterprise=world["a"]).exists()


def test_openapi_schema(world, client):
    resp = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    import json

    schema = json.loads(resp.content)
    assert "/api/v1/enterprises/" in schema["paths"]
    assert "bankToken" in schema["components"]["securitySchemes"]
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


def test_create_demo_users(db):
    from django.contrib.auth import authenticate

    from innoregion.apps.access.models import ApiToken, hash_token
    from innoregion.apps.access.services import create_demo_users
    from innoregion.apps.region.models import Enterprise
    from innoregion.data.creditcode import make_code

    ent = Enterprise.objects.create(credit_code=make_code("9", "1", "220100", "00000077"), name_zh="示例",
                                    founded=dt.date(2020, 1, 1), industry="C27")
    printed = []
    creds = create_demo_users(stdout=printed.append)
    assert set(creds) == {"official", "admin", "bank", "enterprise"}
    for c in creds.values():
        assert authenticate(username=c["username"], password=c["password"]) is not None
        assert any(c["password"] in line for line in printed)
    token = ApiToken.objects.get(digest=hash_token(creds["bank"]["api_token"]))
    assert token.expires_at > timezone.now()
    assert creds["enterprise"]["enterprise"] == ent.credit_code
    again = create_demo_users(stdout=None)  # idempotent: passwords reset
    assert authenticate(username="official", password=again["official"]["password"]) is not None
