"""Each role in a real browser: sees what it may and nothing else; the language switcher; the
what-if form; screenshots go to screenshots/ (the README's picture comes from the full demo)."""

from __future__ import annotations

import pytest
from conftest import login

pytestmark = pytest.mark.browser


def _nav(page) -> list[str]:
    return [t.strip() for t in page.locator("nav.main a").all_inner_texts()]


def test_official_cockpit_and_languages(live_server, page, region, shot):
    base = live_server.url
    login(page, base, "official", region["password"])
    assert page.url.rstrip("/") == base
    assert "Cockpit: the eight tasks of the action plan" in page.content()
    assert page.locator("section.task").count() == 8
    assert page.locator("#task-layout svg.map path").count() >= 6  # the zones map, from the polygons
    assert {"Cockpit", "Enterprises", "Score runs", "Imports", "Audit log"} <= set(_nav(page))
    # no request leaves the machine: every resource is ours
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert external == []
    shot(page, "cockpit-en")
    with page.expect_navigation():
        page.select_option("#lang-select", "ko")
    assert "대시보드: 행동계획의 8대 과제" in page.content()
    assert "기업" in _nav(page)
    shot(page, "cockpit-ko")
    with page.expect_navigation():
        page.select_option("#lang-select", "zh-hans")
    assert "驾驶舱：行动方案八大任务" in page.content()
    assert "企业" in _nav(page)
    shot(page, "cockpit-zh")
    page.goto(f"{base}/enterprises/?q=%E7%A4%BA%E4%BE%8B1")
    assert page.locator("tbody tr").count() >= 1
    shot(page, "enterprises-zh")


def test_enterprise_sees_only_itself_and_uses_what_if(live_server, page, region, shot):
    base = live_server.url
    login(page, base, "ent_a", region["password"])
    assert page.url.endswith("/access/portal/")
    assert region["a"].credit_code in page.content()
    assert "Enterprises" not in _nav(page) and "Cockpit" not in _nav(page)
    assert "Jilin Demo Bank" in page.locator("#consents").inner_text()
    shot(page, "portal")
    for forbidden in ("/", "/enterprises/", "/access/audit/", "/data/imports/", "/access/tokens/"):
        page.goto(base + forbidden)
        assert region["a"].name_en not in page.content() or forbidden == "/"
        assert page.url.endswith("/access/portal/") or "Not allowed" in page.content(), forbidden
    resp = page.goto(f"{base}/enterprises/{region['b'].pk}/")
    assert resp.status == 404 and region["b"].credit_code not in page.content()
    page.goto(f"{base}/enterprises/{region['a'].pk}/")
    assert "Filings and their sources" in page.content()
    assert page.locator("#points svg.chart rect").count() > 3  # the breakdown chart
    page.select_option("#id_indicator", index=0)
    page.select_option("#id_target", "points")
    page.fill("#id_points", "2")
    with page.expect_navigation():
        page.click("#whatif button[type=submit]")
    result = page.locator(".whatif-result").inner_text()
    assert result.strip(), "the what-if gave no answer"
    shot(page, "enterprise-whatif")
    # revoke the consent from the portal
    page.goto(f"{base}/access/portal/")
    with page.expect_navigation():
        page.click("#consents form[action*='/revoke/'] button[type=submit]")
    assert "Consent revoked." in page.content()
    assert "revoked" in page.locator("#consents").inner_text()


def test_bank_sees_its_tokens_and_consents_only(live_server, page, region, shot):
    base = live_server.url
    login(page, base, "bank", region["password"])
    assert page.url.endswith("/access/tokens/")
    assert region["a"].credit_code in page.content() and region["b"].credit_code not in page.content()
    page.fill("#id_name", "browser")
    page.check("input[name=scopes][value=summary]")
    with page.expect_navigation():
        page.click("form:has(#id_name) button[type=submit]")
    raw = page.locator("#new-token").inner_text().strip()
    assert raw.startswith("irk_")
    shot(page, "bank-tokens")
    for forbidden in ("/enterprises/", f"/enterprises/{region['a'].pk}/", "/access/portal/", "/access/audit/"):
        page.goto(base + forbidden)
        assert "Not allowed" in page.content() or "Not found" in page.content(), forbidden
    resp = page.request.get(f"{base}/api/v1/enterprises/", headers={"Authorization": f"Bearer {raw}"})
    assert resp.status == 200
    assert [r["credit_code"] for r in resp.json()["results"]] == [region["a"].credit_code]


def test_anonymous_is_sent_to_login(live_server, page, region):
    page.goto(live_server.url + "/enterprises/")
    assert "/accounts/login/" in page.url
    page.goto(live_server.url + "/access/portal/")
    assert "/accounts/login/" in page.url
