"""The role × endpoint matrix. Every URL pattern and API route is enumerated from the resolver, so
a new page or endpoint that answers an anonymous visitor, or a role it should not, fails here."""

from __future__ import annotations

import pytest
from urlwalk import walk

# Reachable without logging in (no data behind them).
PUBLIC = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "set_language", "schema", "api-docs", "api-redoc", "admin:login",
    "admin:logout", "admin:password_reset",
    # talent app, public by design: a landing page without data, and what offline verifiers need
    # (the signed credential status list and the issuer public keys; no personal data)
    "talent:index", "talent:status-list", "talent:keys",
    # matchmaking, public by design: the published list of application scenarios (场景清单) and of
    # capabilities (能力清单) that the plan asks to publish; rows still come through restrict()
    "matchmaking:scenarios", "matchmaking:scenario", "matchmaking:capabilities", "matchmaking:capability",
}

ROLES = ("official", "admin", "ent_a", "bank")

# url name -> roles (session login) allowed to GET it. Pages with an object id get enterprise A's
# objects; enterprise B's user is checked separately.
MATRIX = {
    "cockpit:home": {"official", "admin", "ent_a", "bank"},  # enterprise and bank: sent to their page
    "region:enterprises": {"official", "admin"},
    "region:enterprise": {"official", "admin", "ent_a"},
    "points:methodology": {"official", "admin", "ent_a"},
    "points:runs": {"official", "admin"},
    "points:run-diff": {"official", "admin"},
    "imports:imports": {"official", "admin"},
    "imports:import-detail": {"official", "admin"},
    "imports:import-rejected": {"official", "admin"},
    "access:portal": {"ent_a"},
    "access:tokens": {"bank"},
    "access:audit": {"official", "admin"},
    "access:revoke-consent": set(),  # POST only
    "access:revoke-token": set(),  # POST only
    "finance:applications": {"official", "admin", "ent_a", "bank"},
    "password_change": {"official", "admin", "ent_a", "bank"},
    "password_change_done": {"official", "admin", "ent_a", "bank"},
    "ladder:overview": {"official", "admin"},
    "ladder:benefits-xlsx": {"official", "admin"},
    "matchmaking:scenario-new": {"official", "admin"},
    "matchmaking:scenario-edit": {"official", "admin"},
    "matchmaking:review": {"official", "admin"},
    "matchmaking:capability-new": {"ent_a"},
    "matchmaking:capability-edit": {"ent_a"},
    "matchmaking:scenario-propose": set(),  # POST only
    "matchmaking:decide": set(),  # POST only
    "matchmaking:train": set(),  # POST only
    "talent:registry": {"official", "admin"},
    "talent:detail": {"official", "admin"},
    "talent:counts": {"official", "admin"},
    "talent:verify": {"official", "admin"},
    "talent-api:counts": {"official", "admin"},
    "talent-api:talents": {"official", "admin"},
    "talent-api:imports": {"official", "admin"},
    "talent:action": set(),  # POST only
    "talent:my-code": {"official", "admin", "ent_a", "bank"},  # says when the user holds no code
    "talent:my-code-png": {"official", "admin", "ent_a", "bank"},
    "talent:my-code-text": {"official", "admin", "ent_a", "bank"},
    "jobs:list": {"official", "admin"},
    "jobs:start": {"official", "admin"},
    "jobs:detail": {"official", "admin"},
    "jobs:progress": {"official", "admin"},
    "jobs:download": {"official", "admin"},
    "jobs:retry": set(),  # POST only
    "jobs-api:job-list": {"official", "admin"},
    "jobs-api:job-detail": {"official", "admin"},
}
# Pages about one object the test world does not hold (a benefit run, a scenario, a talent, a
# talent code of the signed-in user): an allowed role gets 404, a refused one 403 or the login page.
NO_OBJECT_IN_WORLD = {"ladder:benefits-xlsx", "matchmaking:scenario-edit", "matchmaking:capability-edit",
                      "talent:detail", "talent:my-code-png", "talent:my-code-text",
                      "jobs:start", "jobs:detail", "jobs:progress", "jobs:download", "jobs-api:job-detail"}
# The bank API (URL names "api:..." under /api/v1/): only a bank token, never a session, opens it.
# The session-authenticated APIs under /api/v1/ (talent, jobs) are declared in MATRIX like pages.
API_PREFIX = "/api/v1/"
BANK_API = "api:"


def _values(world):
    return {"pk": world["a"].pk, "credit_code": world["a"].credit_code, "fmt": "csv", "kind": "credit"}


# URL names whose ``pk`` is not an enterprise's
OTHER_PK = {"imports:import-detail": "batch", "imports:import-rejected": "batch",
            "access:revoke-consent": "consent"}


def _paths(world):
    from django.urls import reverse

    out = []
    for path, name, route in walk(_values(world)):
        if name in OTHER_PK:
            path = reverse(name, kwargs={"pk": world[OTHER_PK[name]].pk})
        out.append((path, name, route))
    return out


def _denied(resp) -> bool:
    if resp.status_code in (401, 403, 404):
        return True
    return resp.status_code == 302 and "login" in resp.get("Location", "")


def test_every_url_is_enumerated(world):
    names = {name for _p, name, _r in _paths(world)}
    for expected in MATRIX:
        assert expected in names, f"{expected} missing from the URL conf"
    # Every page must be declared: a new URL fails here until its roles are written down.
    undeclared = sorted(name for path, name, _r in _paths(world)
                        if not (name or "").startswith(BANK_API) and not path.startswith("/admin/")
                        and name not in MATRIX and name not in PUBLIC)
    assert not undeclared, f"URL names without a role declaration in MATRIX or PUBLIC: {undeclared}"
    assert any(p.startswith(API_PREFIX) for p, _n, _r in _paths(world))


def test_anonymous_is_refused_everywhere_but_public_pages(world, client):
    checked = 0
    for path, name, route in _paths(world):
        if name in PUBLIC:
            continue
        get, post = client.get(path), client.post(path)
        for method, resp in (("GET", get), ("POST", post)):
            assert _denied(resp) or resp.status_code == 405, \
                f"anonymous {method} {path} ({name or route}) answered {resp.status_code}"
        assert not (get.status_code == 405 and post.status_code == 405), f"{path} refuses every method"
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, client, role):
    client.force_login(world["users"][role])
    for path, name, _route in _paths(world):
        resp = client.get(path)
        assert resp.status_code < 500, f"{role} GET {path}: {resp.status_code}"
        if (name or "").startswith(BANK_API):
            assert resp.status_code in (401, 403), f"{role} session reached the bank API {path}"
        elif name.startswith("admin:") and name not in PUBLIC:
            if role != "admin":
                assert resp.status_code == 302 and "login" in resp["Location"], f"{role} reached {path}"
        elif name in MATRIX:
            allowed = role in MATRIX[name]
            if allowed:
                ok = resp.status_code == 200 or (resp.status_code == 302 and "login" not in resp["Location"])
                if name == "points:run-diff" or name in NO_OBJECT_IN_WORLD:
                    ok = ok or resp.status_code == 404  # no such object in the test world
                assert ok, f"{role} should reach {path} ({name}): {resp.status_code}"
            else:
                assert _denied(resp) or resp.status_code == 405, f"{role} must not reach {path} ({name})"


def test_enterprise_a_cannot_see_b(world, client, api):
    a, b = world["a"], world["b"]
    client.force_login(world["users"]["ent_a"])
    assert client.get(f"/enterprises/{a.pk}/").status_code == 200
    assert client.get(f"/enterprises/{b.pk}/").status_code == 404
    assert client.post(f"/enterprises/{b.pk}/", {"indicator": "revenue", "value": 1}).status_code == 404
    page = client.get("/access/portal/").content.decode()
    assert b.credit_code not in page and b.name_zh not in page
    client.force_login(world["users"]["ent_b"])
    assert client.post(f"/access/consents/{world['consent'].pk}/revoke/").status_code == 404
    world["consent"].refresh_from_db()
    assert world["consent"].revoked_at is None
    # API objects of B through A's consenting bank: not visible
    for suffix in ("", "breakdown/", "filings/"):
        assert api(client, world["token"], f"/api/v1/enterprises/{b.credit_code}/{suffix}").status_code == 404


def test_bank_with_and_without_consent(world, client, api):
    a, b = world["a"], world["b"]
    r = api(client, world["token"], "/api/v1/enterprises/")
    assert r.status_code == 200
    assert [x["credit_code"] for x in r.json()["results"]] == [a.credit_code]
    assert api(client, world["token"], f"/api/v1/enterprises/{a.credit_code}/").status_code == 200
    assert api(client, world["token"], f"/api/v1/enterprises/{a.credit_code}/breakdown/").status_code == 200
    # the consent does not carry "filings"
    assert api(client, world["token"], f"/api/v1/enterprises/{a.credit_code}/filings/").status_code == 404
    # the second bank has no consent at all
    r2 = api(client, world["token2"], "/api/v1/enterprises/")
    assert r2.status_code == 200 and r2.json()["results"] == []
    assert api(client, world["token2"], f"/api/v1/enterprises/{a.credit_code}/").status_code == 404
    csv_text = api(client, world["token2"], "/api/v1/whitelist.csv").content.decode("utf-8-sig")
    assert a.credit_code not in csv_text and b.credit_code not in csv_text


def test_bank_after_revocation_and_after_expiry(world, client, api):
    from django.utils import timezone

    from innoregion.apps.access import services
    from innoregion.apps.access.models import AuditEntry, Consent

    a = world["a"]
    url = f"/api/v1/enterprises/{a.credit_code}/"
    assert api(client, world["token"], url).status_code == 200
    read = AuditEntry.objects.filter(action="bank.read.summary", enterprise=a).first()
    assert read is not None and read.consent_id == world["consent"].pk and read.bank_id == world["bank"].pk
    services.revoke_consent(world["consent"], world["users"]["ent_a"])
    assert api(client, world["token"], url).status_code == 404
    assert api(client, world["token"], "/api/v1/enterprises/").json()["results"] == []
    # a new consent that has expired since
    c = services.grant_consent(a, world["bank"], ["summary"], "loan", timezone.now() + timezone.timedelta(days=1),
                               world["users"]["ent_a"])
    assert api(client, world["token"], url).status_code == 200
    Consent.objects.filter(pk=c.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert api(client, world["token"], url).status_code == 404
    assert a.credit_code not in api(client, world["token"], "/api/v1/whitelist.csv").content.decode("utf-8-sig")


def test_tokens_hashed_scoped_expiring(world, client, api):
    from django.utils import timezone

    from innoregion.apps.access import services
    from innoregion.apps.access.models import ApiToken, hash_token

    raw = world["token"]
    token = ApiToken.objects.get(digest=hash_token(raw))
    assert raw not in str(list(ApiToken.objects.values_list()))
    assert len(token.digest) == 64 and token.prefix == raw[:10]
    url = f"/api/v1/enterprises/{world['a'].credit_code}/breakdown/"
    assert api(client, raw[:-1] + ("A" if raw[-1] != "A" else "B"), url).status_code == 401
    assert client.get(url).status_code == 401
    _t, summary_only = services.create_api_token(world["bank"], world["users"]["bank"], "s", ["summary"])
    assert api(client, summary_only, url).status_code == 403
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert api(client, raw, url).status_code == 401
    services.revoke_api_token(_t, world["users"]["bank"])
    assert api(client, summary_only, f"/api/v1/enterprises/{world['a'].credit_code}/").status_code == 401


def test_token_page_shows_token_once(world, client):
    from innoregion.apps.access.models import ApiToken

    client.force_login(world["users"]["bank"])
    r = client.post("/access/tokens/", {"name": "ops", "scopes": ["summary"], "days": 30})
    assert r.status_code == 200
    token = ApiToken.objects.get(name="ops")
    html = r.content.decode()
    start = html.index('id="new-token">') + len('id="new-token">')
    raw = html[start:html.index("<", start)]
    from innoregion.apps.access.models import hash_token

    assert hash_token(raw) == token.digest
    assert raw not in client.get("/access/tokens/").content.decode()
