"""Who may see and change what in matchmaking.

- Published scenarios and capabilities are public (the two lists the seed asks to publish).
- Officials (the caseworkers) and administrators see and change everything.
- An enterprise user sees and changes its own enterprise's capabilities, and sees the accepted matches
  of its own capabilities.
"""

from __future__ import annotations

from django.db.models import Q

from innoregion.apps.access.models import Role
from innoregion.apps.access.policy import (
    ENTERPRISES,
    OFFICIALS,
    officials_rows,
    register_action,
    register_rows,
)

register_action("matchmaking.manage", OFFICIALS)
register_action("matchmaking.submit_capability", ENTERPRISES)


@register_rows("matchmaking.scenario")
def scenario_rows(who, action):
    if who.is_in(OFFICIALS):
        return True
    if action == "view":
        return Q(status="published")
    return None


@register_rows("matchmaking.capability")
def capability_rows(who, action):
    if who.is_in(OFFICIALS):
        return True
    if who.role == Role.ENTERPRISE:
        if action == "view":
            return Q(status="published") | Q(enterprise_id=who.enterprise_id)
        if action == "change":
            return Q(enterprise_id=who.enterprise_id)
        return None
    if action == "view":
        return Q(status="published")
    return None


@register_rows("matchmaking.match")
def match_rows(who, action):
    if who.is_in(OFFICIALS):
        return True
    if who.role == Role.ENTERPRISE and action == "view":
        return Q(capability__enterprise_id=who.enterprise_id, status="accepted")
    return None


register_rows("matchmaking.rerankermodel")(officials_rows)
