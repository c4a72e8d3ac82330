"""Every page and endpoint has a query-count budget: the number of SQL queries one request may
make, on the ``scored`` world (42 enterprises, a scoring and a ladder run), for each role that may
open it. A regression that reads per row or per indicator fails here; a new URL fails until its
budget is written down. Budgets are for a warm process (the per-process cache filled by a first
request); session and user reads count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_platform_matrix import MATRIX, PUBLIC, _paths

pytestmark = pytest.mark.django_db

# url name -> the most queries one GET may make, whoever asks
BUDGETS = {
    "cockpit:home": 36,
    "region:enterprises": 14,
    "region:enterprise": 12,
    "points:methodology": 6,
    "points:runs": 6,
    "points:run-diff": 8,
    "imports:imports": 6,
    "imports:import-detail": 6,
    "imports:import-rejected": 6,
    "access:portal": 8,
    "access:tokens": 6,
    "access:audit": 6,
    "finance:applications": 6,
    "ladder:overview": 6,
    "ladder:benefits-xlsx": 6,
    "matchmaking:scenarios": 6,
    "matchmaking:scenario": 6,
    "matchmaking:scenario-new": 6,
    "matchmaking:scenario-edit": 6,
    "matchmaking:capabilities": 6,
    "matchmaking:capability": 6,
    "matchmaking:capability-new": 6,
    "matchmaking:capability-edit": 6,
    "matchmaking:review": 8,
    "talent:index": 3,
    "talent:registry": 12,
    "talent:detail": 6,
    "talent:counts": 12,
    "talent:verify": 4,
    "talent:my-code": 4,
    "talent:my-code-png": 4,
    "talent:my-code-text": 4,
    "talent:status-list": 4,
    "talent:keys": 3,
    "talent-api:counts": 12,
    "talent-api:talents": 6,
    "talent-api:imports": 6,
    "jobs:list": 8,
    "jobs:detail": 6,
    "jobs:start": 6,
    "jobs:progress": 6,
    "jobs:download": 6,
    "jobs-api:job-list": 6,
    "jobs-api:job-detail": 6,
    "password_change": 3,
    "password_change_done": 3,
}
# the bank API, with the bank's token
API_BUDGETS = {
    "api:enterprise-list": 6,
    "api:enterprise-detail": 7,
    "api:enterprise-breakdown": 7,
    "api:enterprise-filings": 7,
    "api:whitelist": 7,
    "api:application-list": 7,
    "api:application-update": 6,
}
UNBUDGETED = {  # no data behind them, or POST only (the matrix test checks they refuse GET)
              "access:revoke-consent", "access:revoke-token", "jobs:retry", "matchmaking:decide",
              "matchmaking:scenario-propose", "matchmaking:train", "talent:action",
              "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
              "password_reset_complete", "set_language", "schema", "api-docs", "api-redoc"}


def _count(client, path, **extra) -> tuple[int, int, list[str]]:
    client.get(path, **extra)  # warm the per-process cache
    with CaptureQueriesContext(connection) as q:
        resp = client.get(path, **extra)
    return resp.status_code, len(q), [x["sql"][:160] for x in q.captured_queries]


def test_every_url_has_a_budget(world):
    names = {n for _p, n, _r in _paths(world) if n and not n.startswith("admin:")}
    missing = sorted(names - set(BUDGETS) - set(API_BUDGETS) - UNBUDGETED)
    assert not missing, f"write a query budget for {missing}"


@pytest.mark.parametrize("role", ["official", "admin", "ent_a", "bank"])
def test_pages_stay_within_their_budgets(scored, client, role):
    client.force_login(scored["users"][role])
    over, measured = [], 0
    for path, name, _route in _paths(scored):
        if name not in BUDGETS or (name not in PUBLIC and role not in MATRIX.get(name, ())):
            continue
        status, n, sqls = _count(client, path)
        if status >= 400:
            continue  # no such object in the test world (the matrix test covers the answers)
        measured += 1
        if n > BUDGETS[name]:
            over.append(f"{name} ({path}) as {role}: {n} queries > {BUDGETS[name]}\n    " + "\n    ".join(sqls))
    assert measured >= 3
    assert not over, "\n".join(over)


def test_bank_api_within_its_budgets(scored, client):
    token = scored["token"]
    over, measured = [], 0
    for path, name, _route in _paths(scored):
        if name not in API_BUDGETS:
            continue
        status, n, sqls = _count(client, path, HTTP_AUTHORIZATION=f"Bearer {token}")
        if status >= 400:
            continue
        measured += 1
        if n > API_BUDGETS[name]:
            over.append(f"{name} ({path}): {n} queries > {API_BUDGETS[name]}\n    " + "\n    ".join(sqls))
    assert measured >= 4
    assert not over, "\n".join(over)


def test_a_budget_catches_a_page_that_reads_per_row(scored, client, monkeypatch):
    """The budget check can fail: a page made to read once per enterprise exceeds its budget."""
    from innoregion.apps.points import selectors

    real = selectors.scores_for

    def per_row(ids, run=None, **kw):
        out = {}
        for i in ids:
            out.update(real([i], run, **kw))
        return out

    monkeypatch.setattr(selectors, "scores_for", per_row)
    client.force_login(scored["users"]["official"])
    _status, n, _sqls = _count(client, "/enterprises/")
    assert n > BUDGETS["region:enterprises"]
