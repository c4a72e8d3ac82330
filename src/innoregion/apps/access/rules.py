"""The access app's rules: consents, the audit log, banks and their API tokens, profiles; the
portal, token and audit pages; the site-wide actions (the start page, the admin site)."""

from __future__ import annotations

from django.db.models import Q

from innoregion.apps.access.models import Role
from innoregion.apps.access.policy import (
    ADMINS,
    BANKS,
    ENTERPRISES,
    OFFICIALS,
    own_enterprise,
    owner_enterprise,
    register_action,
    register_rows,
)

register_action("access.portal", ENTERPRISES)
register_action("access.grant_consent", ADMINS, when={Role.ENTERPRISE: own_enterprise})
register_action("access.revoke_consent", ENTERPRISES | ADMINS)
register_action("access.withdraw_consent", ADMINS, when={Role.ENTERPRISE: owner_enterprise})
register_action("access.tokens", BANKS)
register_action("access.revoke_token", BANKS | ADMINS)
register_action("access.audit_log", OFFICIALS)
register_action("access.admin_site", ADMINS)
register_action("access.api_docs", BANKS)


@register_rows("access.consent")
def consent_rows(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.OFFICIAL and action == "view":
        return True
    if who.role == Role.ENTERPRISE:
        return Q(enterprise_id=who.enterprise_id)
    if who.role == Role.BANK and action == "view":
        return Q(bank_id=who.bank_id)
    return None


@register_rows("access.auditentry")
def audit_rows(who, action):
    if action != "view":
        return None  # append-only: nobody changes audit rows
    if who.is_in(OFFICIALS):
        return True
    if who.role == Role.ENTERPRISE:
        return Q(enterprise_id=who.enterprise_id)
    if who.role == Role.BANK:
        return Q(bank_id=who.bank_id)
    return None


@register_rows("access.apitoken")
def token_rows(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.BANK:
        return Q(bank_id=who.bank_id)
    return None


@register_rows("access.bank")
def bank_rows(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role in (Role.OFFICIAL, Role.ENTERPRISE) and action == "view":
        return True  # to choose a bank when granting consent
    if who.role == Role.BANK:
        return Q(pk=who.bank_id)
    return None


@register_rows("access.profile")
def profile_rows(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.user is not None and who.role is not None:
        return Q(user_id=who.user.pk)
    return None
