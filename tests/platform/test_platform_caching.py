"""What the pages cache to stay fast, and that the cache never shows stale or foreign data where it
must not: the latest runs and reference names (per process, a few seconds, forgotten on save), the
signed-in user's profile (read with the user), the main menu (per role and language)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _new_run(**kw):
    from innoregion.apps.points.models import ScoringRun

    now = timezone.now()
    fields = {"methodology": "changchun-new-area", "methodology_version": "t", "spec_sha256": "1" * 64,
              "code_version": "t", "year": 2025, "started_at": now, "finished_at": now, "status": "done",
              "units": 0, **kw}
    return ScoringRun(**fields)


def test_latest_run_is_cached_and_forgotten_when_a_run_is_saved(world, settings):
    from innoregion.apps.points import selectors as sources
    from innoregion.apps.points.models import ScoringRun
    from innoregion.site.cache import forget

    settings.INNOREGION_POINTER_CACHE_SECONDS = 60
    first = _new_run()
    first.save()
    assert sources.latest_run().pk == first.pk
    with CaptureQueriesContext(connection) as q:
        assert sources.latest_run().pk == first.pk
    assert len(q) == 0  # served from the cache
    # a run written without signals (bulk) is not seen until the cache is forgotten...
    (bulk,) = ScoringRun.objects.bulk_create([_new_run(finished_at=timezone.now())])
    assert sources.latest_run().pk == first.pk
    forget()
    assert sources.latest_run().pk == bulk.pk
    # ...but a save (what score_region does) is seen at once
    second = _new_run(finished_at=timezone.now())
    second.save()
    assert sources.latest_run().pk == second.pk
    second.delete()
    assert sources.latest_run().pk == bulk.pk


def test_cache_off_reads_every_time(world, settings):
    from innoregion.apps.points import selectors as sources

    settings.INNOREGION_POINTER_CACHE_SECONDS = 0
    _new_run().save()
    with CaptureQueriesContext(connection) as q:
        sources.latest_run()
        sources.latest_run()
    assert len(q) == 2


def test_renamed_indicator_cluster_and_zone_show_at_once(world, settings):
    from django.utils import translation

    from innoregion.apps.points import selectors as sources
    from innoregion.apps.region.models import Cluster, Indicator
    from innoregion.apps.region.selectors import place_name

    settings.INNOREGION_POINTER_CACHE_SECONDS = 60
    with translation.override("en"):
        assert sources.all_indicator_names(None)["revenue"]
        cluster = world["a"].cluster
        assert place_name("region.Cluster", cluster.pk) == cluster.name_en
        ind = Indicator.objects.get(code="revenue")
        ind.name_en = "Turnover (renamed)"
        ind.save()
        assert sources.all_indicator_names(None)["revenue"] == "Turnover (renamed)"
        cluster = Cluster.objects.get(pk=cluster.pk)
        cluster.name_en = "Optics (renamed)"
        cluster.save()
        assert place_name("region.Cluster", cluster.pk) == "Optics (renamed)"
    with translation.override("ko"):
        assert place_name("region.Cluster", cluster.pk) == cluster.name_ko
        # the names are cached per language, and a caller changing its copy changes nothing cached
        korean = sources.all_indicator_names(None)
        assert korean["revenue"] == (ind.name_ko or ind.name_zh) != "Turnover (renamed)"
        korean["revenue"] = "x"
        assert sources.all_indicator_names(None)["revenue"] == (ind.name_ko or ind.name_zh)
    assert place_name("region.Zone", None) == ""


def test_user_and_profile_come_in_one_query(client, world):
    client.force_login(world["users"]["official"])
    with CaptureQueriesContext(connection) as q:
        assert client.get(f"/enterprises/{world['a'].pk}/").status_code == 200
    profile_reads = [x["sql"] for x in q.captured_queries if 'FROM "access_profile"' in x["sql"]]
    assert profile_reads == []  # joined to the user's query
    assert any('"access_profile"' in x["sql"] and 'FROM "auth_user"' in x["sql"] for x in q.captured_queries)


def test_enterprise_page_query_count_is_bounded(client, scored):
    """Session, user, enterprise, score, ladder, filing years, filings, benefits, the audit entry:
    a regression that reads per row or per indicator fails here."""
    client.force_login(scored["users"]["official"])
    url = f"/enterprises/{scored['a'].pk}/"
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    assert len(q) <= 10, "\n".join(x["sql"][:120] for x in q.captured_queries)


def test_main_menu_follows_role_language_and_enterprise(client, world):
    pages = {}
    for role in ("official", "ent_a", "ent_b"):
        client.force_login(world["users"][role])
        for lang in ("en", "ko"):
            html = client.get("/accounts/portal/" if role != "official" else "/",
                              HTTP_ACCEPT_LANGUAGE=lang).content.decode()
            pages[role, lang] = html[html.index('<nav class="main"'):html.index("</nav>")]
        client.logout()
    assert pages["official", "en"] != pages["official", "ko"]
    assert f"/enterprises/{world['a'].pk}/" in pages["ent_a", "en"]
    assert f"/enterprises/{world['b'].pk}/" in pages["ent_b", "en"]
    assert f"/enterprises/{world['a'].pk}/" not in pages["ent_b", "en"]
    assert "/audit/" not in pages["ent_a", "en"] and "Audit log" in pages["official", "en"]
