"""The one django-tasks task of the platform: run a stored job. Every job kind goes through it, so a
task result always points at an importable function and a retry is just a new job.

(Django 6 ships this API as ``django.tasks``; moving to it is this import.)"""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int):
    """Run job ``job_id`` with its kind's function; the return value is the job's result."""
    from innoregion.apps.jobs.services import execute_job

    return execute_job(job_id)
