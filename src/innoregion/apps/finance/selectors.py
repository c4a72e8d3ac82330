"""Reads of financing applications, through the permission policy."""

from __future__ import annotations

from innoregion.apps.access.policy import restrict
from innoregion.apps.finance.models import CreditApplication, PledgeApplication


def applications_for(user) -> list:
    """Every credit and pledge application ``user`` may view, credit first, each with ``kind`` set
    (``credit``, ``pledge-ip``, ``pledge-equity``)."""
    out = []
    for kind, model in (("credit", CreditApplication), ("pledge", PledgeApplication)):
        for a in restrict(model.objects.select_related("enterprise"), user, "view"):
            a.kind = kind if kind == "credit" else f"pledge-{a.kind}"
            out.append(a)
    return out
