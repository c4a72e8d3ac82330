"""``innoregion jobs``: start (parameters checked by the kind's form), list, show, retry, kinds."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.utils import translation

from innoregion.apps.jobs.models import Job
from innoregion.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli():
    language = translation.get_language()
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, ["jobs", *args], catch_exceptions=False)
    translation.activate(language)  # the command speaks English to the operator


def test_start_here_then_list_and_show(people, cli):
    a = people["a"]
    out = cli("start", "tests.rename", "-p", f"credit_code={a.credit_code}", "-p", "name=命令行", "--here")
    assert out.exit_code == 0, out.output
    job = Job.objects.get()
    assert f"job {job.pk} queued: tests.rename" in out.output and "succeeded" in out.output
    assert job.status == Job.Status.SUCCEEDED and job.started_by is None
    assert "New name: 命令行" in out.output and f"Renamed {a.credit_code}" in out.output
    a.refresh_from_db()
    assert a.name_zh == "命令行"
    listed = cli("list")
    assert listed.exit_code == 0 and f"{job.pk:>6}  succeeded" in listed.output and " cli " in listed.output
    assert cli("list", "--status", "failed").output == ""
    shown = cli("show", str(job.pk))
    assert shown.exit_code == 0 and '"name": "命令行"' in shown.output


def test_failed_job_shows_its_error_and_retries(people, cli):
    a = people["a"]
    out = cli("start", "tests.rename", "-p", f"credit_code={a.credit_code}", "-p", "name=x", "-p", "fail=crash",
              "--here")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "unexpected error (RuntimeError)" in out.output
    assert "internal detail" in cli("show", str(job.pk)).output  # the operator sees the traceback
    retried = cli("retry", str(job.pk))
    assert retried.exit_code == 0 and "queued as a retry of job" in retried.output
    new = Job.objects.exclude(pk=job.pk).get()
    assert new.retry_of == job and new.status == Job.Status.QUEUED
    again = cli("retry", str(new.pk))
    assert again.exit_code == 1 and "Only a failed or stale job can be retried" in again.output


def test_parameters_are_checked_before_anything_is_queued(people, cli):
    missing = cli("start", "tests.rename", "-p", "name=x")
    assert missing.exit_code == 2 and "credit_code" in missing.output
    assert cli("start", "tests.rename", "-p", "novalue").exit_code == 2
    unknown = cli("start", "no.such.kind")
    assert unknown.exit_code == 2 and "points.score" in unknown.output
    bad_choice = cli("start", "points.score", "-p", "methodology=nope", "-p", "year=2025")
    assert bad_choice.exit_code == 2 and "methodology" in bad_choice.output
    assert not Job.objects.exists()
    assert cli("show", "999999").exit_code == 1


def test_kinds_lists_every_registered_kind(cli):
    out = cli("kinds").output
    for kind in ("points.score", "ladder.run", "ladder.benefits", "ladder.benefits_xlsx", "imports.file"):
        assert kind in out


@pytest.mark.django_db(transaction=True)
def test_start_wait_returns_when_a_worker_has_run_the_job(people, cli):
    import threading
    import time

    from django.db import OperationalError, connection

    from innoregion.apps.jobs import services

    def worker():
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:  # SQLite's shared in-memory test database: a table being written cannot be read
                    if Job.objects.filter(status=Job.Status.QUEUED).exists():
                        break
                except OperationalError:
                    pass
                time.sleep(0.05)
            services.run_pending()
        finally:
            connection.close()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    out = cli("start", "tests.chatter", "-p", "lines=3", "--wait", "--timeout", "60")
    thread.join(30)
    assert out.exit_code == 0 and "succeeded" in out.output and '"lines": 3' in out.output


def test_start_wait_gives_up_after_its_timeout(people, cli):
    out = cli("start", "tests.chatter", "--wait", "--timeout", "0.2")
    assert out.exit_code == 1 and "has not finished after 0.2 s" in out.output
    assert Job.objects.get().status == Job.Status.QUEUED
