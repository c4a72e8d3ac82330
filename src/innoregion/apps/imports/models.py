"""Import batches: one department file, stored raw with its SHA-256, imported all-or-nothing;
its bad rows are quarantined with file, row, column and reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innoregion.apps.imports.reasons import localised_reason
from innoregion.apps.region.models import Source


class FileImport(models.Model):
    """What every imported file records (department files here, talents files in the talent app):
    the raw file kept under its SHA-256, the counts, the report, who and when."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("imported")
        REJECTED = "rejected", _("rejected (nothing imported)")

    file_name = models.CharField(_("file name"), max_length=255)
    raw_path = models.CharField(_("stored raw file"), max_length=500)
    encoding = models.CharField(_("detected encoding"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_quarantined = models.PositiveIntegerField(_("rows quarantined"), default=0)
    report = models.JSONField(_("report"), default=dict)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-started_at"]


class QuarantineRecord(models.Model):
    """A row of an imported file that was not imported, and why (row as a person sees it in a
    spreadsheet, the column, the value as read, the reason, the whole row). The reason is stored in
    English and as the engine's machine ``kind`` and ``params``, from which the pages and downloads
    show it in the reader's language (:meth:`localised_reason`); rows stored before kinds existed have
    no kind and show their English reason."""

    row_number = models.PositiveIntegerField(_("row in file"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.TextField(_("value as read"), blank=True)
    reason = models.TextField(_("reason"))
    kind = models.CharField(_("kind of reason"), max_length=40, blank=True, default="")
    params = models.JSONField(_("values in the reason"), blank=True, default=dict)
    raw = models.JSONField(_("row as read"))

    class Meta:
        abstract = True
        ordering = ["batch", "row_number"]

    def localised_reason(self) -> str:
        return localised_reason(self.kind, self.params, self.reason)


class ImportBatch(FileImport):
    source = models.CharField(_("source department"), max_length=10, choices=Source.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    values_created = models.PositiveIntegerField(_("values recorded"), default=0)
    values_superseded = models.PositiveIntegerField(_("values corrected"), default=0)
    values_unchanged = models.PositiveIntegerField(_("values unchanged"), default=0)
    conflicts = models.PositiveIntegerField(_("conflicts found"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    verbose_name=_("imported by"))

    class Meta(FileImport.Meta):
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        constraints = [models.UniqueConstraint(fields=["source", "sha256"], name="one_batch_per_file")]

    def __str__(self) -> str:
        return f"{self.source}:{self.file_name} ({self.sha256[:10]})"


class QuarantinedRow(QuarantineRecord):
    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="quarantine", verbose_name=_("batch"))

    class Meta(QuarantineRecord.Meta):
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
