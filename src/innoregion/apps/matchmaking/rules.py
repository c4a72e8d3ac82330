"""Who may see and change what in matchmaking (registered with ``access.restrict``).

- Published scenarios and capabilities are public (the two lists the seed asks to publish).
- Officials (the caseworkers) and administrators see and change everything.
- An enterprise user sees and changes its own enterprise's capabilities, and sees the accepted matches
  of its own capabilities.
"""

from __future__ import annotations

from django.db.models import Q

from innoregion.apps.access.models import Role
from innoregion.apps.access.restrict import register_rule

STAFF = (Role.OFFICIAL, Role.ADMIN)


def scenario_rule(who, action):
    if who.role in STAFF:
        return True
    if action == "view":
        return Q(status="published")
    return None


def capability_rule(who, action):
    if who.role in STAFF:
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


def match_rule(who, action):
    if who.role in STAFF:
        return True
    if who.role == Role.ENTERPRISE and action == "view":
        return Q(capability__enterprise_id=who.enterprise_id, status="accepted")
    return None


def register() -> None:
    register_rule("matchmaking.scenario", scenario_rule)
    register_rule("matchmaking.capability", capability_rule)
    register_rule("matchmaking.match", match_rule)
    register_rule("matchmaking.rerankermodel", lambda who, action: True if who.role in STAFF else None)
