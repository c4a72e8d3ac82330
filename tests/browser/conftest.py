"""Browser tests: the ``playwright`` package drives Debian's chromium (never ``playwright install``)
against pytest-django's ``live_server``. Screenshots go to ``screenshots/`` (gitignored)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "platform"))  # platform_synth, shared with the platform tests
from platform_synth import synth_filings  # noqa: E402

SHOTS = REPO / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/system-deps.sh (apt-get install chromium fonts-noto-cjk)")
    # playwright's sync API runs an event loop in this thread; the tests' own ORM calls are synchronous
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def region(transactional_db, settings):
    """A small region: reference data, 60 enterprises with four years of filings, a scoring run, a
    ladder run, the roles, a consent."""
    from django.utils import timezone

    from innoregion.apps.access import services
    from innoregion.apps.access.models import Role
    from innoregion.apps.region.models import Cluster, Enterprise, Zone
    from innoregion.apps.region.services import load_reference_data
    from innoregion.data.creditcode import make_code

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_reference_data()
    clusters, zones = list(Cluster.objects.all()), list(Zone.objects.exclude(kind="circle"))
    ents = []
    for i in range(60):
        ents.append(Enterprise.objects.create(
            credit_code=make_code("9", "1", "220100", f"{i + 1:08d}"), name_zh=f"长春示例{i + 1}号科技有限公司",
            name_en=f"Changchun Example {i + 1} Tech", name_ko=f"창춘 예시 {i + 1} 기술",
            founded=dt.date(2008 + i % 17, 1 + i % 12, 1), industry="C39", cluster=clusters[i % len(clusters)],
            zone=zones[i % len(zones)]))
    synth_filings(ents, years=(2022, 2023, 2024, 2025))
    from innoregion.apps.ladder.services import facts_from_db, run_ladder
    from innoregion.apps.points.services import score_region

    score_region("changchun-new-area", 2025)
    run_ladder(facts_from_db(2025), 2025)
    password = secrets.token_urlsafe(12)
    bank = services.create_bank("Jilin Demo Bank", "jilin-demo")
    users = {"official": services.create_user("official", password, Role.OFFICIAL),
             "ent_a": services.create_user("ent_a", password, Role.ENTERPRISE, enterprise=ents[0]),
             "bank": services.create_user("bank", password, Role.BANK, bank=bank)}
    services.grant_consent(ents[0], bank, ["summary"], "working capital", timezone.now() + dt.timedelta(days=90),
                           users["ent_a"])
    return {"password": password, "a": ents[0], "b": ents[1], "bank": bank, "users": users}


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form[action='/accounts/login/'] button[type=submit]")
