"""Matchmaking: the list of application scenarios (needs published by officials), the list of
capabilities (offers submitted by enterprises) and the matches proposed between them, which
caseworkers accept or reject (seed, section 4: "publish a list of application scenarios and a list of
capabilities")."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.models import RestrictedQuerySet


class Language(models.TextChoices):
    ZH = "zh", _("Chinese")
    KO = "ko", _("Korean")
    EN = "en", _("English")


class Scenario(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    owner_organisation = models.CharField(_("owner organisation"), max_length=200)
    cluster = models.ForeignKey("region.Cluster", models.PROTECT, null=True, blank=True,
                                related_name="scenarios", verbose_name=_("cluster"))
    zone = models.ForeignKey("region.Zone", models.PROTECT, null=True, blank=True,
                             related_name="scenarios", verbose_name=_("zone"))
    budget_min = models.DecimalField(_("budget from (CNY 10,000)"), max_digits=12, decimal_places=2,
                                     null=True, blank=True, validators=[MinValueValidator(0)])
    budget_max = models.DecimalField(_("budget up to (CNY 10,000)"), max_digits=12, decimal_places=2,
                                     null=True, blank=True, validators=[MinValueValidator(0)])
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True,
                                help_text=_("Left empty, it is told from the text."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    source_ref = models.CharField(_("reference in the source list"), max_length=40, blank=True, db_index=True,
                                  help_text=_("The id a published list gave it (e.g. SC00001); re-loading "
                                              "the list updates the same scenario."))
    candidate_filters = models.JSONField(
        _("candidate filters"), default=dict, blank=True,
        help_text=_('Optional: {"cluster": [...], "zone": [...], "points_tier": [...], "min_ladder_rung": 2}'))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True) | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="scenario_budget_range_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            raise ValidationError({"budget_max": _("the upper bound must not be below the lower bound")})

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"


class Capability(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, related_name="capabilities",
                                   verbose_name=_("enterprise"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    keywords = models.JSONField(_("technology keywords"), default=list, blank=True)
    maturity = models.PositiveSmallIntegerField(
        _("maturity (TRL 1-9)"), validators=[MinValueValidator(1), MaxValueValidator(9)])
    references = models.TextField(_("references"), blank=True,
                                  help_text=_("Customers, projects, certificates."))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True,
                                help_text=_("Left empty, it is told from the text."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED,
                              db_index=True)
    source_ref = models.CharField(_("reference in the source list"), max_length=40, blank=True, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.CheckConstraint(condition=models.Q(maturity__gte=1) & models.Q(maturity__lte=9),
                                   name="capability_trl_1_to_9"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        keywords = ", ".join(str(k) for k in (self.keywords or []))
        return f"{self.title}\n{self.description}" + (f"\n{keywords}" if keywords else "")


class Match(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    scenario = models.ForeignKey(Scenario, models.CASCADE, related_name="matches", verbose_name=_("scenario"))
    capability = models.ForeignKey(Capability, models.CASCADE, related_name="matches",
                                   verbose_name=_("capability"))
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    score = models.FloatField(_("score"))
    method = models.CharField(_("method"), max_length=30, default="fusion")
    component_scores = models.JSONField(_("component scores"), default=dict)
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "rank", "-score"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["scenario", "capability"], name="match_unique_pair"),
            models.CheckConstraint(
                condition=(models.Q(status="proposed", decided_at__isnull=True)
                           | (models.Q(status__in=["accepted", "rejected"]) & models.Q(decided_at__isnull=False))),
                name="match_decision_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} ↔ {self.capability} ({self.get_status_display()})"


class RerankerModel(models.Model):
    """A re-ranker learnt from caseworkers' decisions, with the measurement that decided whether to keep
    it. Only the latest row with ``active`` set is used."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decisions = models.PositiveIntegerField(_("decisions"))
    report = models.JSONField(_("measurement"))
    model = models.JSONField(_("model"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-ranker")
        verbose_name_plural = _("re-rankers")

    def __str__(self) -> str:
        return f"re-ranker {self.created_at:%Y-%m-%d %H:%M} ({'in use' if self.active else 'not used'})"
