"""The import pages: upload a department file, the list of import batches, a batch's report and
its rejected rows."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from innoregion.apps.access import audit
from innoregion.apps.access.policy import requires, restrict
from innoregion.apps.imports import services
from innoregion.apps.imports.forms import ImportForm
from innoregion.apps.imports.models import ImportBatch, QuarantinedRow
from innoregion.exports import safe_cell


@requires("imports.manage")
def imports(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_upload(form.cleaned_data["file"], form.cleaned_data["source"],
                                                  request.user)
        except Exception as exc:  # the service's own errors (unreadable file, unknown source, ...)
            messages.error(request, _("The import failed: %(reason)s") % {"reason": exc})
        else:
            audit.record(request.user, "imports.upload", batch,
                         after={"file": batch.file_name, "status": batch.status,
                                "rows_accepted": batch.rows_accepted, "rows_quarantined": batch.rows_quarantined,
                                "already_imported": bool(getattr(batch, "already_imported", False))})
            if getattr(batch, "already_imported", False):
                messages.info(request, _("This very file was imported before; nothing changed."))
            return redirect("imports:import-detail", pk=batch.pk)
    batches = restrict(ImportBatch.objects.all(), request.user, "view")[:100]
    return render(request, "imports/imports.html", {"form": form, "batches": batches})


@requires("imports.manage")
def import_detail(request, pk: int):
    batch = get_object_or_404(restrict(ImportBatch.objects.all(), request.user, "view"), pk=pk)
    rows = restrict(QuarantinedRow.objects.filter(batch=batch), request.user, "view")[:200]
    return render(request, "imports/import_detail.html", {"batch": batch, "rows": rows})


@requires("imports.manage")
def import_rejected(request, pk: int):
    batch = get_object_or_404(restrict(ImportBatch.objects.all(), request.user, "view"), pk=pk)
    rows = restrict(QuarantinedRow.objects.filter(batch=batch), request.user, "view").order_by("row_number")
    keys: list[str] = []
    for r in rows:
        for k in (r.raw or {}):
            if k not in keys:
                keys.append(k)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_("row"), _("column"), _("reason"), *keys])  # the reader's language, as the reasons
    for r in rows:
        w.writerow([r.row_number, safe_cell(r.column), safe_cell(r.localised_reason()),
                    *[safe_cell((r.raw or {}).get(k, "")) for k in keys]])
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
    return resp
