"""The region app's rules: enterprises and their filings and conflicts, the reference data, and
the enterprise pages."""

from __future__ import annotations

from innoregion.apps.access.models import Role
from innoregion.apps.access.policy import (
    ENTERPRISES,
    OFFICIALS,
    enterprise_rows,
    reference_rows,
    register_action,
    register_rows,
)

register_action("region.list_enterprises", OFFICIALS)
register_action("region.view_enterprise_page", OFFICIALS | ENTERPRISES)
# an official's reading of an enterprise's page is written to the audit log (an administrator's and
# the enterprise's own are not: the one works on the system, the other reads its own data)
register_action("region.audit_page_reads", {Role.OFFICIAL})

register_rows("region.enterprise")(enterprise_rows)
register_rows("region.zone", "region.cluster", "region.platform", "region.indicator")(reference_rows)


@register_rows("region.filing", "region.filingconflict")
def filing_rows(who, action):
    """A bank sees filings only under the ``filings`` scope of a consent."""
    return enterprise_rows(who, "filings" if action == "view" else action, "enterprise_id")
