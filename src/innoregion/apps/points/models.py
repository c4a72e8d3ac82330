"""Scoring runs of the innovation points system and the scores they produced.

A run records everything needed to reproduce it: the methodology id and version, the SHA-256 of the
validated spec and of the canonical input table, the code version, the year; its scores are never
edited (a new run is a new row)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    methodology = models.CharField(_("methodology"), max_length=60, db_index=True)
    methodology_version = models.CharField(_("methodology version"), max_length=30)
    spec_sha256 = models.CharField(_("spec SHA-256"), max_length=64)
    inputs_sha256 = models.CharField(_("inputs SHA-256"), max_length=64, blank=True)
    code_version = models.CharField(_("code version"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    units = models.PositiveIntegerField(_("enterprises scored"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    audit_summary = models.JSONField(_("audit summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   verbose_name=_("run by"))

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        indexes = [models.Index(fields=["methodology", "year"])]

    def __str__(self) -> str:
        return f"{self.methodology} {self.methodology_version} / {self.year} ({self.status})"


class EnterpriseScore(models.Model):
    run = models.ForeignKey(ScoringRun, models.CASCADE, related_name="scores", verbose_name=_("run"))
    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, related_name="points_scores",
                                   verbose_name=_("enterprise"))
    stage = models.CharField(_("life-cycle stage"), max_length=30, blank=True)
    score = models.FloatField(_("score"), null=True)
    rank = models.PositiveIntegerField(_("rank overall"), null=True)
    stage_rank = models.PositiveIntegerField(_("rank in stage"), null=True)
    tier = models.CharField(_("tier"), max_length=20, blank=True)
    breakdown = models.JSONField(_("breakdown"), default=dict,
                                 help_text=_("Per indicator raw, normalised, weight and points; group scores; "
                                             "bonus and penalty."))

    class Meta:
        ordering = ["run", "rank"]
        verbose_name = _("enterprise score")
        verbose_name_plural = _("enterprise scores")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="one_score_per_run")]
        indexes = [models.Index(fields=["run", "stage", "stage_rank"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} @ run {self.run_id}: {self.score}"
