"""The per-process cache of derived read-mostly values ("the latest scoring run", reference names,
cohort sizes, the main menu), on Django's cache framework: the ``local`` cache (settings.CACHES, a
bounded ``LocMemCache``), kept for ``INNOREGION_POINTER_CACHE_SECONDS``.

A save or delete of a run or of reference data in this process clears it at once (signals, connected
by the apps that own those models); other processes see the change within the timeout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches

T = TypeVar("T")
ALIAS = "local"
FOREVER = None  # Django's "never expires" (still bounded by the cache's MAX_ENTRIES)
_MISSING = object()


def remembered(key: str, compute: Callable[[], T], timeout: float | None = -1) -> T:
    """``compute()``, kept under ``key``; ``timeout`` -1 means the pointer setting, ``FOREVER`` for
    values that never change (a finished run's cohort sizes). A pointer setting of 0 turns it off."""
    seconds = settings.INNOREGION_POINTER_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    cache = caches[ALIAS]
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, seconds if timeout == -1 else timeout)
    return value


def forget(**_signal_kwargs) -> None:
    """Drops every remembered value (connected to the save and delete of runs and reference data)."""
    caches[ALIAS].clear()


def forget_on_change(*model_labels: str) -> None:
    """Clears the cache whenever a row of one of these models is saved or deleted in this process."""
    from django.db.models.signals import post_delete, post_save

    for label in model_labels:
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=label, weak=False,
                           dispatch_uid=f"forget-cached-{label}-{signal is post_save}")
