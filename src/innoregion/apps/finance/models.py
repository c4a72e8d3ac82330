"""Financing: points-based credit applications and IP / equity pledge applications. The platform
tracks the registration of a pledge; it does not register it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.models import RestrictedQuerySet


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    REVIEWING = "reviewing", _("under review")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Application(models.Model):
    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, related_name="+",
                                   verbose_name=_("enterprise"))
    bank = models.ForeignKey("access.Bank", models.PROTECT, related_name="+", verbose_name=_("bank"))
    consent = models.ForeignKey("access.Consent", models.PROTECT, related_name="+",
                                verbose_name=_("consent"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("submitted by"))
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class CreditApplication(Application):
    """A loan applied for on the strength of the enterprise's innovation points (积分贷)."""

    points_at_application = models.FloatField(_("points when applied"), null=True, blank=True)
    tier_at_application = models.CharField(_("tier when applied"), max_length=20, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=12)

    class Meta(Application.Meta):
        verbose_name = _("points-based credit application")
        verbose_name_plural = _("points-based credit applications")


class PledgeApplication(Application):
    """An intellectual-property or equity pledge financing application."""

    class Kind(models.TextChoices):
        IP = "ip", _("intellectual-property pledge")
        EQUITY = "equity", _("equity pledge")

    class Registration(models.TextChoices):
        NOT_FILED = "not_filed", _("not yet filed")
        FILED = "filed", _("filed with the registry")
        REGISTERED = "registered", _("registered")
        REJECTED = "rejected", _("rejected by the registry")
        RELEASED = "released", _("released")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    pledged = models.TextField(_("pledged IP or equity"))
    registration_status = models.CharField(_("registration status"), max_length=12, choices=Registration.choices,
                                           default=Registration.NOT_FILED)
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    registration_updated_at = models.DateTimeField(_("registration updated"), null=True, blank=True)

    class Meta(Application.Meta):
        verbose_name = _("pledge application")
        verbose_name_plural = _("pledge applications")
