"""A background job: one run of a registered job kind (a scoring run, a ladder or benefit run, an
import, an export) with who started it, its parameters, progress, log, result or error.

The job's work is executed by a django-tasks task (``innoregion.apps.jobs.tasks.run_job``) that a
database worker (``manage.py db_worker``) picks up; ``task_result_id`` is that task's result id. The
texts stored for the step, the log lines and the error are message ids with their parameters, shown
in the reader's language (:func:`innoregion.apps.jobs.messages.render`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        STALE = "stale", _("stale (its worker stopped)")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    RETRYABLE = (Status.FAILED, Status.STALE)

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="jobs", verbose_name=_("started by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress_done = models.PositiveBigIntegerField(_("steps done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("steps in all"), null=True, blank=True)
    step = models.CharField(_("current step"), max_length=300, blank=True, default="")
    step_params = models.JSONField(_("values in the current step"), default=dict, blank=True)
    log = models.JSONField(_("log"), default=list, blank=True)
    log_dropped = models.PositiveIntegerField(_("earlier log lines not kept"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    result_file = models.CharField(_("result file"), max_length=500, blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    error_params = models.JSONField(_("values in the error"), default=dict, blank=True)
    traceback = models.TextField(_("traceback (administrators only)"), blank=True, default="")
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True, default="", db_index=True)
    retry_of = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="retries",
                                 verbose_name=_("retry of"))
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True, default="")
    worker_pid = models.PositiveIntegerField(_("worker process id"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat")]

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def can_retry(self) -> bool:
        return self.status in self.RETRYABLE

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or ``None`` while the total is unknown."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return max(0, min(100, int(100 * self.progress_done / self.progress_total)))
