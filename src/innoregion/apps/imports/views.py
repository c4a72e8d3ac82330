"""The import pages: upload a department file, the list of import batches, a batch's report and
its rejected rows."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from innoregion.apps.access import audit
from innoregion.apps.access.policy import requires, restrict
from innoregion.apps.imports import services
from innoregion.apps.imports.filtersets import BatchFilter, QuarantinedRowFilter
from innoregion.apps.imports.forms import ImportForm
from innoregion.apps.imports.models import ImportBatch, QuarantinedRow
from innoregion.apps.imports.tables import BatchTable, QuarantinedRowTable
from innoregion.exports import csv_text
from innoregion.site.lists import list_page


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
    return list_page(request, "imports/imports.html",
                     queryset=restrict(ImportBatch.objects.all(), request.user, "view"),
                     table_class=BatchTable, filterset_class=BatchFilter, export_name="imports",
                     extra_context={"form": form})


@requires("imports.manage")
def import_detail(request, pk: int):
    batch = get_object_or_404(restrict(ImportBatch.objects.all(), request.user, "view"), pk=pk)
    return list_page(request, "imports/import_detail.html",
                     queryset=restrict(QuarantinedRow.objects.filter(batch=batch), request.user, "view"),
                     table_class=QuarantinedRowTable, filterset_class=QuarantinedRowFilter,
                     export_name=f"quarantined-{batch.pk}", extra_context={"batch": batch})


@requires("imports.manage")
def import_rejected(request, pk: int):
    batch = get_object_or_404(restrict(ImportBatch.objects.all(), request.user, "view"), pk=pk)
    rows = restrict(QuarantinedRow.objects.filter(batch=batch), request.user, "view").order_by("row_number")
    keys: list[str] = []
    for r in rows:
        for k in (r.raw or {}):
            if k not in keys:
                keys.append(k)
    header = [_("row"), _("column"), _("reason"), *keys]  # the reader's language, as the reasons
    body = csv_text(header, ([r.row_number, r.column, r.localised_reason(),
                              *[(r.raw or {}).get(k, "") for k in keys]] for r in rows))
    resp = HttpResponse(body, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
    return resp
