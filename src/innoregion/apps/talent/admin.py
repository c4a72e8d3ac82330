from django.contrib import admin

from innoregion.apps.imports.admin import shown_reason
from innoregion.apps.talent.models import (
    IssuerKey,
    Talent,
    TalentCredential,
    TalentImportBatch,
    TalentPersonalData,
    TalentQuarantinedRow,
)


class PersonalInline(admin.StackedInline):
    model = TalentPersonalData
    can_delete = False
    extra = 0


@admin.register(Talent)
class TalentAdmin(admin.ModelAdmin):
    list_display = ("pseudonymous_id", "tier", "catalogue_version", "field", "cluster", "affiliation_type",
                    "affiliation_name", "two_way_post", "part_time_post", "startup_founder")
    list_filter = ("tier", "field", "affiliation_type", "two_way_post", "part_time_post", "startup_founder")
    search_fields = ("pseudonymous_id", "affiliation_name")
    readonly_fields = ("pseudonymous_id", "placement_explanation", "placed_at", "created_at", "updated_at")
    raw_id_fields = ("user", "affiliation")
    inlines = [PersonalInline]


@admin.register(TalentPersonalData)
class TalentPersonalDataAdmin(admin.ModelAdmin):
    list_display = ("talent", "name", "source_id")
    list_filter = ("talent__tier",)
    search_fields = ("talent__pseudonymous_id", "name", "source_id")
    raw_id_fields = ("talent",)


@admin.register(IssuerKey)
class IssuerKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "algorithm", "status", "created_at", "retired_at", "verify_until")
    list_filter = ("status", "algorithm")
    search_fields = ("kid",)
    readonly_fields = ("kid", "algorithm", "public_key", "created_at")


@admin.register(TalentCredential)
class TalentCredentialAdmin(admin.ModelAdmin):
    list_display = ("talent", "tier", "status", "issuer_key", "status_list", "status_index", "issued_at",
                    "expires_at")
    list_filter = ("status", "tier", "issuer_key")
    search_fields = ("talent__pseudonymous_id",)
    exclude = ("device_private_key",)
    readonly_fields = ("talent", "issuer_key", "status_list", "status_index", "tier", "catalogue_version",
                       "issued_at", "expires_at", "credential", "device_public_key", "issued_by", "status",
                       "status_reason", "status_changed_at")


class QuarantineInline(admin.TabularInline):
    model = TalentQuarantinedRow
    extra = 0
    can_delete = False
    fields = ("row_number", "column", "value", shown_reason, "raw")
    readonly_fields = fields


@admin.register(TalentImportBatch)
class TalentImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "status", "rows_total", "rows_accepted", "rows_quarantined", "talents_created",
                    "talents_updated", "started_at", "imported_by")
    list_filter = ("status",)
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in TalentImportBatch._meta.fields]
    inlines = [QuarantineInline]


@admin.register(TalentQuarantinedRow)
class TalentQuarantinedRowAdmin(admin.ModelAdmin):
    list_display = ("batch", "row_number", "column", shown_reason)
    list_filter = ("batch", "kind")
    search_fields = ("reason", "column", "value")
