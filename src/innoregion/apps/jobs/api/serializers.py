"""The jobs API's representation of a job (texts in the reader's language; never the traceback)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from innoregion.apps.jobs import registry, selectors
from innoregion.apps.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    # plain text, not an enum in the schema: "status" choice sets of other components have the same name
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded, failed or stale")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    started_by = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "kind", "kind_label", "status", "status_label", "parameters", "started_by", "created_at",
                  "started_at", "finished_at", "heartbeat_at", "progress", "result", "result_url", "download_url",
                  "error", "retry_of", "page_url"]
        read_only_fields = fields

    def get_kind_label(self, job: Job) -> str:
        return registry.kind_label(job.kind)

    def get_started_by(self, job: Job) -> str | None:
        return job.started_by.get_username() if job.started_by_id else None

    def get_progress(self, job: Job) -> dict:
        return {"done": job.progress_done, "total": job.progress_total, "percent": job.percent,
                "step": selectors.step_text(job)}

    def get_error(self, job: Job) -> str:
        return selectors.error_text(job)

    def get_result_url(self, job: Job) -> str | None:
        return selectors.result_link(job)

    def get_download_url(self, job: Job) -> str | None:
        return reverse("jobs:download", args=[job.pk]) if job.result_file and job.status == Job.Status.SUCCEEDED \
            else None

    def get_page_url(self, job: Job) -> str:
        return reverse("jobs:detail", args=[job.pk])


class LogLineSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    level = serializers.CharField()
    text = serializers.CharField()


class JobDetailSerializer(JobSerializer):
    log = serializers.SerializerMethodField()
    log_dropped = serializers.IntegerField(read_only=True)

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "log", "log_dropped"]
        read_only_fields = fields

    def get_log(self, job: Job) -> list[dict]:
        return LogLineSerializer(selectors.log_lines(job), many=True).data
