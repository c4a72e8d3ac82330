"""The job pages: the list (filters, sortable, paginated), a job's page (parameters, progress, log,
result, error, retry; it refreshes itself while the job runs), the start form of a job kind, and a
job's file for download. Every page needs ``jobs.view`` (starting: the kind's action); every job is
read through ``restrict``."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from innoregion.apps.access import audit
from innoregion.apps.access.policy import allowed, ensure, requires
from innoregion.apps.jobs import registry, selectors, services
from innoregion.apps.jobs.filtersets import JobFilter
from innoregion.apps.jobs.models import Job
from innoregion.apps.jobs.tables import JobTable

PER_PAGE = 25


def _startable(user) -> list[registry.JobKind]:
    return sorted((k for k in registry.kinds().values() if allowed(user, k.action)), key=lambda k: str(k.label))


@requires("jobs.view")
def job_list(request):
    services.mark_stale()
    filterset = JobFilter(request.GET or None, queryset=selectors.jobs_for(request.who), request=request)
    jobs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.jobs_for(request.who)
    table = JobTable(jobs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "jobs/list.html", {"filter": filterset, "table": table,
                                              "startable": _startable(request.who)})


def _job_or_404(request, pk: int) -> Job:
    job = selectors.job_for(request.who, pk)
    if job is None:
        raise Http404
    return job


@requires("jobs.view")
def job_detail(request, pk: int):
    services.mark_stale()
    job = _job_or_404(request, pk)
    try:
        kind = registry.get_kind(job.kind)
    except registry.UnknownKind:
        kind = None
    context = {
        "job": job, "kind_label": registry.kind_label(job.kind), "parameters": selectors.parameters_of(job),
        "step": selectors.step_text(job), "error": selectors.error_text(job), "log": selectors.log_lines(job),
        "result_link": selectors.result_link(job), "result_rows": selectors.result_rows(job), "retries": selectors.retries_of(job, request.who),
        "may_retry": job.can_retry and kind is not None and allowed(request.who, kind.action),
        "traceback": job.traceback if allowed(request.who, "jobs.view_traceback") else "",
        "download": reverse("jobs:download", args=[job.pk]) if job.result_file else None,
    }
    return render(request, "jobs/detail.html", context)


@requires("jobs.view")
def job_progress(request, pk: int):
    """What the job page's script polls while the job runs."""
    services.mark_stale()
    job = _job_or_404(request, pk)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(), "done": job.progress_done,
                         "total": job.progress_total, "percent": job.percent, "step": selectors.step_text(job),
                         "active": job.is_active, "log_lines": len(job.log or [])})


@requires("jobs.start")
def job_start(request, kind: str):
    try:
        job_kind = registry.get_kind(kind)
    except registry.UnknownKind:
        raise Http404 from None
    ensure(request.who, job_kind.action)
    form_class = job_kind.form_class
    form = None
    if form_class is not None:
        form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and (form is None or form.is_valid()):
        job = services.start_job(kind, form.job_parameters() if form is not None else {}, request.user)
        messages.success(request, _("Job %(job)s is queued.") % {"job": job.pk})
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "jobs/start.html", {"kind": job_kind, "form": form})


@requires("jobs.view")
@require_POST
def job_retry(request, pk: int):
    job = _job_or_404(request, pk)
    try:
        kind = registry.get_kind(job.kind)
    except registry.UnknownKind:
        raise Http404 from None
    ensure(request.who, kind.action)
    try:
        retry = services.retry_job(job, request.user)
    except services.JobError as exc:
        messages.error(request, str(exc))
        return redirect("jobs:detail", pk=job.pk)
    messages.success(request, _("Job %(job)s is queued as a retry of job %(old)s.") % {"job": retry.pk, "old": job.pk})
    return redirect("jobs:detail", pk=retry.pk)


@requires("jobs.view")
def job_download(request, pk: int):
    """The file a job made (an export), for whoever may view the job."""
    job = _job_or_404(request, pk)
    if not job.result_file or job.status != Job.Status.SUCCEEDED:
        raise Http404
    root = services.exports_dir().resolve()
    path = (root / job.result_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    audit.record(request.user, "job.download", job, after={"file": Path(job.result_file).name})
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)
