"""Who may see what: roles (official, enterprise user, bank user, administrator), banks and their
API tokens, the consents enterprises give banks, and the append-only audit log.

Every read of protected data goes through :func:`innoregion.apps.access.restrict.restrict`
(also available as ``.restrict(user, action)`` on the querysets of this app's models)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RestrictedQuerySet(models.QuerySet):
    """NetBox's pattern: ``Model.objects.restrict(user, action)`` is the only way views read."""

    def restrict(self, user, action: str = "view"):
        from innoregion.apps.access.policy import restrict

        return restrict(self, user, action)


class Role(models.TextChoices):
    OFFICIAL = "official", _("official (S&T bureau)")
    ENTERPRISE = "enterprise", _("enterprise user")
    BANK = "bank", _("bank user")
    ADMIN = "admin", _("administrator")


class Bank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("bank")
        verbose_name_plural = _("banks")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """The role of one login; an enterprise user is bound to one enterprise, a bank user to one bank."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile",
                                verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, null=True, blank=True,
                                   related_name="users", verbose_name=_("enterprise"))
    bank = models.ForeignKey(Bank, models.CASCADE, null=True, blank=True, related_name="users",
                             verbose_name=_("bank"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="enterprise", enterprise__isnull=False, bank__isnull=True)
                           | models.Q(role="bank", bank__isnull=False, enterprise__isnull=True)
                           | (models.Q(role__in=["official", "admin"], bank__isnull=True,
                                       enterprise__isnull=True))),
                name="profile_binding_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class ConsentQuerySet(RestrictedQuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)

    def with_scope(self, scope: str):
        if scope not in ("summary", "breakdown", "filings"):
            return self.none()
        return self.filter(**{f"scope_{scope}": True})


class Consent(models.Model):
    """An enterprise lets one bank read its data, within scopes, for a purpose, until expiry."""

    enterprise = models.ForeignKey("region.Enterprise", models.CASCADE, related_name="consents",
                                   verbose_name=_("enterprise"))
    bank = models.ForeignKey(Bank, models.CASCADE, related_name="consents", verbose_name=_("bank"))
    scope_summary = models.BooleanField(_("summary (points, tier, rung)"), default=True)
    scope_breakdown = models.BooleanField(_("points breakdown"), default=False)
    scope_filings = models.BooleanField(_("filings"), default=False)
    purpose = models.CharField(_("purpose"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("revoked by"))

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["bank", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} -> {self.bank_id} {self.scopes}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at

    @property
    def scopes(self) -> list[str]:
        return [s for s in ("summary", "breakdown", "filings") if getattr(self, f"scope_{s}")]

    def as_dict(self) -> dict:
        return {"enterprise": self.enterprise_id, "bank": self.bank_id, "scopes": list(self.scopes),
                "purpose": self.purpose, "expires_at": self.expires_at.isoformat(),
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bank's API token. Only the SHA-256 of the token is stored; the token is shown once."""

    bank = models.ForeignKey(Bank, models.CASCADE, related_name="tokens", verbose_name=_("bank"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                             verbose_name=_("acts as user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at


class AuditError(PermissionDenied):
    """Audit rows are append-only."""


class AuditQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise AuditError("audit entries are append-only")

    def delete(self):
        raise AuditError("audit entries are append-only")

    def bulk_update(self, *args, **kwargs):
        raise AuditError("audit entries are append-only")


class AuditEntry(models.Model):
    """Append-only: who did what to which object, before/after, when; for bank reads, under which
    consent. Never updated, never deleted (model guards; a trigger on PostgreSQL)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, blank=True,
                              related_name="+", verbose_name=_("who"), db_constraint=False)
    actor_label = models.CharField(_("who (as recorded)"), max_length=200, blank=True)
    bank = models.ForeignKey(Bank, models.DO_NOTHING, null=True, blank=True, related_name="+",
                             verbose_name=_("bank"), db_constraint=False)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    enterprise = models.ForeignKey("region.Enterprise", models.DO_NOTHING, null=True, blank=True,
                                   related_name="+", verbose_name=_("enterprise"), db_constraint=False)
    consent = models.ForeignKey(Consent, models.DO_NOTHING, null=True, blank=True, related_name="+",
                                verbose_name=_("consent"), db_constraint=False)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["enterprise", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditError("audit entries are append-only")
        kwargs.pop("force_update", None)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditError("audit entries are append-only")
