"""Texts a job stores (its current step, its log lines, its error) are message ids marked with
``gettext_noop`` and their ``%(name)s`` values; they are translated when they are shown, so every
reader sees them in their own language, whichever language the worker ran in."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

MAX_TEXT = 500  # characters of one stored message id or value


def to_msgid(message: Any) -> str:
    """The untranslated text of ``message`` (a ``gettext_noop`` string or a lazy translation)."""
    if isinstance(message, Promise):
        with translation.override(None):
            return str(message)[:MAX_TEXT]
    return str(message)[:MAX_TEXT]


def clean_params(params: dict | None) -> dict:
    """The values of a message, as JSON (numbers stay numbers, everything else becomes text)."""
    out = {}
    for key, value in (params or {}).items():
        if value is None or isinstance(value, bool | int | float):
            out[str(key)] = value
        else:
            out[str(key)] = to_msgid(value)
    return out


def render(text: str, params: dict | None = None) -> str:
    """``text`` in the active language with its values filled in (the text alone if they do not fit)."""
    if not text:
        return ""
    translated = gettext(text)
    if not params:
        return translated
    try:
        return translated % params
    except (KeyError, TypeError, ValueError):
        return translated


def entry(text: Any, params: dict | None = None, level: str = "info") -> dict:
    """One log line: when, how serious, the message id and its values."""
    return {"at": timezone.now().isoformat(), "level": level, "text": to_msgid(text), "params": clean_params(params)}
