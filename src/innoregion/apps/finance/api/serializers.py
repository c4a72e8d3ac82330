"""Serializers of the finance API."""

from __future__ import annotations

from rest_framework import serializers

from innoregion.apps.finance.models import PledgeApplication


class EnterpriseSummarySerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    name_ko = serializers.CharField()
    cluster = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    stage = serializers.CharField(allow_blank=True)
    rung = serializers.CharField(allow_blank=True)
    consent_expires_at = serializers.DateTimeField(allow_null=True)


class BreakdownItemSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="the indicator's raw value")
    normalised = serializers.FloatField(allow_null=True, required=False)
    weight = serializers.FloatField(allow_null=True, required=False, help_text="effective weight")
    contribution = serializers.FloatField(allow_null=True, help_text="points the indicator brings")


class BreakdownSerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    points = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    stage = serializers.CharField(allow_blank=True)
    bonus = serializers.FloatField(allow_null=True)
    penalty = serializers.FloatField(allow_null=True)
    items = BreakdownItemSerializer(many=True)


class FilingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    indicator = serializers.CharField(source="indicator.code")
    source = serializers.CharField()
    value = serializers.FloatField()
    batch = serializers.IntegerField(source="batch_id")


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    credit_code = serializers.CharField(source="enterprise.credit_code")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    registration_status = serializers.CharField(required=False, allow_blank=True)
    created_at = serializers.DateTimeField()


class ApplicationUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["reviewing", "approved", "declined"], required=False)
    registration_status = serializers.ChoiceField(
        choices=[c for c, _label in PledgeApplication.Registration.choices], required=False)
    registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
