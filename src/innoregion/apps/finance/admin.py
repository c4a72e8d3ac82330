"""Read-only admin views of the financing applications (changes go through the services)."""

from django.contrib import admin

from innoregion.apps.access.admin import ReadOnly
from innoregion.apps.finance.models import CreditApplication, PledgeApplication


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnly):
    list_display = ("enterprise", "bank", "amount", "points_at_application", "status", "created_at")
    list_filter = ("status", "bank")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh", "bank__name")


@admin.register(PledgeApplication)
class PledgeApplicationAdmin(ReadOnly):
    list_display = ("enterprise", "bank", "kind", "amount", "status", "registration_status", "created_at")
    list_filter = ("kind", "status", "registration_status", "bank")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh", "bank__name", "pledged")
