"""Who may do what in the talent app.

- officials and administrators: the registry, placing and issuing, verifying;
- a service-point clerk: only verifying (Django permission ``talent.verify_credential``);
- a talent: their own record and code;
- personal data (name, ID number, contact): administrators and holders of
  ``talent.view_talentpersonaldata`` only, each view audited.
Django permissions grant the same rights to users without a platform role.
"""

from __future__ import annotations

from django.db.models import Q

from innoregion.apps.access.policy import ADMINS, OFFICIALS, register_action, register_rows

register_action("talent.view", OFFICIALS, perm="talent.view_talent")
register_action("talent.issue", OFFICIALS, perm="talent.issue_credential")
register_action("talent.verify", OFFICIALS, perm="talent.verify_credential")
register_action("talent.view_personal_data", ADMINS, perm="talent.view_talentpersonaldata")


def _owned_through(owner_field: str):
    def rows(who, action):
        if who.is_in(OFFICIALS):
            return True
        if who.user is None or not getattr(who.user, "is_authenticated", False):
            return None
        if action == "view" and who.has_perm("talent.view_talent"):
            return True
        if action in ("change", "issue") and who.has_perm("talent.issue_credential"):
            return True
        return Q(**{owner_field: who.user.pk}) if action == "view" else None

    return rows


register_rows("talent.talent")(_owned_through("user_id"))
register_rows("talent.talentcredential")(_owned_through("talent__user_id"))


@register_rows("talent.talentimportbatch", "talent.talentquarantinedrow")
def import_rows(who, action):
    """Talent imports and their quarantine: the talent office's working data."""
    if who.is_in(OFFICIALS):
        return True
    return True if action == "view" and who.has_perm("talent.view_talent") else None
