"""Reads of access data that other apps need: the consent an enterprise gave a bank."""

from __future__ import annotations

from innoregion.apps.access.models import Consent


def active_consent(enterprise, bank, scope: str = "summary") -> Consent | None:
    """The longest-lasting active consent of ``enterprise`` to ``bank`` carrying ``scope``."""
    return (Consent.objects.active().with_scope(scope).filter(enterprise=enterprise, bank=bank)
            .order_by("-expires_at").first())
