"""CSRF on every form, production cookie settings, ``check --deploy``, no secret in the
repository, the append-only audit log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from urlwalk import walk

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("role", ["official", "ent_a", "bank", None])
def test_csrf_enforced_on_every_post(world, role):
    """Every non-API URL refuses a POST without a CSRF token (session-cookie forms)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    if role:
        client.force_login(world["users"][role])
    values = {"pk": world["a"].pk, "credit_code": world["a"].credit_code, "fmt": "csv", "kind": "credit"}
    checked = 0
    for path, name, _route in walk(values):
        if path.startswith("/api/"):
            continue  # token-authenticated API: no cookies, so no CSRF
        resp = client.post(path, {"x": "1"})
        assert resp.status_code in (403, 405), f"POST {path} ({name}) without CSRF token: {resp.status_code}"
        if resp.status_code == 403 and name in ("login", "set_language", "access:portal", "access:tokens",
                                                  "region:enterprise", "imports:imports"):
            assert b"CSRF" in resp.content, f"{path} refused for another reason than CSRF"
        checked += 1
    assert checked > 20


def test_form_with_csrf_token_works(world):
    """The positive case: the grant form posts with its token and the consent exists."""
    from django.test import Client

    from innoregion.apps.access.models import Consent

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["ent_a"])
    page = client.get("/access/portal/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    resp = client.post("/access/portal/", {"csrfmiddlewaretoken": token, "bank": world["bank2"].pk,
                                           "scopes": ["summary"], "purpose": "equipment loan",
                                           "expires_on": "2099-01-01"})
    assert resp.status_code == 302
    assert Consent.objects.filter(enterprise=world["a"], bank=world["bank2"], purpose="equipment loan").exists()


def _production_env(**extra) -> dict:
    # not the test-only switches (DATABASE_URL of the test run, the browser tests' async override)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"INNOREGION_ENV": "production", "SECRET_KEY": "k" * 20 + "-Zq8!x#3vL0pR7sT2wY5uB9nC4mF6hJ1dG",
                "ALLOWED_HOSTS": "innoregion.example.org", "DJANGO_SETTINGS_MODULE": "innoregion.site.settings",
                "INNOREGION_DATA_DIR": str(REPO / "var" / "test-production")})
    env.update(extra)
    return env


def test_secure_cookies_in_production():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.DEBUG, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)")
    out = subprocess.run([sys.executable, "-c", code], env=_production_env(), capture_output=True, text=True,
                         timeout=60, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "True", "False", "True", "True"]


def test_check_deploy_clean_in_production():
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         env=_production_env(), capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    re.compile(r"\birk_[A-Za-z0-9_-]{30,}"),  # our API tokens
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"(?i)\b(?:secret_key|password|passwd)\s*[:=]\s*['\"][^'\"\s]{12,}['\"]"),
]


def _repository_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.split(b"\0")
    return [REPO / p.decode() for p in listed if p]


def test_no_secret_in_repository():
    files = _repository_files()
    assert len(files) > 50
    found = []
    for path in files:
        if not path.is_file() or path.stat().st_size > 2_000_000 or path.suffix in (".mo", ".png", ".xlsx"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for pat in SECRET_PATTERNS:
            for m in pat.finditer(text):
                if path.name == Path(__file__).name:
                    continue  # the patterns themselves
                found.append(f"{path.relative_to(REPO)}: {m.group(0)[:40]}")
    assert not found, "secrets in the repository:\n" + "\n".join(found)


def test_secret_scan_can_fail(tmp_path):
    sample = "password = 'hunter2-but-longer-than-12'\n-----BEGIN PRIVATE KEY-----\n"
    hits = [p.pattern for p in SECRET_PATTERNS if p.search(sample)]
    assert len(hits) == 2


def test_audit_is_append_only(world):
    from innoregion.apps.access import audit
    from innoregion.apps.access.models import AuditEntry, AuditError

    entry = audit.record(world["users"]["official"], "test.action", world["a"], before={"x": 1}, after={"x": 2})
    assert entry.enterprise_id == world["a"].pk and entry.actor_label == "official"
    entry.action = "tampered"
    with pytest.raises(AuditError):
        entry.save()
    with pytest.raises(AuditError):
        entry.delete()
    with pytest.raises(AuditError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(AuditError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        for sql in ("UPDATE access_auditentry SET action = 'x' WHERE id = %s",
                    "DELETE FROM access_auditentry WHERE id = %s"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [entry.pk])
        assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_every_change_is_audited(world):
    from innoregion.apps.access.models import AuditEntry

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"bank.create", "user.create", "consent.grant", "token.create"} <= actions
    grant = AuditEntry.objects.get(action="consent.grant")
    assert grant.enterprise_id == world["a"].pk and grant.consent_id == world["consent"].pk
    assert grant.after["scopes"] == ["summary", "breakdown"]
