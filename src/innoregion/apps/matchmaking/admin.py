from django.contrib import admin

from innoregion.apps.matchmaking.models import Capability, Match, RerankerModel, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("title", "owner_organisation", "cluster", "zone", "language", "status", "deadline")
    list_filter = ("status", "language", "cluster", "zone")
    search_fields = ("title", "description", "owner_organisation")
    raw_id_fields = ("created_by",)


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ("title", "enterprise", "maturity", "language", "status")
    list_filter = ("status", "language", "maturity")
    search_fields = ("title", "description", "enterprise__name_zh", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "submitted_by")


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ("scenario", "capability", "rank", "score", "method", "status", "decided_by", "decided_at")
    list_filter = ("status", "method")
    search_fields = ("scenario__title", "capability__title")
    raw_id_fields = ("scenario", "capability", "decided_by")
    readonly_fields = ("component_scores", "reasons", "created_at")


@admin.register(RerankerModel)
class RerankerModelAdmin(admin.ModelAdmin):
    list_display = ("created_at", "decisions", "active")
    list_filter = ("active",)
    search_fields = ("created_at",)
    readonly_fields = ("created_at", "decisions", "report", "model")
