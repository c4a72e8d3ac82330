"""Read-only admin views: changes to access data go through ``innoregion.apps.access.services``
(which audits them), never through the admin."""

from django.contrib import admin

from innoregion.apps.access.models import ApiToken, AuditEntry, Bank, Consent, Profile


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "enterprise_id", "bank_id",
                    "consent_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "object_id")


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ("enterprise", "bank", "scopes", "purpose", "granted_at", "expires_at", "revoked_at")
    list_filter = ("bank", "expires_at", "revoked_at")
    search_fields = ("enterprise__credit_code", "enterprise__name_zh", "bank__name", "purpose")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly):
    list_display = ("bank", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at")
    exclude = ("digest",)
    list_filter = ("bank", "expires_at", "revoked_at")
    search_fields = ("name", "prefix", "bank__name")


@admin.register(Bank)
class BankAdmin(ReadOnly):
    list_display = ("name", "code", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name", "code")


@admin.register(Profile)
class ProfileAdmin(ReadOnly):
    list_display = ("user", "role", "enterprise", "bank")
    list_filter = ("role", "bank")
    search_fields = ("user__username", "enterprise__credit_code", "enterprise__name_zh", "bank__name")
