"""Department-file imports as background jobs (kind ``imports.file``), for files too large to import
while a page waits. The file is uploaded first (kept under ``<data dir>/uploads`` by its SHA-256) or,
on the command line, named by its path on the server; the job checks it with the ingest engine and
writes the batch, its quarantine, the filings and the conflicts in one transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from innoregion.apps.imports.models import ImportBatch
from innoregion.apps.jobs.forms import JobForm
from innoregion.apps.jobs.registry import register_kind
from innoregion.apps.jobs.services import JobError
from innoregion.apps.region.models import Source


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(uploaded) -> Path:
    """Keep an uploaded file under ``<data dir>/uploads/<sha256><suffix>`` (written, hashed, renamed)."""
    folder = uploads_dir()
    suffix = "".join(c for c in Path(uploaded.name).suffix.lower() if c.isalnum() or c == ".")[:10] or ".csv"
    tmp = folder / f".part-{get_random_string(16)}"
    digest = hashlib.sha256()
    with open(tmp, "wb") as fh:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            fh.write(chunk)
    final = folder / f"{digest.hexdigest()}{suffix}"
    tmp.replace(final)
    return final


class ImportJobForm(JobForm):
    file = forms.FileField(label=_("Department file"), required=False,
                           help_text=_("CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX, as the department delivered it."))
    source = forms.ChoiceField(label=_("Source department"),
                               choices=[("auto", _("from the file name")), *Source.choices], initial="auto")
    year = forms.IntegerField(label=_("Year of the filings"), min_value=1990, max_value=2100, required=False,
                              help_text=_("Only when neither the file name nor the file says it."))
    path = forms.CharField(label=_("File on the server"), required=False, max_length=1000)
    file_name = forms.CharField(label=_("File name"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.trusted:  # a web user uploads; only the command line names server paths
            del self.fields["path"]
            del self.fields["file_name"]

    def clean(self):
        data = super().clean()
        if data.get("file"):
            return data
        path = data.get("path")
        if not path:
            raise forms.ValidationError(_("Choose the file to import."))
        if not Path(path).is_file():
            raise forms.ValidationError(_("There is no file %(path)s on the server."), params={"path": path})
        return data

    def job_parameters(self) -> dict:
        data = self.cleaned_data
        if data.get("file"):
            path, name = store_upload(data["file"]), Path(data["file"].name).name
        else:
            path, name = Path(data["path"]).resolve(), data.get("file_name") or Path(data["path"]).name
        return {"path": str(path), "file_name": name, "source": data["source"], "year": data.get("year")}


def run_import(parameters: dict, report) -> dict:
    from innoregion.apps.imports.services import import_bytes

    path, name = Path(parameters.get("path") or ""), parameters.get("file_name") or ""
    name = name or path.name
    if not path.is_file():
        raise JobError(gettext_noop("The file %(name)s is no longer on the server; upload it again."), name=name)
    report(0, 2, gettext_noop("Reading %(name)s (%(size)s bytes)"), name=name, size=path.stat().st_size)
    data = path.read_bytes()
    report(1, 2, gettext_noop("Checking every row of %(name)s and writing the filings"), name=name)
    with report.atomic():
        batch = import_bytes(data, name, parameters.get("source") or "auto", report.user, year=parameters.get("year"))
    if batch.status == ImportBatch.Status.REJECTED:
        raise JobError(gettext_noop("The file %(name)s was rejected as a whole, nothing was imported: %(reason)s"),
                       name=name, reason=str((batch.report or {}).get("rejected", "")))
    if getattr(batch, "already_imported", False):
        report.log(gettext_noop("This file was imported before (batch %(batch)s): nothing changed."), batch=batch.pk)
    return {"import_batch": batch.pk, "file": batch.file_name, "source": batch.source,
            "rows_accepted": batch.rows_accepted, "rows_quarantined": batch.rows_quarantined,
            "conflicts": batch.conflicts, "already_imported": bool(getattr(batch, "already_imported", False))}


def batch_page(result: dict) -> str | None:
    return reverse("imports:import-detail", args=[result["import_batch"]]) if result.get("import_batch") else None


register_kind("imports.file", run_import, _("Import of a department file"), ImportJobForm, "jobs.start",
              result_url=batch_page)
