from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from innoregion.apps.imports.models import ImportBatch, QuarantinedRow


@admin.display(description=_("reason"))
def shown_reason(row) -> str:
    """The quarantine reason in the reader's language (the stored English one for old rows)."""
    return row.localised_reason()


class QuarantinedRowInline(admin.TabularInline):
    model = QuarantinedRow
    extra = 0
    fields = ("row_number", "column", shown_reason, "raw")
    readonly_fields = fields
    can_delete = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "source", "status", "rows_total", "rows_accepted", "rows_quarantined",
                    "values_created", "conflicts", "started_at")
    list_filter = ("source", "status")
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    inlines = [QuarantinedRowInline]


@admin.register(QuarantinedRow)
class QuarantinedRowAdmin(admin.ModelAdmin):
    list_display = ("batch", "row_number", "column", shown_reason)
    list_filter = ("batch__source", "kind")
    search_fields = ("reason", "column")
