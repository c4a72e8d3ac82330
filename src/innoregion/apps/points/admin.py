from django.contrib import admin

from innoregion.apps.points.models import EnterpriseScore, ScoringRun


class EnterpriseScoreInline(admin.TabularInline):
    model = EnterpriseScore
    fields = ("enterprise", "stage", "score", "rank", "stage_rank", "tier")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "methodology", "methodology_version", "year", "status", "units", "started_at",
                    "finished_at", "code_version")
    list_filter = ("methodology", "year", "status")
    search_fields = ("methodology", "inputs_sha256", "spec_sha256", "code_version")
    readonly_fields = ("methodology", "methodology_version", "spec_sha256", "inputs_sha256", "code_version",
                       "year", "started_at", "finished_at", "status", "units", "warnings", "audit_summary",
                       "error", "created_by")


@admin.register(EnterpriseScore)
class EnterpriseScoreAdmin(admin.ModelAdmin):
    list_display = ("run", "enterprise", "stage", "score", "rank", "stage_rank", "tier")
    list_filter = ("run__methodology", "run__year", "stage", "tier")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh", "enterprise__name_ko",
                     "enterprise__name_en")
    raw_id_fields = ("run", "enterprise")
    readonly_fields = ("run", "enterprise", "stage", "score", "rank", "stage_rank", "tier", "breakdown")
