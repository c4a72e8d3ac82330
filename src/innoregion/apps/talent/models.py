"""Talent registry and the New Area talent code (人才码).

Personal data (name, ID number, contact, birth year, salary) lives only in :class:`TalentPersonalData`;
everything else, and every issued code, refers to a talent by a random pseudonymous id.
Issuer private keys are not in the database: :class:`IssuerKey` holds the public half and the
validity dates; the private half is a 0600 file in the data folder (docs/talent-code.md, "Keys").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoregion.apps.imports.models import FileImport, QuarantineRecord
from innoregion.engines.credentials.issuer import new_subject_id


class AffiliationType(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    UNIVERSITY = "university", _("university")
    INSTITUTE = "institute", _("research institute")
    PLATFORM = "platform", _("innovation platform")


class Field(models.TextChoices):
    OPTOELECTRONICS = "optoelectronics", _("optoelectronics and lasers")
    BIOPHARMA = "biopharma", _("biopharmaceuticals and medical devices")
    NEW_MATERIALS = "new_materials", _("new materials")
    AEROSPACE = "aerospace", _("aerospace and satellites")
    AI_DIGITAL = "ai_digital", _("AI and digital economy")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("advanced manufacturing and automotive")
    MODERN_SERVICES = "modern_services", _("modern services")
    OTHER = "other", _("other")


class Degree(models.TextChoices):
    NONE = "", _("none recorded")
    BACHELOR = "bachelor", _("bachelor")
    MASTER = "master", _("master")
    DOCTORATE = "doctorate", _("doctorate")


class Talent(models.Model):
    pseudonymous_id = models.CharField(_("pseudonymous id"), max_length=32, unique=True, default=new_subject_id,
                                       editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="talent", verbose_name=_("login"))
    affiliation = models.ForeignKey("region.Enterprise", models.SET_NULL, null=True, blank=True,
                                    related_name="talents", verbose_name=_("affiliated enterprise"))
    affiliation_type = models.CharField(_("affiliation type"), max_length=12, choices=AffiliationType.choices,
                                        default=AffiliationType.ENTERPRISE)
    affiliation_name = models.CharField(_("affiliation name"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, default=Field.OTHER,
                             db_index=True)
    cluster = models.ForeignKey("region.Cluster", models.SET_NULL, null=True, blank=True, related_name="talents",
                                verbose_name=_("cluster"))
    degree = models.CharField(_("highest degree"), max_length=12, choices=Degree.choices, blank=True)
    titles = models.JSONField(_("titles (catalogue codes)"), default=list, blank=True)
    awards = models.JSONField(_("awards (catalogue codes)"), default=list, blank=True)
    positions = models.JSONField(_("positions (catalogue codes)"), default=list, blank=True)
    two_way_post = models.BooleanField(_("two-way post"), default=False)
    part_time_post = models.BooleanField(_("part-time post"), default=False)
    startup_founder = models.BooleanField(_("start-up founder"), default=False)
    tier = models.CharField(_("tier"), max_length=8, blank=True, db_index=True)
    catalogue_version = models.CharField(_("tier catalogue"), max_length=80, blank=True)
    placement_explanation = models.JSONField(_("placement explanation"), default=list, blank=True)
    placed_at = models.DateTimeField(_("placed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pseudonymous_id"]
        verbose_name = _("talent")
        verbose_name_plural = _("talents")
        permissions = [
            ("issue_credential", _("Can issue, suspend and revoke talent codes")),
            ("verify_credential", _("Can verify talent codes at a service point")),
        ]

    def __str__(self) -> str:
        return self.pseudonymous_id

    def save(self, *args, **kwargs):
        if self.cluster_id is None and self.affiliation_id is not None:
            self.cluster_id = self.affiliation.cluster_id
        if not self.affiliation_name and self.affiliation_id is not None:
            self.affiliation_name = self.affiliation.name_zh
        super().save(*args, **kwargs)

    def facts(self) -> dict:
        """What the tier rules look at (engines.credentials.catalogue.place_in_tier)."""
        flags = [name for name in ("startup_founder", "two_way_post", "part_time_post") if getattr(self, name)]
        facts = {"titles": list(self.titles), "awards": list(self.awards), "positions": list(self.positions),
                 "flags": flags, "degree": self.degree or None}
        personal = TalentPersonalData.objects.filter(talent=self).first()
        if personal is not None:
            if personal.birth_year:
                facts["age"] = timezone.now().year - personal.birth_year
            if personal.annual_salary_cny is not None:
                facts["annual_salary_cny"] = personal.annual_salary_cny
        return facts


class TalentPersonalData(models.Model):
    """The minimum needed to identify the person; shown only to officials with the permission."""

    talent = models.OneToOneField(Talent, models.CASCADE, primary_key=True, related_name="personal",
                                  verbose_name=_("talent"))
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(_("ID or passport number"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    annual_salary_cny = models.PositiveIntegerField(_("declared annual salary (CNY)"), null=True, blank=True)
    # the talent office's own id for the person (talents.csv): it links to the office's records, so it is
    # kept here, apart, and never in the registry or a code
    source_id = models.CharField(_("talent office's id"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("talent personal data")
        verbose_name_plural = _("talent personal data")
        constraints = [models.UniqueConstraint(fields=["source_id"], condition=~models.Q(source_id=""),
                                               name="talent_personal_unique_source_id")]

    def __str__(self) -> str:
        return f"{self.talent_id}"


class IssuerKey(models.Model):
    """Public half and life of an issuer key. The private half is a file, never a database column."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active (signs new codes)")
        RETIRED = "retired", _("retired (verifies until its date)")
        COMPROMISED = "compromised", _("compromised (trusted no more)")

    kid = models.SlugField(_("key id"), max_length=40, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=20, default="Ed25519")
    public_key = models.CharField(_("public key (base64url)"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("stopped signing"), null=True, blank=True)
    verify_until = models.DateTimeField(_("trusted for verification until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")

    def __str__(self) -> str:
        return f"{self.kid} ({self.status})"


class TalentCredential(models.Model):
    """One issued talent code."""

    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        SUSPENDED = "suspended", _("suspended")
        REVOKED = "revoked", _("revoked")

    talent = models.ForeignKey(Talent, models.CASCADE, related_name="credentials", verbose_name=_("talent"))
    issuer_key = models.ForeignKey(IssuerKey, models.PROTECT, related_name="credentials",
                                   verbose_name=_("issuer key"))
    status_list = models.CharField(_("status list"), max_length=40)
    status_index = models.PositiveIntegerField(_("status list index"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID,
                              db_index=True)
    tier = models.CharField(_("tier"), max_length=8)
    catalogue_version = models.CharField(_("tier catalogue"), max_length=80)
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    credential = models.TextField(_("signed credential (base64url)"))
    device_public_key = models.CharField(_("device public key (base64url)"), max_length=200)
    # Web demo only: the server plays the holder's device, so it keeps the device key, encrypted with a
    # key derived from SECRET_KEY. A phone app would keep it in its secure element instead.
    device_private_key = models.TextField(_("device private key (encrypted, web demo)"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("issued by"))
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("talent code")
        verbose_name_plural = _("talent codes")
        constraints = [models.UniqueConstraint(fields=["status_list", "status_index"],
                                               name="talent_credential_unique_status_slot")]

    def __str__(self) -> str:
        return f"{self.talent_id} {self.tier} {self.status}"


class TalentImportBatch(FileImport):
    """One imported talents file, stored raw with its SHA-256 (the same file twice changes nothing)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    talents_created = models.PositiveIntegerField(_("talents created"), default=0)
    talents_updated = models.PositiveIntegerField(_("talents updated"), default=0)
    talents_unchanged = models.PositiveIntegerField(_("talents unchanged"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("imported by"))

    class Meta(FileImport.Meta):
        verbose_name = _("talent import")
        verbose_name_plural = _("talent imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:10]})"


class TalentQuarantinedRow(QuarantineRecord):
    """A row of a talents file that was not imported, and why. Same fields as the department imports'
    quarantine, so their CSV/XLSX exports (innoregion.apps.imports.services) work on it too."""

    batch = models.ForeignKey(TalentImportBatch, models.CASCADE, related_name="quarantine",
                              verbose_name=_("import"))

    class Meta(QuarantineRecord.Meta):
        verbose_name = _("quarantined talent row")
        verbose_name_plural = _("quarantined talent rows")
