"""Fixtures of the jobs tests: a few enterprises, an official, an administrator, an enterprise user,
a bank user; the tests' job kinds (jobkinds.py); helpers to run a worker."""

from __future__ import annotations

import datetime as dt
import secrets

import jobkinds  # noqa: F401  (registers the tests' job kinds)
import pytest

from innoregion.data.creditcode import make_code

PASSWORD = secrets.token_urlsafe(16)  # per test session, never stored


@pytest.fixture(autouse=True)
def _fast_passwords_english(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"


def make_enterprise(i: int, name: str):
    from innoregion.apps.region.models import Enterprise

    return Enterprise.objects.create(credit_code=make_code("9", "1", "220100", f"{i:08d}"), name_zh=name,
                                     name_en=f"{name} Co.", founded=dt.date(2016, 1, 1), industry="C39")


@pytest.fixture
def people():
    """Two enterprises and one user of each role (the test marks the database use)."""
    from innoregion.apps.access import services
    from innoregion.apps.access.models import Role

    a, b = make_enterprise(1, "甲"), make_enterprise(2, "乙")
    bank = services.create_bank("First Bank", "first")
    users = {
        "official": services.create_user("official", PASSWORD, Role.OFFICIAL),
        "official2": services.create_user("official2", PASSWORD, Role.OFFICIAL),
        "admin": services.create_user("admin", PASSWORD, Role.ADMIN),
        "ent": services.create_user("ent", PASSWORD, Role.ENTERPRISE, enterprise=a),
        "bank": services.create_user("bank", PASSWORD, Role.BANK, bank=bank),
    }
    return {"a": a, "b": b, "bank": bank, "users": users, "password": PASSWORD}


@pytest.fixture
def login(client, people):
    def as_(role: str):
        client.force_login(people["users"][role])
        return client

    return as_
