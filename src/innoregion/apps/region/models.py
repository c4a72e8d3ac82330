"""The region database: enterprises, zones, clusters, platforms, the indicator catalogue and the
yearly filings departments send. Import batches, raw files and quarantined rows live in the
``imports`` app; a filing points at the batch that brought it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from innoregion.data import creditcode


class TrilingualName(models.Model):
    """Names in Chinese (required), Korean and English; ``name`` picks the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("ko") and self.name_ko:
            return self.name_ko
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def __str__(self) -> str:
        return self.name


def validate_credit_code(value: str) -> None:
    try:
        creditcode.validate(value)
    except creditcode.CreditCodeError as exc:
        raise ValidationError(str(exc), code="invalid_credit_code") from exc


class Zone(TrilingualName):
    """One of the "3 zones, 1 core, 2 circles" of the innovation space."""

    class Kind(models.TextChoices):
        ZONE = "zone", _("zone")
        CORE = "core", _("core")
        CIRCLE = "circle", _("eco-circle")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    geometry = models.JSONField(_("polygon (GeoJSON)"), help_text=_("A GeoJSON Polygon in WGS 84 (lon, lat)."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def clean(self) -> None:
        geom = self.geometry or {}
        if geom.get("type") != "Polygon" or not geom.get("coordinates"):
            raise ValidationError({"geometry": _("geometry must be a GeoJSON Polygon")})
        ring = geom["coordinates"][0]
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise ValidationError({"geometry": _("a polygon ring needs at least 4 points and must be closed")})


class Cluster(TrilingualName):
    """One of the "2 valleys, 1 base, 2 highlands" industry clusters."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10)
    industries = models.JSONField(_("GB/T 4754 industry prefixes"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")


class Enterprise(TrilingualName):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        DEREGISTERED = "deregistered", _("deregistered")

    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    founded = models.DateField(_("date founded"))
    industry = models.CharField(_("industry (GB/T 4754)"), max_length=5, db_index=True)
    cluster = models.ForeignKey(Cluster, models.PROTECT, null=True, blank=True, related_name="enterprises",
                                verbose_name=_("cluster"))
    zone = models.ForeignKey(Zone, models.PROTECT, null=True, blank=True, related_name="enterprises",
                             verbose_name=_("zone"))
    listed = models.BooleanField(_("listed"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["credit_code"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [models.Index(fields=["cluster", "zone"])]

    def save(self, *args, **kwargs):
        self.credit_code = creditcode.validate(self.credit_code)
        super().save(*args, **kwargs)


class Platform(TrilingualName):
    """Labs, new-type R&D institutions, infrastructure, joint colleges, incubators, the
    proof-of-concept centre: task 1 (platforms) and tasks 3-4 of the action plan."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        MUNICIPAL = "municipal", _("municipal")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    host = models.CharField(_("host organisation"), max_length=200, blank=True)
    host_enterprise = models.ForeignKey(Enterprise, models.SET_NULL, null=True, blank=True,
                                        related_name="platforms", verbose_name=_("host enterprise"))
    zone = models.ForeignKey(Zone, models.PROTECT, null=True, blank=True, related_name="platforms",
                             verbose_name=_("zone"))
    established = models.DateField(_("established"), null=True, blank=True)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")


class Indicator(TrilingualName):
    """The catalogue of what departments file (loaded from ``innoregion/data/catalogue.yaml``)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    type = models.CharField(_("type"), max_length=10)
    min_value = models.FloatField(_("minimum"), default=0.0)
    max_value = models.FloatField(_("maximum"))
    sources = models.JSONField(_("source departments"), default=list)
    authoritative_source = models.CharField(_("authoritative source"), max_length=10)
    tolerance = models.FloatField(_("conflict tolerance (relative)"), default=0.0)
    catalogue_version = models.CharField(_("catalogue version"), max_length=20)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")


class Source(models.TextChoices):
    REGISTRY = "registry", _("market regulation (register)")
    TAX = "tax", _("tax bureau")
    IP = "ip", _("IP office")
    HR = "hr", _("social insurance")
    STATS = "stats", _("statistics bureau")
    SELF = "self", _("self-declared")


class Filing(models.Model):
    """One value one department filed for one enterprise, year and indicator.

    A correction never overwrites: the new value is a new row, the old one gets ``is_current=False``
    with ``superseded_at`` and ``superseded_by_batch``; the history stays queryable."""

    # No single-column indexes on the foreign keys: (enterprise, year) and the current-filing constraint
    # lead with the enterprise; looking filings up by indicator or batch alone is rare (deleting one);
    # every index costs time on each bulk import (docs/benchmarks.md, "Department imports").
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="filings", verbose_name=_("enterprise"),
                                   db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="filings", verbose_name=_("indicator"),
                                  db_index=False)
    source = models.CharField(_("source department"), max_length=10, choices=Source.choices)
    value = models.FloatField(_("value"))
    batch = models.ForeignKey("imports.ImportBatch", models.PROTECT, related_name="filings",
                              verbose_name=_("import batch"), db_index=False)  # see the comment above
    row_number = models.PositiveIntegerField(_("row in file"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by_batch = models.ForeignKey("imports.ImportBatch", models.PROTECT, null=True, blank=True,
                                            related_name="superseded_filings",
                                            verbose_name=_("superseded by batch"), db_index=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "indicator", "source"],
                                    condition=models.Q(is_current=True), name="one_current_filing_per_source"),
        ]
        indexes = [models.Index(fields=["year", "indicator"]), models.Index(fields=["enterprise", "year"]),
                   models.Index(fields=["superseded_by_batch"], condition=models.Q(superseded_by_batch__isnull=False),
                                name="filing_superseded_by_batch")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.year}/{self.indicator_id}@{self.source}={self.value:g}"


class FilingConflict(models.Model):
    """Two departments filed different values (beyond the indicator's tolerance) for the same
    enterprise, year and indicator. Kept, visible, and resolved by a person, never silently."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="conflicts", verbose_name=_("enterprise"))
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, verbose_name=_("indicator"))
    values = models.JSONField(_("values by source"))
    effective_source = models.CharField(_("source that counts"), max_length=10)
    detected_in = models.ForeignKey("imports.ImportBatch", models.PROTECT, related_name="detected_conflicts",
                                    verbose_name=_("detected in batch"))
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        verbose_name = _("filing conflict")
        verbose_name_plural = _("filing conflicts")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "indicator"],
                                               condition=models.Q(resolved=False), name="one_open_conflict")]
