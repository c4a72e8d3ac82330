"""Stale jobs: a running job whose worker is gone is marked stale (its task result failed) when the
list or a job page is read; a live worker's job is left alone."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from jobhelpers import rename_params

from innoregion.apps.jobs import services
from innoregion.apps.jobs.models import Job

pytestmark = pytest.mark.django_db


def _running(people, *, host=None, pid=None, beat_age=0.0) -> Job:
    job = services.start_job("tests.rename", rename_params(people["a"], "x"))
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, worker_host=host or services.HOST,
                                         worker_pid=pid, heartbeat_at=now - dt.timedelta(seconds=beat_age))
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="RUNNING", started_at=now)
    return job


def _finished_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_job_of_a_gone_local_worker_is_stale_when_the_list_is_read(people, login):
    job = _running(people, pid=_finished_pid())
    other = _running(people, pid=os.getpid())  # this process: alive
    assert login("official").get("/jobs/").status_code == 200
    job.refresh_from_db()
    assert job.status == Job.Status.STALE and job.finished_at is not None and job.can_retry
    assert job.error_params["pid"] == job.worker_pid and job.log[-1]["level"] == "error"
    task = DBTaskResult.objects.get(id=job.task_result_id)
    assert task.status == "FAILED" and task.exception_class_path.endswith("WorkerLost")
    assert Job.objects.get(pk=other.pk).status == Job.Status.RUNNING
    assert DBTaskResult.objects.get(id=other.task_result_id).status == "RUNNING"


def test_the_job_page_marks_stale_too(people, login):
    job = _running(people, pid=_finished_pid())
    page = login("official").get(f"/jobs/{job.pk}/").content.decode()
    assert Job.objects.get(pk=job.pk).status == Job.Status.STALE
    assert 'id="job-retry"' in page and "stopped while the job ran" in page


def test_a_silent_worker_elsewhere_is_stale_after_the_threshold(people, settings):
    settings.INNOREGION_JOB_STALE_SECONDS = 60
    job = _running(people, host="another-host.example", pid=12345, beat_age=30)
    assert services.mark_stale() == 0
    assert services.mark_stale(now=timezone.now() + dt.timedelta(seconds=45)) == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.STALE


def test_a_live_local_worker_with_an_old_heartbeat(people, settings):
    """On SQLite the worker may be inside a long write transaction (no heartbeat can be written
    then): a live process on this host is trusted. PostgreSQL writes heartbeats all along, so there
    an old heartbeat means the job is lost."""
    settings.INNOREGION_JOB_STALE_SECONDS = 60
    job = _running(people, pid=os.getpid(), beat_age=600)
    marked = services.mark_stale()
    status = Job.objects.get(pk=job.pk).status
    if connection.vendor == "sqlite":
        assert (marked, status) == (0, Job.Status.RUNNING)
    else:
        assert (marked, status) == (1, Job.Status.STALE)


def test_a_queued_job_whose_task_ended_is_failed(people, settings):
    settings.INNOREGION_JOB_STALE_SECONDS = 60
    job = services.start_job("tests.rename", rename_params(people["a"], "x"))
    assert services.mark_stale() == 0
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="FAILED")
    assert services.mark_stale() == 0  # looked at only once the job has waited longer than the stale time
    assert services.mark_stale(now=timezone.now() + dt.timedelta(seconds=61)) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.can_retry


def test_a_zombie_process_counts_as_gone():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        deadline = time.monotonic() + 20
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not services.process_alive(child.pid)  # exited, not yet reaped by its parent
    finally:
        child.wait()
    assert not services.process_alive(child.pid)
    assert services.process_alive(os.getpid()) and not services.process_alive(None)
