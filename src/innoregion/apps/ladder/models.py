"""Ladder runs (rule packs evaluated over the facts table) and benefit runs (免申即享 grants).

A run records what is needed to reproduce it: the inputs' SHA-256, the pack (or policy) versions, the
code version and timestamps. Outcomes and grants are never edited: a new run is a new row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReproducibleRun(models.Model):
    """What every ladder or benefit run records so that it can be repeated: its inputs' SHA-256, the
    code version, when it ran and who ran it."""

    inputs_sha256 = models.CharField(_("inputs SHA-256"), max_length=64)
    code_version = models.CharField(_("code version"), max_length=60)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   verbose_name=_("run by"))

    class Meta:
        abstract = True
        ordering = ["-started_at", "-pk"]


class LadderRun(ReproducibleRun):
    pack_versions = models.JSONField(_("pack versions"), default=list,
                                     help_text=_("The rule packs evaluated, as id@version."))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("outcomes"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True,
                               help_text=_("Counts per pack and outcome."))

    class Meta(ReproducibleRun.Meta):
        verbose_name = _("ladder run")
        verbose_name_plural = _("ladder runs")

    def __str__(self) -> str:
        return f"ladder run {self.pk} ({self.year or 'all years'})"


class LadderOutcome(models.Model):
    class Outcome(models.TextChoices):
        MET = "met", _("met")
        NOT_MET = "not_met", _("not met")
        UNKNOWN = "unknown", _("unknown")
        NEEDS_REVIEW = "needs_review", _("needs review")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    run = models.ForeignKey(LadderRun, models.CASCADE, related_name="outcomes", verbose_name=_("run"))
    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, related_name="ladder_outcomes",
                                   verbose_name=_("enterprise"))
    year = models.PositiveSmallIntegerField(_("year"))
    pack = models.CharField(_("rule pack"), max_length=40)
    version = models.CharField(_("pack version"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    score = models.FloatField(_("score"), null=True, blank=True,
                              help_text=_("Set when the score is fully determined."))
    score_lo = models.FloatField(_("lowest possible score"), null=True, blank=True)
    score_hi = models.FloatField(_("highest possible score"), null=True, blank=True)
    route = models.CharField(_("route"), max_length=40, blank=True)
    distance = models.FloatField(_("distance to qualifying"), null=True, blank=True)
    valid_until = models.PositiveSmallIntegerField(_("recognition valid until"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict,
                               help_text=_("Condition states, indicator points and bands, missing facts, gaps "
                                           "in zh, ko and en."))

    class Meta:
        ordering = ["run", "enterprise", "year", "pack"]
        verbose_name = _("ladder outcome")
        verbose_name_plural = _("ladder outcomes")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise", "year", "pack"],
                                               name="one_outcome_per_run_pack")]
        indexes = [models.Index(fields=["enterprise", "year", "pack"]), models.Index(fields=["run", "pack", "outcome"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.pack}: {self.outcome}"


class BenefitRun(ReproducibleRun):
    policy = models.CharField(_("policy"), max_length=60)
    policy_version = models.CharField(_("policy version"), max_length=30)
    year = models.PositiveSmallIntegerField(_("year"))
    ladder_run = models.ForeignKey(LadderRun, models.SET_NULL, null=True, blank=True, related_name="benefit_runs",
                                   verbose_name=_("ladder run"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=16, decimal_places=2)
    overflow = models.CharField(_("when the budget is short"), max_length=20)
    requested_total = models.DecimalField(_("requested (CNY)"), max_digits=16, decimal_places=2, default=0)
    paid_total = models.DecimalField(_("paid (CNY)"), max_digits=16, decimal_places=2, default=0)
    record = models.JSONField(_("run record"), default=dict)

    class Meta(ReproducibleRun.Meta):
        verbose_name = _("benefit run")
        verbose_name_plural = _("benefit runs")

    def __str__(self) -> str:
        return f"{self.policy} {self.policy_version} / {self.year}"


class BenefitGrant(models.Model):
    class Status(models.TextChoices):
        GRANTED = "granted", _("granted")
        PENDING = "pending", _("pending (missing facts)")

    run = models.ForeignKey(BenefitRun, models.CASCADE, related_name="grants", verbose_name=_("run"))
    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, related_name="benefit_grants",
                                   verbose_name=_("enterprise"))
    year = models.PositiveSmallIntegerField(_("year"))
    measure = models.CharField(_("measure"), max_length=60)
    cite = models.CharField(_("citation"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    requested = models.DecimalField(_("requested (CNY)"), max_digits=14, decimal_places=2, default=0)
    paid = models.DecimalField(_("paid (CNY)"), max_digits=14, decimal_places=2, default=0)
    missing = models.CharField(_("missing facts"), max_length=500, blank=True)

    class Meta:
        ordering = ["run", "measure", "enterprise"]
        verbose_name = _("benefit grant")
        verbose_name_plural = _("benefit grants")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise", "measure"], name="one_grant_per_measure")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.measure}: {self.paid}"
