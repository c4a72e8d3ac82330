"""A real worker process (``innoregion jobs worker``, which runs django-tasks-db's ``db_worker``) on
the test database: it runs a job, its progress is read from this process, it is SIGKILLed inside the
job's transaction, and then the region data is as before, the next worker marks the job stale, and
the retry succeeds.

On PostgreSQL the worker uses the test database itself. SQLite's test database lives in this
process's memory, so it is copied to a file for the worker and copied back afterwards (SQLite's
backup API): the kill happens on a real database file, whose hot journal the next reader rolls back."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult
from jobhelpers import HERE, rename_params

from innoregion.apps.jobs import services
from innoregion.apps.jobs.models import Job
from innoregion.apps.region.models import Enterprise

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerDatabase:
    """Where the worker process finds the test database, and how this process reads what it wrote."""

    def __init__(self, folder: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.file = folder / "worker.sqlite3"

    def url(self) -> str:
        s = connection.settings_dict
        if self.sqlite:
            return f"sqlite:///{self.file}"
        auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'])}"

    def hand_over(self) -> None:
        """SQLite: the test database as a file for the worker."""
        if self.sqlite:
            for path in (self.file, Path(f"{self.file}-journal")):
                path.unlink(missing_ok=True)
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def take_back(self) -> None:
        """SQLite: what the worker left in the file (a hot journal rolled back on opening) back here."""
        if self.sqlite:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def read(self, sql_for, params=()):
        """One row read through another connection than the worker's (the file; or this process's
        connection to the PostgreSQL test database). ``sql_for(quote)`` writes the statement."""
        if self.sqlite:
            db = sqlite3.connect(self.file, timeout=10)
            try:
                return db.execute(sql_for(lambda n: f'"{n}"'), params).fetchone()
            finally:
                db.close()
        with connection.cursor() as cursor:
            cursor.execute(sql_for(connection.ops.quote_name).replace("?", "%s"), params)
            return cursor.fetchone()


def _worker(db: WorkerDatabase, log: Path, *args: str) -> subprocess.Popen:
    env = {"DATABASE_URL": db.url(), "INNOREGION_EXTRA_JOB_MODULES": "jobkinds",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
           "INNOREGION_JOB_HEARTBEAT_SECONDS": "0.2", "LOG_LEVEL": "INFO"}
    out = open(log, "ab")  # noqa: SIM115  (closed with the process)
    return services.start_worker_process("--interval", "0.1", *args, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_file(path: Path, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the worker exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {path.name}:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


def _job_row(db: WorkerDatabase, pk: int):
    meta = Job._meta
    return db.read(lambda q: f"SELECT {q('status')}, {q('progress_done')}, {q('step')}, {q('worker_pid')} "
                             f"FROM {q(meta.db_table)} WHERE {q('id')} = ?", (pk,))


def _name_in(db: WorkerDatabase, pk: int) -> str:
    table = Enterprise._meta.db_table
    return db.read(lambda q: f"SELECT {q('name_zh')} FROM {q(table)} WHERE {q('id')} = ?", (pk,))[0]


def _wait_row(db: WorkerDatabase, pk: int, done: int) -> tuple:
    deadline = time.monotonic() + 30
    row = _job_row(db, pk)
    while row[1] != done and time.monotonic() < deadline:
        time.sleep(0.05)
        row = _job_row(db, pk)
    return row


def _kill_inside_the_transaction(db: WorkerDatabase, job: Job, enterprise, hold: Path, log: Path) -> int:
    """Run ``job`` in a worker process; look at its progress from here; SIGKILL it while its
    transaction holds the new name. Returns the killed worker's process id."""
    proc = _worker(db, log)
    try:
        _wait_file(hold / "reading", proc, log)
        assert _wait_row(db, job.pk, 1) == ("running", 1, "Looking up %(code)s", proc.pid)
        (hold / "hold-reading").unlink()
        _wait_file(hold / "writing", proc, log)  # the new name is written, not committed
        assert _name_in(db, enterprise.pk) == "甲"
        if not db.sqlite:  # PostgreSQL: the progress of the open transaction is already committed
            assert _wait_row(db, job.pk, 2)[1:3] == (2, "Renaming %(code)s")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    return proc.pid


def test_killed_worker_changes_nothing_its_job_goes_stale_and_the_retry_succeeds(people, tmp_path):
    a = people["a"]
    hold, log = tmp_path / "hold", tmp_path / "worker.log"
    hold.mkdir()
    for phase in ("reading", "writing"):
        (hold / f"hold-{phase}").touch()
    job = services.start_job("tests.rename", rename_params(a, "新名", hold_dir=str(hold)), people["users"]["official"])
    db = WorkerDatabase(tmp_path)
    db.hand_over()
    killed = _kill_inside_the_transaction(db, job, a, hold, log)
    db.take_back()
    assert Enterprise.objects.get(pk=a.pk).name_zh == "甲"  # the job's transaction died with its worker
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # nobody has looked yet

    # a new worker marks it stale when it starts (there is nothing to run)
    db.hand_over()
    assert _worker(db, log, "--batch").wait(120) == 0
    db.take_back()
    job.refresh_from_db()
    assert job.status == Job.Status.STALE and job.error_params["pid"] == killed
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"
    assert "1 job(s) of a stopped worker marked stale" in log.read_text()

    # the retry, released, succeeds in the next worker
    retry = services.retry_job(job, people["users"]["official"])
    (hold / "hold-writing").unlink()
    db.hand_over()
    assert _worker(db, log, "--batch").wait(120) == 0, log.read_text(errors="replace")
    db.take_back()
    retry.refresh_from_db()
    assert retry.status == Job.Status.SUCCEEDED, log.read_text(errors="replace")
    assert retry.retry_of_id == job.pk and retry.parameters == job.parameters and retry.worker_pid != killed
    assert retry.result == {"renamed": 1, "name": "新名"}
    assert Enterprise.objects.get(pk=a.pk).name_zh == "新名"
    assert DBTaskResult.objects.get(id=retry.task_result_id).status == "SUCCESSFUL"
