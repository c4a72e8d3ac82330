from django.contrib import admin

from innoregion.apps.region.models import (
    Cluster,
    Enterprise,
    Filing,
    FilingConflict,
    Indicator,
    Platform,
    Zone,
)

NAME_SEARCH = ("name_zh", "name_ko", "name_en")


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_ko", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", *NAME_SEARCH)


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_ko", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", *NAME_SEARCH)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("credit_code", "name_zh", "name_en", "industry", "cluster", "zone", "listed", "status", "founded")
    list_filter = ("cluster", "zone", "listed", "status")
    search_fields = ("credit_code", "industry", *NAME_SEARCH)
    date_hierarchy = "founded"
    list_select_related = ("cluster", "zone")


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "level", "zone", "host")
    list_filter = ("kind", "level", "zone")
    search_fields = ("code", "host", *NAME_SEARCH)
    raw_id_fields = ("host_enterprise",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "type", "unit", "authoritative_source", "catalogue_version")
    list_filter = ("type", "authoritative_source")
    search_fields = ("code", *NAME_SEARCH)


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "indicator", "source", "value", "is_current", "batch", "created_at")
    list_filter = ("source", "year", "is_current", "indicator")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh", "indicator__code")
    raw_id_fields = ("enterprise", "batch", "superseded_by_batch")
    list_select_related = ("enterprise", "indicator", "batch")


@admin.register(FilingConflict)
class FilingConflictAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "indicator", "values", "effective_source", "resolved", "detected_at")
    list_filter = ("resolved", "year", "indicator")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh")
    raw_id_fields = ("enterprise", "detected_in")
