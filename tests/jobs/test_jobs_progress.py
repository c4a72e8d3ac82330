"""Progress is written outside the job's transaction: another connection sees it while the job
runs (a worker thread here; a worker process in test_jobs_worker.py)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection
from jobhelpers import rename_params

from innoregion.apps.jobs import services
from innoregion.apps.jobs.models import Job
from innoregion.apps.region.models import Enterprise

pytestmark = pytest.mark.django_db(transaction=True)


def retrying(fn, timeout: float = 10.0):
    """``fn()``, again while SQLite's shared in-memory test database says a table is locked (its
    connections do not wait for each other as connections to a database file do)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except OperationalError:
            if connection.vendor != "sqlite" or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = retrying(predicate)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class WorkerThread(threading.Thread):
    """The queued jobs run in another thread (so through other database connections)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.errors: list[BaseException] = []

    def run(self):
        try:
            services.run_pending()
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            self.errors.append(exc)
        finally:
            connection.close()


def test_progress_and_heartbeat_are_visible_while_the_job_runs(people, login, tmp_path, settings):
    settings.INNOREGION_JOB_HEARTBEAT_SECONDS = 0.2
    a = people["a"]
    for phase in ("reading", "writing"):
        (tmp_path / f"hold-{phase}").touch()
    job = services.start_job("tests.rename", rename_params(a, "新名", hold_dir=str(tmp_path)))
    client = login("official")
    worker = WorkerThread()
    worker.start()
    try:
        wait_for(lambda: (tmp_path / "reading").exists(), what="the reading phase")
        row = wait_for(lambda: Job.objects.filter(pk=job.pk, progress_done=1).first(), what="progress 1/3")
        assert (row.status, row.progress_total, row.step) == (Job.Status.RUNNING, 3, "Looking up %(code)s")
        first_beat = row.heartbeat_at
        wait_for(lambda: Job.objects.get(pk=job.pk).heartbeat_at > first_beat, what="a later heartbeat")
        polled = retrying(lambda: client.get(f"/jobs/{job.pk}/progress/")).json()
        assert polled["active"] and polled["status"] == "running" and polled["percent"] == 33
        assert polled["step"] == f"Looking up {a.credit_code}"
        assert "Looking up" in retrying(lambda: client.get(f"/jobs/{job.pk}/")).content.decode()

        (tmp_path / "hold-reading").unlink()
        wait_for(lambda: (tmp_path / "writing").exists(), what="the writing phase")
        if connection.vendor == "postgresql":
            # committed progress, while the job's own write (the new name) is not committed yet
            wait_for(lambda: Job.objects.filter(pk=job.pk, progress_done=2).exists(), what="progress 2/3")
            assert Enterprise.objects.get(pk=a.pk).name_zh == "甲"
        else:
            # SQLite has one writer: while the job's transaction is open the progress waits in the
            # worker (nothing blocks, nothing fails) and is written when the transaction ends
            time.sleep(4 * services.PULSE_SECONDS)
            assert retrying(lambda: Job.objects.get(pk=job.pk)).progress_done == 1
        assert worker.is_alive()
        (tmp_path / "hold-writing").unlink()
        worker.join(60)
    finally:
        for phase in ("reading", "writing"):
            (tmp_path / f"hold-{phase}").unlink(missing_ok=True)
        worker.join(60)
    assert not worker.errors and not worker.is_alive()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and (job.progress_done, job.progress_total) == (3, 3)
    assert [line["text"] for line in job.log].count("Renaming %(code)s") == 1
    assert Enterprise.objects.get(pk=a.pk).name_zh == "新名"


def test_a_failing_threaded_job_rolls_back_and_reports(people):
    job = services.start_job("tests.rename", rename_params(people["a"], "坏", fail="crash"))
    worker = WorkerThread()
    worker.start()
    worker.join(60)
    assert not worker.errors  # the worker records the failure on the task result, it does not raise
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "RuntimeError" in job.traceback
    assert job.progress_done == 2 and job.step == "Renaming %(code)s"  # what was reported before the error
    assert Enterprise.objects.get(pk=people["a"].pk).name_zh == "甲"
