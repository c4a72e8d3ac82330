"""``explainer_for``: one build per run per process, a bounded LRU, one build even when threads race."""

from __future__ import annotations

import datetime as dt
import threading
import time
from types import SimpleNamespace

import pytest

from innoregion.apps.points import services


def _run(pk: int, sha: str = "a" * 64):
    return SimpleNamespace(pk=pk, inputs_sha256=sha, started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


@pytest.fixture
def builds(monkeypatch):
    made: list[int] = []

    def fake_build(run):
        time.sleep(0.05)  # long enough for racing threads to overlap
        made.append(run.pk)
        return object()

    monkeypatch.setattr(services, "build_explainer", fake_build)
    monkeypatch.setattr(services, "EXPLAINER_CACHE_SIZE", 2)
    services.clear_explainers()
    yield made
    services.clear_explainers()


def test_built_once_per_run_and_reused(builds):
    a = services.explainer_for(_run(1))
    assert services.explainer_for(_run(1)) is a
    assert builds == [1]
    assert services.explainer_for(None) is None


def test_lru_evicts_the_least_recently_used_run(builds):
    one = services.explainer_for(_run(1))
    services.explainer_for(_run(2))
    assert services.explainer_for(_run(1)) is one  # 1 is now the most recent
    services.explainer_for(_run(3))  # evicts 2
    assert services.explainer_for(_run(1)) is one
    services.explainer_for(_run(2))
    assert builds == [1, 2, 3, 2]


def test_same_id_other_content_is_another_run(builds):
    services.explainer_for(_run(1, "a" * 64))
    services.explainer_for(_run(1, "b" * 64))
    assert builds == [1, 1]


def test_racing_threads_build_once(builds):
    got = []
    threads = [threading.Thread(target=lambda: got.append(services.explainer_for(_run(7)))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == [7]
    assert len({id(x) for x in got}) == 1
