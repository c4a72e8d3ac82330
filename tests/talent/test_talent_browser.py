"""The "my code" page in a real browser (Debian chromium through playwright): the QR image and the
code text are replaced by freshly signed ones every 30 s, by the page's own script."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def holder(transactional_db, settings, tmp_path):
    from django.contrib.auth.models import User

    from innoregion.apps.talent import services
    from innoregion.apps.talent.models import Talent

    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user("talent-browser", password=password)
    talent = Talent.objects.create(user=user, field="biopharma", titles=["provincial_leading_talent"])
    services.place(talent)
    services.issue(talent)
    return {"username": user.username, "password": password}


def test_my_code_refreshes_every_30_seconds(live_server, holder):
    from playwright.sync_api import sync_playwright

    from innoregion.apps.talent import services
    from innoregion.engines.credentials import qr

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/system-deps.sh")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/?next=/talent/me/")
        page.fill("#id_username", holder["username"])
        page.fill("#id_password", holder["password"])
        with page.expect_navigation():
            page.click("form[action^='/accounts/login/'] button[type=submit]")
        page.clock.install()
        page.goto(f"{live_server.url}/talent/me/")
        page.wait_for_function("document.getElementById('talent-code-img').naturalWidth > 0")
        first_src = page.get_attribute("#talent-code-img", "src")
        first_text = page.input_value("#talent-code-text")
        with page.expect_response(lambda r: "/talent/me/code.png?t=" in r.url) as png_response:
            page.clock.run_for(31_000)
        png = png_response.value.body()
        page.wait_for_function(f"document.getElementById('talent-code-text').value !== {first_text!r}")
        new_text = page.input_value("#talent-code-text")
        assert page.get_attribute("#talent-code-img", "src") != first_src
        context.close()
        browser.close()
    # verified after the playwright block: inside it, code runs in playwright's greenlet, whose own
    # database connection (Django keeps one per context) would outlive the test and block the
    # test database's teardown on PostgreSQL
    assert services.verify_text(first_text).valid
    assert new_text != first_text and services.verify_text(new_text).valid
    assert qr.decode_image(png).startswith("TC1:")
