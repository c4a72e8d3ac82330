"""Who may do what in the talent app, plugged into the platform's choke point
(innoregion.apps.access.restrict).

- officials and administrators: the registry, placing and issuing, verifying;
- a service-point clerk: only verifying (Django permission ``talent.verify_credential``);
- a talent: their own record and code;
- personal data (name, ID number, contact): administrators and holders of
  ``talent.view_talentpersonaldata`` only, each view audited.
Django permissions can grant the same rights to users without a platform role.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from innoregion.apps.access.models import Role
from innoregion.apps.access.restrict import Who, register_rule

STAFF_ROLES = (Role.OFFICIAL, Role.ADMIN)


def allowed(user, perm: str) -> bool:
    """``perm``: view_talent, issue_credential, verify_credential or view_talentpersonaldata."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_perm(f"talent.{perm}"):
        return True
    role = Who(user).role
    if perm == "view_talentpersonaldata":
        return role == Role.ADMIN
    return role in STAFF_ROLES


def talent_permission(perm: str):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _rule(owner_field: str):
    def rule(who: Who, action: str):
        if who.role in STAFF_ROLES:
            return True
        user = who.user
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        if action == "view" and user.has_perm("talent.view_talent"):
            return True
        if action in ("change", "issue") and user.has_perm("talent.issue_credential"):
            return True
        return Q(**{owner_field: user.pk}) if action == "view" else None

    return rule


register_rule("talent.talent", _rule("user_id"))
register_rule("talent.talentcredential", _rule("talent__user_id"))


def _staff_only(who: Who, action: str):
    """Talent imports and their quarantine: the talent office's working data."""
    if who.role in STAFF_ROLES:
        return True
    user = who.user
    if action == "view" and user is not None and getattr(user, "is_authenticated", False) \
            and user.has_perm("talent.view_talent"):
        return True
    return None


register_rule("talent.talentimportbatch", _staff_only)
register_rule("talent.talentquarantinedrow", _staff_only)
