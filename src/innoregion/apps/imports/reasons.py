"""Quarantine reasons in the reader's language.

The ingest engine gives every quarantined row a machine ``kind`` and its ``params`` next to the English
sentence (``innoregion.engines.ingest.reasons``). Here each kind has its translatable message: the
engine's English sentence with the values as ``%(name)s`` placeholders (a test holds the two
together). :func:`localised_reason` is the one way the pages and downloads show a reason; a row
stored before kinds existed (no kind) keeps its stored English reason.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from innoregion.engines.ingest import reasons as engine_reasons

MESSAGES = {
    # the whole row
    # Translators: quarantine reasons. The %(...)s values arrive written as in the English sentence:
    # text read from the file in quotes ('约100万'), numbers as digits. Keep every placeholder.
    "extra_cells": _("extra cells: the row has %(cells)s cells but the header has %(width)s"),
    "duplicate_row": _("duplicate row: same values as row %(first)s; imported once"),
    "contradicting_rows": _("contradicting rows: %(key)s appears in rows %(rows)s with different values"),
    "contradicting_rows_in_year": _("contradicting rows: %(code)s year %(year)s appears in rows %(rows)s "
                                    "with different values"),
    # the enterprise's credit code
    "missing_credit_code": _("missing credit code: the unified social credit code is blank"),
    "credit_code_not_text": _("invalid credit code: credit code must be text, got %(type_name)s"),
    "bad_credit_code_length": _("invalid credit code: credit code %(code)s has %(length)s characters; "
                                "it needs 18"),
    "bad_credit_code_character": _("invalid credit code: credit code %(code)s: character %(char)s at position "
                                   "%(position)s is not allowed (digits and capitals except I, O, Z, S, V)"),
    "bad_credit_code_division": _("invalid credit code: credit code %(code)s: positions 3-8 must be a 6-digit "
                                  "administrative division code"),
    "bad_credit_code_check": _("invalid credit code: credit code %(code)s: check character is %(found)s but "
                               "GB 32100-2015 gives %(expected)s"),
    "unknown_enterprise": _("unknown enterprise: %(code)s is not in the enterprise register "
                            "(import the register first)"),
    # the year of a filing
    "bad_year": _("bad year: %(text)s is not a year"),
    "wrong_year": _("wrong year: %(year)s does not match the file's year %(file_year)s"),
    # an indicator's cell
    "unexpected_flag": _("bad value: unexpected flag"),
    "not_a_number": _("not a number: %(text)s must be a number written as digits (blank when unknown)"),
    "not_an_amount": _("not a number: %(text)s must be an amount in yuan written as digits "
                       "(blank when unknown)"),
    "not_finite": _("out of range: not a finite number"),
    "value_is_nan": _("out of range: not a number"),
    "out_of_range": _("out of range: %(value)s is outside the valid range [%(min)s, %(max)s]"),
    "not_whole_number": _("out of range: %(value)s must be a whole number"),
    "not_zero_or_one": _("out of range: %(value)s must be 0 or 1"),
    "bad_value": _("bad value"),
    # the enterprise register
    "missing_name": _("missing name: the Chinese name is required"),
    "name_too_long": _("too long: a name has at most %(limit)s characters"),
    "bad_date": _("bad date: %(text)s is not a date (YYYY-MM-DD)"),
    "implausible_founding_date": _("bad date: %(date)s is not a plausible founding date"),
    "bad_industry_code": _("bad industry code: %(text)s is not a GB/T 4754 code (e.g. C2710 or 2710)"),
    "unknown_cluster": _("unknown cluster: %(text)s is not a cluster code of the region"),
    "unknown_zone": _("unknown zone: %(text)s is not a zone code of the region"),
    "bad_flag": _("bad flag: %(text)s must be 是/否 or 1/0"),
    "bad_status": _("bad status: %(text)s must be active, suspended or deregistered"),
    # the talent office's file
    "missing_talent_id": _("missing talent id: the talent id is blank"),
    "bad_talent_id": _("bad talent id: %(text)s must be 1-40 letters, digits, '_', '.' or '-'"),
    "missing_affiliation_code": _("missing credit code: the affiliation's credit code is blank"),
    "unknown_field": _("unknown field: %(text)s is not a cluster code of the region or a field code"),
    "unknown_title": _("unknown title: %(text)s is not one of %(allowed)s"),
    "unknown_award": _("unknown award: %(text)s is not one of %(allowed)s"),
    "bad_talent_flag": _("bad flag: %(text)s must be 1/0 (是/否)"),
}


def localised_reason(kind: str, params: dict | None, fallback: str) -> str:
    """The reason in the active language; ``fallback`` (the stored English reason) for a row without
    a kind, an unknown kind or params that do not fit the kind (never an error on a report page)."""
    message = MESSAGES.get(kind or "")
    if message is None:
        return fallback
    try:
        return str(message) % engine_reasons.shown_params(kind, params or {})
    except (KeyError, TypeError, ValueError):
        return fallback
