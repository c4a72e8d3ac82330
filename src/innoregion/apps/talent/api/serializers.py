"""Serializers of the talent API."""

from __future__ import annotations

from rest_framework import serializers

from innoregion.apps.talent.models import Talent, TalentImportBatch


class TierClusterSerializer(serializers.Serializer):
    tier = serializers.CharField(allow_blank=True)
    cluster = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()


class FlagCountsSerializer(serializers.Serializer):
    two_way_post = serializers.IntegerField()
    part_time_post = serializers.IntegerField()
    startup_founder = serializers.IntegerField()


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_tier = serializers.DictField(child=serializers.IntegerField(), help_text="'' = not placed in a tier")
    by_field = serializers.DictField(child=serializers.IntegerField())
    by_cluster = serializers.DictField(child=serializers.IntegerField(), help_text="'' = no cluster")
    tier_by_cluster = TierClusterSerializer(many=True)
    valid_codes = serializers.IntegerField(help_text="codes valid and not expired")
    flags = FlagCountsSerializer()


class TalentSerializer(serializers.ModelSerializer):
    cluster = serializers.CharField(source="cluster.code", default="")
    affiliation_credit_code = serializers.CharField(source="affiliation.credit_code", default="")

    class Meta:
        model = Talent
        fields = ["pseudonymous_id", "tier", "catalogue_version", "field", "cluster", "affiliation_type",
                  "affiliation_name", "affiliation_credit_code", "degree", "titles", "awards", "positions",
                  "two_way_post", "part_time_post", "startup_founder", "placed_at"]


class ImportBatchSerializer(serializers.ModelSerializer):
    quarantine_reasons = serializers.SerializerMethodField()

    class Meta:
        model = TalentImportBatch
        fields = ["id", "file_name", "sha256", "status", "rows_total", "rows_accepted", "rows_quarantined",
                  "talents_created", "talents_updated", "talents_unchanged", "quarantine_reasons", "started_at",
                  "finished_at"]

    def get_quarantine_reasons(self, batch) -> dict[str, int]:
        return dict((batch.report or {}).get("quarantine_reasons", {}))


# ---------------------------------------------------------------- views
