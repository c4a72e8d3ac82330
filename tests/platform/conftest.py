"""Fixtures of the platform tests: two enterprises (A, B), an official, an administrator, an
enterprise user for each, two banks (one with A's consent), API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from innoregion.data.creditcode import make_code

PASSWORD = secrets.token_urlsafe(16)  # per test session, never stored


def _enterprise(i: int, name: str, cluster=None, zone=None):
    from innoregion.apps.region.models import Enterprise

    code = make_code("9", "1", "220100", f"{i:08d}")
    return Enterprise.objects.create(credit_code=code, name_zh=f"{name}公司", name_en=f"{name} Co.",
                                     name_ko=f"{name} 회사", founded=dt.date(2015 + i % 8, 1, 1), industry="C39",
                                     cluster=cluster, zone=zone)


@pytest.fixture
def world(db):
    from innoregion.apps.access import services
    from innoregion.apps.access.models import Role
    from innoregion.apps.imports.models import ImportBatch
    from innoregion.apps.region.models import Cluster, Filing, Indicator, Zone
    from innoregion.apps.region.services import load_reference_data

    load_reference_data()
    cluster = Cluster.objects.get(code="optics-valley")
    zone = Zone.objects.get(code="north")
    a = _enterprise(1, "甲", cluster, zone)
    b = _enterprise(2, "乙", cluster, zone)
    batch = ImportBatch.objects.create(source="tax", file_name="tax-2025.csv", sha256="0" * 64, raw_path="x",
                                       status="imported", started_at=timezone.now())
    ind = Indicator.objects.get(code="revenue")
    for e, v in ((a, 1.5e7), (b, 2.5e7)):
        Filing.objects.create(enterprise=e, year=2025, indicator=ind, source="tax", value=v, batch=batch,
                              row_number=2)
    bank = services.create_bank("First Bank", "first")
    bank2 = services.create_bank("Second Bank", "second")
    users = {
        "official": services.create_user("official", PASSWORD, Role.OFFICIAL),
        "admin": services.create_user("admin", PASSWORD, Role.ADMIN),
        "ent_a": services.create_user("ent_a", PASSWORD, Role.ENTERPRISE, enterprise=a),
        "ent_b": services.create_user("ent_b", PASSWORD, Role.ENTERPRISE, enterprise=b),
        "bank": services.create_user("bank", PASSWORD, Role.BANK, bank=bank),
        "bank2": services.create_user("bank2", PASSWORD, Role.BANK, bank=bank2),
    }
    consent = services.grant_consent(a, bank, ["summary", "breakdown"], "working-capital loan",
                                     timezone.now() + dt.timedelta(days=30), users["ent_a"])
    _t, token = services.create_api_token(bank, users["bank"], "test", ["summary", "breakdown", "filings"])
    _t2, token2 = services.create_api_token(bank2, users["bank2"], "test", ["summary", "breakdown", "filings"])
    return {"a": a, "b": b, "bank": bank, "bank2": bank2, "users": users, "consent": consent, "token": token,
            "token2": token2, "batch": batch}


def api_get(client, token, path, **extra):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


@pytest.fixture
def api():
    return api_get


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"  # pages in English unless a test asks for another language


@pytest.fixture
def scored(world):
    """World plus 40 more enterprises with filings for every indicator and one scoring run."""
    from platform_synth import synth_filings

    from innoregion.apps.points.services import score_region
    from innoregion.apps.region.models import Cluster, Zone

    clusters, zones = list(Cluster.objects.all()), list(Zone.objects.exclude(kind="circle"))
    ents = [world["a"], world["b"]] + [_enterprise(10 + i, f"丙{i}", clusters[i % len(clusters)],
                                                   zones[i % len(zones)]) for i in range(40)]
    synth_filings(ents)
    world["run"] = score_region("changchun-new-area", 2025)
    from innoregion.apps.ladder.services import facts_from_db, run_ladder

    world["ladder_run"] = run_ladder(facts_from_db(2025), 2025)
    return world
