"""The finance app's rules: applications, who may apply and who decides, the bank API."""

from __future__ import annotations

from django.db.models import Q

from innoregion.apps.access.models import Role
from innoregion.apps.access.policy import (
    ADMINS,
    BANKS,
    SIGNED_IN,
    consented_enterprises_q,
    own_bank,
    own_enterprise,
    register_action,
    register_rows,
)

register_action("finance.view_applications", SIGNED_IN)
register_action("finance.apply", ADMINS, when={Role.ENTERPRISE: own_enterprise})
register_action("finance.decide_application", ADMINS, when={Role.BANK: own_bank})
register_action("finance.use_bank_api", BANKS)


@register_rows("finance.creditapplication", "finance.pledgeapplication")
def application_rows(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.OFFICIAL and action == "view":
        return True
    if who.role == Role.ENTERPRISE:
        return Q(enterprise_id=who.enterprise_id)
    if who.role == Role.BANK:
        return Q(bank_id=who.bank_id) & consented_enterprises_q(who.bank_id, "summary", "enterprise_id")
    return None
