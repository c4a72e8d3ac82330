from django.contrib import admin

from innoregion.apps.ladder.models import BenefitGrant, BenefitRun, LadderOutcome, LadderRun


@admin.register(LadderRun)
class LadderRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "year", "rows", "started_at", "finished_at", "code_version")
    list_filter = ("year",)
    search_fields = ("inputs_sha256", "code_version")
    readonly_fields = ("inputs_sha256", "pack_versions", "code_version", "year", "started_at", "finished_at",
                       "rows", "summary", "created_by")


@admin.register(LadderOutcome)
class LadderOutcomeAdmin(admin.ModelAdmin):
    list_display = ("run", "enterprise", "year", "pack", "version", "outcome", "score", "route", "distance")
    list_filter = ("pack", "outcome", "year")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh", "enterprise__name_ko", "enterprise__name_en")
    raw_id_fields = ("run", "enterprise")
    readonly_fields = ("run", "enterprise", "year", "pack", "version", "outcome", "score", "score_lo", "score_hi",
                       "route", "distance", "valid_until", "details")


class BenefitGrantInline(admin.TabularInline):
    model = BenefitGrant
    fields = ("enterprise", "measure", "status", "requested", "paid", "missing")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(BenefitRun)
class BenefitRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "policy", "policy_version", "year", "budget", "requested_total", "paid_total", "started_at")
    list_filter = ("policy", "year")
    search_fields = ("policy", "inputs_sha256", "code_version")
    readonly_fields = ("policy", "policy_version", "year", "ladder_run", "inputs_sha256", "code_version", "budget",
                       "overflow", "requested_total", "paid_total", "record", "started_at", "finished_at",
                       "created_by")
    inlines = [BenefitGrantInline]


@admin.register(BenefitGrant)
class BenefitGrantAdmin(admin.ModelAdmin):
    list_display = ("run", "enterprise", "year", "measure", "status", "requested", "paid")
    list_filter = ("measure", "status", "year")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh")
    raw_id_fields = ("run", "enterprise")
