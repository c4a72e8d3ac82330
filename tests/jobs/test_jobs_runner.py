"""Start, run, finish, fail and retry jobs in this process (the worker's own claim and run_task)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult
from jobhelpers import rename_params

from innoregion.apps.jobs import registry, services
from innoregion.apps.jobs.models import Job

pytestmark = pytest.mark.django_db


def _name(enterprise) -> str:
    enterprise.refresh_from_db()
    return enterprise.name_zh


def test_start_queues_a_task_and_the_worker_runs_it(people):
    job = services.start_job("tests.rename", rename_params(people["a"], "新名"), people["users"]["official"])
    assert job.status == Job.Status.QUEUED and job.started_by == people["users"]["official"]
    task = DBTaskResult.objects.get(id=job.task_result_id)
    assert task.status == "READY" and task.task_path == "innoregion.apps.jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert services.run_pending() == 1
    job.refresh_from_db()
    task.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and task.status == "SUCCESSFUL"
    assert job.result == {"renamed": 1, "name": "新名"} and task.return_value == job.result
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.started_at and job.finished_at and job.heartbeat_at and job.worker_pid
    texts = [line["text"] for line in job.log]
    assert texts[0] == "Queued." and texts[-1] == "Finished." and "Renaming %(code)s" in texts
    assert _name(people["a"]) == "新名"
    assert services.run_pending() == 0  # nothing left


def test_unexpected_failure_keeps_region_data_and_hides_the_detail(people):
    job = services.start_job("tests.rename", rename_params(people["a"], "坏", fail="crash"))
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert _name(people["a"]) == "甲"  # the job's transaction was rolled back
    assert "RuntimeError" in job.traceback and "/srv/secret/path" in job.traceback
    assert job.error_params == {"error": "RuntimeError"} and "/srv/secret" not in job.error
    assert job.log[-1]["level"] == "error"
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"


def test_explained_failure_tells_the_user_without_traceback(people):
    job = services.start_job("tests.rename", rename_params(people["a"], "坏", fail="explained"))
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.traceback == ""
    assert job.error == "Enterprise %(code)s may not be renamed."
    assert job.error_params == {"code": people["a"].credit_code}
    assert _name(people["a"]) == "甲"


def test_retry_makes_a_new_job_with_the_same_parameters(people):
    params = rename_params(people["a"], "再来", fail="explained")
    first = services.start_job("tests.rename", params)
    services.run_pending()
    first.refresh_from_db()
    with pytest.raises(services.JobError):  # only failed or stale jobs
        services.retry_job(services.start_job("tests.rename", params))
    queued_extra = Job.objects.filter(status=Job.Status.QUEUED).get()
    queued_extra.delete()
    Job.objects.filter(pk=first.pk).update(parameters={**params, "fail": ""})  # the cause was fixed
    first.refresh_from_db()
    second = services.retry_job(first, people["users"]["official2"])
    assert second.pk != first.pk and second.retry_of == first and second.kind == first.kind
    assert second.parameters == first.parameters and second.started_by == people["users"]["official2"]
    services.run_pending()
    second.refresh_from_db()
    assert second.status == Job.Status.SUCCEEDED and _name(people["a"]) == "再来"
    with pytest.raises(services.JobError):
        services.retry_job(second)


def test_unknown_kind_cannot_start_and_a_job_of_a_vanished_kind_fails(people):
    with pytest.raises(registry.UnknownKind):
        services.start_job("no.such.kind", {})
    job = services.start_job("tests.chatter", {"lines": 1})
    Job.objects.filter(pk=job.pk).update(kind="gone.kind")
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error_params == {"kind": "gone.kind"}


def test_log_is_bounded(people):
    job = services.start_job("tests.chatter", {"lines": services.LOG_LINES + 250})
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert len(job.log) == services.LOG_LINES
    assert job.log_dropped == 253  # "Queued.", "Started …" and the first 251 lines went first
    assert job.log[-1]["text"] == "Finished." and job.log[-2]["params"] == {"i": services.LOG_LINES + 249}


def test_a_job_that_is_not_queued_is_not_run_again(people):
    job = services.start_job("tests.rename", rename_params(people["a"], "一次"))
    services.run_pending()
    before = Job.objects.get(pk=job.pk)
    assert services.execute_job(job.pk) is None  # e.g. its task delivered a second time
    after = Job.objects.get(pk=job.pk)
    assert (after.status, after.log, after.finished_at) == (Job.Status.SUCCEEDED, before.log, before.finished_at)
    assert services.execute_job(987654) is None  # a job that does not exist


def test_registering_a_kind_twice_is_refused():
    with pytest.raises(ValueError):
        registry.register_kind("tests.rename", lambda p, r: None, "again")
