"""Background jobs, the reads: always through the policy (``restrict``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.policy import restrict
from innoregion.apps.jobs import registry
from innoregion.apps.jobs.forms import describe_parameters
from innoregion.apps.jobs.messages import render
from innoregion.apps.jobs.models import Job


def jobs_for(user, action: str = "view") -> QuerySet:
    """The jobs ``user`` may ``action``, newest first."""
    return restrict(Job.objects.select_related("started_by", "retry_of"), user, action)


def job_for(user, pk: int, action: str = "view") -> Job | None:
    return jobs_for(user, action).filter(pk=pk).first()


def step_text(job: Job) -> str:
    return render(job.step, job.step_params)


def error_text(job: Job) -> str:
    return render(job.error, job.error_params)


def _when(text: str):
    try:
        return timezone.localtime(dt.datetime.fromisoformat(text))
    except (TypeError, ValueError):
        return None


def log_lines(job: Job) -> list[dict]:
    """The log in the reader's language: ``{"at" (a local datetime), "level", "text"}`` per line."""
    return [{"at": _when(line.get("at", "")), "level": line.get("level", "info"),
             "text": render(line.get("text", ""), line.get("params"))} for line in job.log or []]


def parameters_of(job: Job) -> list[tuple[str, str]]:
    """The job's parameters as ``(label, value)`` pairs, labelled by its kind's start form."""
    try:
        kind = registry.get_kind(job.kind)
    except registry.UnknownKind:
        kind = None
    return describe_parameters(kind, job.parameters)


def result_link(job: Job) -> str | None:
    """The page that shows the job's result (a scoring run, an import batch), when there is one."""
    if job.status != Job.Status.SUCCEEDED:
        return None
    try:
        return registry.get_kind(job.kind).link(job.result)
    except registry.UnknownKind:
        return None


def retries_of(job: Job, user) -> QuerySet:
    return jobs_for(user).filter(retry_of=job).order_by("created_at")


# What a job's result holds, named for the reader; keys not named here (ids, paths and per-pack counts
# for programs; the result's own page shows those) stay in the API's ``result`` and are not shown.
RESULT_LABELS = {
    "enterprises": _("enterprises"), "warnings": _("warnings"), "year": _("year"),
    "methodology_version": _("methodology version"), "outcomes": _("outcomes"),
    "grants": _("grants"), "requested_total": _("requested, CNY"), "paid_total": _("paid, CNY"),
    "rows_accepted": _("rows accepted"), "rows_quarantined": _("rows quarantined"),
    "conflicts": _("conflicts between departments"), "file_name": _("file"), "file": _("file"),
    "already_imported": _("already imported before"),
}


def result_rows(job: Job) -> list[tuple[str, object]]:
    """The job's result as ``(label, value)`` rows for its page: years as plain text (not "2,025"),
    yes/no in words."""
    rows = []
    for key, value in (job.result or {}).items():
        label = RESULT_LABELS.get(key)
        if label is None:
            continue
        if key == "year":
            value = str(value)
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        rows.append((label, value))
    return rows
