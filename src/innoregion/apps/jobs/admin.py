from django.contrib import admin

from innoregion.apps.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "started_by", "created_at", "finished_at", "progress_done",
                    "progress_total")
    list_filter = ("status", "kind")
    search_fields = ("kind", "started_by__username", "task_result_id")
    date_hierarchy = "created_at"
    raw_id_fields = ("started_by", "retry_of")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False  # jobs are started from their form or the command line, never made by hand
