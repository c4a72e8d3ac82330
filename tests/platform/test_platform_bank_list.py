"""The bank API's enterprise list and summary read: the cursor feed (every consenting enterprise once,
in credit-code order, and nothing else), the page size, rows identical to the serializer's, the
consent each read is audited under, and a fixed number of queries whatever the page size."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innoregion.data.creditcode import make_code


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk(client, api, token, first="/api/v1/enterprises/", key="next"):
    """Follows the links from ``first``; returns the pages' bodies."""
    pages, url = [], first
    while url:
        resp = api(client, token, url)
        assert resp.status_code == 200, resp.content
        body = resp.json()
        assert set(body) == {"next", "previous", "results"}
        pages.append(body)
        url = body[key] and _path(body[key])
        assert len(pages) < 100, "the feed does not end"
    return pages


@pytest.fixture
def feed(scored):
    """The scored world (42 enterprises with points and rungs) plus 3 without cluster, zone or score;
    the first bank has an active summary consent from most of them, and the others show every way
    of not being in its list."""
    from innoregion.apps.access import services
    from innoregion.apps.access.models import Consent
    from innoregion.apps.region.models import Enterprise

    for i in range(3):
        Enterprise.objects.create(credit_code=make_code("9", "1", "220100", f"{900 + i:08d}"),
                                  name_zh=f"丁{i}", name_en=f"D{i} Co.", name_ko=f"D{i}",
                                  founded=dt.date(2020, 1, 1), industry="C39")
    admin, bank, bank2 = scored["users"]["admin"], scored["bank"], scored["bank2"]
    soon = timezone.now() + dt.timedelta(days=30)
    ents = list(Enterprise.objects.exclude(pk=scored["a"].pk).order_by("pk"))
    excluded = {}
    excluded["no consent"] = ents[0]
    excluded["revoked"] = ents[1]
    services.revoke_consent(services.grant_consent(ents[1], bank, ["summary"], "loan", soon, admin), admin)
    excluded["expired"] = ents[2]
    gone = services.grant_consent(ents[2], bank, ["summary"], "loan", soon, admin)
    Consent.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    excluded["other bank"] = ents[3]
    services.grant_consent(ents[3], bank2, ["summary"], "loan", soon, admin)
    excluded["no summary scope"] = ents[4]
    services.grant_consent(ents[4], bank, ["filings"], "loan", soon, admin)
    consent = {scored["a"].pk: scored["consent"]}
    for e in ents[5:]:
        consent[e.pk] = services.grant_consent(e, bank, ["summary"], "loan", soon, admin)
    # two active consents: reads happen under the one that lasts longer
    twice = ents[6]
    services.grant_consent(twice, bank, ["summary"], "loan", soon + dt.timedelta(days=5), admin)
    consent[twice.pk] = services.grant_consent(twice, bank, ["summary"], "loan", soon + dt.timedelta(days=60),
                                               admin)
    services.grant_consent(twice, bank, ["summary"], "loan", soon + dt.timedelta(days=10), admin)
    return {**scored, "consent_of": consent, "excluded": excluded, "twice": twice}


def test_walking_next_reads_every_consenting_enterprise_once(feed, client, api):
    from innoregion.apps.access.models import AuditEntry
    from innoregion.apps.region.models import Enterprise

    pages = walk(client, api, feed["token"], "/api/v1/enterprises/?page_size=7")
    codes = [r["credit_code"] for p in pages for r in p["results"]]
    expected = sorted(Enterprise.objects.filter(pk__in=feed["consent_of"])
                      .values_list("credit_code", flat=True))
    assert len(expected) == 40
    assert codes == expected  # each once, in credit-code order
    assert all(len(p["results"]) == 7 for p in pages[:-1]) and 0 < len(pages[-1]["results"]) <= 7
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    for why, e in feed["excluded"].items():
        assert e.credit_code not in codes, why
    # every row read is audited once, under its (longest) consent
    reads = AuditEntry.objects.filter(action="bank.read.summary", bank=feed["bank"])
    assert sorted(reads.values_list("enterprise_id", flat=True)) == sorted(feed["consent_of"])
    assert {r.enterprise_id: r.consent_id for r in reads} == {k: c.pk for k, c in feed["consent_of"].items()}
    # the rows carry that consent's expiry
    row = next(r for p in pages for r in p["results"] if r["credit_code"] == feed["twice"].credit_code)
    longest = feed["consent_of"][feed["twice"].pk]
    assert dt.datetime.fromisoformat(row["consent_expires_at"]) == longest.expires_at
    # and back again with previous, from the last page
    back = walk(client, api, feed["token"], _path(pages[-1]["previous"]), key="previous")
    assert [r["credit_code"] for p in reversed(back) for r in p["results"]] + [
        r["credit_code"] for r in pages[-1]["results"]] == expected


def test_other_bank_sees_only_its_own(feed, client, api):
    pages = walk(client, api, feed["token2"])
    codes = [r["credit_code"] for p in pages for r in p["results"]]
    assert codes == [feed["excluded"]["other bank"].credit_code]


def test_page_size(feed, client, api, monkeypatch):
    from innoregion.apps.finance.api.views import Pagination

    def rows(query):
        return api(client, feed["token"], "/api/v1/enterprises/" + query).json()["results"]

    assert len(rows("")) == 40  # default page of 50
    assert len(rows("?page_size=10")) == 10
    for bad in ("0", "-3", "x"):
        assert len(rows(f"?page_size={bad}")) == 40, bad  # the default
    monkeypatch.setattr(Pagination, "max_page_size", 12)
    assert len(rows("?page_size=1000")) == 12  # capped
    first = api(client, feed["token"], "/api/v1/enterprises/?page_size=12").json()
    assert "page_size=12" in first["next"]  # the links keep the page size
    assert len(api(client, feed["token"], _path(first["next"])).json()["results"]) == 12


def test_a_bad_cursor_is_not_found(feed, client, api):
    resp = api(client, feed["token"], "/api/v1/enterprises/?cursor=not-a-cursor")
    assert resp.status_code == 404


@pytest.mark.parametrize("lang,expected", [("en", "follow the next link"), ("ko", "next 링크"),
                                           ("zh-hans", "next 链接")])
def test_page_numbers_are_refused(world, client, api, lang, expected):
    """The list paged by number before: a client counting pages gets an error, not page 1 forever."""
    resp = api(client, world["token"], "/api/v1/enterprises/?page=2", HTTP_ACCEPT_LANGUAGE=lang)
    assert resp.status_code == 400
    assert expected in resp.json()["page"][0]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_rows_are_the_serializers(feed, client, api, settings, zone):
    """The rows are built as plain dicts: they must be what ``EnterpriseSummarySerializer`` renders."""
    from rest_framework.renderers import JSONRenderer

    from innoregion.apps.finance.api.serializers import EnterpriseSummarySerializer
    from innoregion.apps.ladder import selectors as ladder_selectors
    from innoregion.apps.points import selectors as points_selectors
    from innoregion.apps.region.models import Enterprise

    settings.TIME_ZONE = zone
    ents = Enterprise.objects.select_related("cluster", "zone").in_bulk(list(feed["consent_of"]))
    scores = points_selectors.scores_for(list(ents))
    rungs = ladder_selectors.rungs_for(list(ents), gaps=False)

    def serialized(e) -> bytes:
        s = scores.get(e.pk, {})
        return JSONRenderer().render(EnterpriseSummarySerializer({
            "credit_code": e.credit_code, "name_zh": e.name_zh, "name_en": e.name_en, "name_ko": e.name_ko,
            "cluster": e.cluster.code if e.cluster_id else None, "zone": e.zone.code if e.zone_id else None,
            "points": s.get("points"), "tier": s.get("tier", ""), "stage": s.get("stage", ""),
            "rung": rungs.get(e.pk, {}).get("rung", ""),
            "consent_expires_at": feed["consent_of"][e.pk].expires_at}).data)

    by_code = {e.credit_code: e for e in ents.values()}
    pages = walk(client, api, feed["token"], "/api/v1/enterprises/?page_size=20")
    rows = [r for p in pages for r in p["results"]]
    assert len(rows) == 40
    for row in rows:
        assert JSONRenderer().render(row) == serialized(by_code[row["credit_code"]])  # same keys, order, text
    one = api(client, feed["token"], f"/api/v1/enterprises/{rows[3]['credit_code'].lower()}/")
    assert one.status_code == 200
    assert JSONRenderer().render(one.json()) == serialized(by_code[rows[3]["credit_code"]])
    # the fixture covers the cases: scored and not, with and without a rung, cluster and zone
    assert {r["points"] is None for r in rows} == {True, False}
    assert {r["rung"] == "" for r in rows} == {True, False}
    assert {r["cluster"] is None for r in rows} == {True, False}
    offset = "Z" if zone == "UTC" else ("+08:00" if zone == "Asia/Shanghai" else "-0")
    assert all(offset in r["consent_expires_at"] for r in rows)
    json.loads(one.content)  # plain JSON


# The queries of one request, with the "latest run" pointers read every time (their per-process
# cache turned off): a change that adds a query per row or per page fails here.
LIST_QUERIES = ["API token (with user and profile)", "the page, with each row's consent", "audit insert",
                "latest scoring run", "scores", "latest ladder run", "ladder outcomes"]
DETAIL_QUERIES = LIST_QUERIES


def _count(client, api, token, path):
    with CaptureQueriesContext(connection) as ctx:
        resp = api(client, token, path)
    assert resp.status_code == 200
    skip = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(skip)]


@pytest.mark.parametrize("size", [5, 15])
def test_list_queries_are_bounded(feed, client, api, settings, size):
    settings.INNOREGION_POINTER_CACHE_SECONDS = 0
    path = f"/api/v1/enterprises/?page_size={size}"
    api(client, feed["token"], path)  # the token's last use is written once per 5 minutes
    first = _count(client, api, feed["token"], path)
    assert len(first) == len(LIST_QUERIES), "\n\n".join(first)
    nxt = api(client, feed["token"], path).json()["next"]
    assert len(_count(client, api, feed["token"], _path(nxt))) == len(LIST_QUERIES)


def test_detail_queries_are_bounded(feed, client, api, settings):
    settings.INNOREGION_POINTER_CACHE_SECONDS = 0
    path = f"/api/v1/enterprises/{feed['twice'].credit_code}/"
    api(client, feed["token"], path)
    queries = _count(client, api, feed["token"], path)
    assert len(queries) == len(DETAIL_QUERIES), "\n\n".join(queries)


def test_consent_annotation_matches_the_consent_queryset(feed):
    """The list's raw consent subquery and ``Consent.objects.active().with_scope()`` agree, per scope."""
    from django.test import RequestFactory

    from innoregion.apps.access.models import Consent
    from innoregion.apps.finance.api.views import BankAPIView

    view = BankAPIView()
    view.request = RequestFactory().get("/")
    view.request.user = feed["users"]["bank"]
    view.request.auth = type("Token", (), {"bank_id": feed["bank"].pk})()
    for scope in ("summary", "breakdown", "filings"):
        view.scope = scope
        got = {v["pk"]: (v["consent_id"], v["consent_expires_at"])
               for v in view.restricted().values("pk", "consent_id", "consent_expires_at")}
        want = {}
        active = Consent.objects.active().with_scope(scope).filter(bank=feed["bank"])
        for c in active.order_by("-expires_at", "-pk"):
            want.setdefault(c.enterprise_id, (c.pk, c.expires_at))
        assert got == want, scope


def test_top_rungs_agree_with_the_full_ladder_reading(scored):
    """The bank list reads the rung alone (``top_rungs_for``); it must be the rung the pages show."""
    from innoregion.apps.ladder import selectors as ladder_selectors
    from innoregion.apps.region.models import Enterprise

    ids = list(Enterprise.objects.values_list("pk", flat=True))
    full = ladder_selectors.rungs_for(ids)
    top = ladder_selectors.top_rungs_for(ids)
    assert set(top) == set(full) and len(top) >= 40
    assert top == {eid: r["rung"] for eid, r in full.items()}
    assert any(top.values()), "the fixture should have enterprises on a rung"
