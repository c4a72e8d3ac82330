"""Why a row of a department file (or of the talent office's file) was quarantined.

Every reason has a stable machine ``kind`` (a key of :data:`TEMPLATES`) and ``params``: the values it
mentions, in a small JSON-able dict. The English sentence the CLI report, the stored ``reason`` and
the English pages show is made here from kind and params, and only here (:func:`english`). Pages in
other languages translate by kind: the Django app ``innoregion.apps.imports.reasons`` maps every kind
to a translatable message whose ``%(name)s`` placeholders are the fields of the English template,
filled with :func:`shown_params` (the values written as the English sentence writes them).

The text before the first colon is the reason's class, counted in the import report
("quarantined by reason"). Pure: no Django.
"""

from __future__ import annotations

from string import Formatter

from innoregion.data.catalogue import CHECK_MESSAGES
from innoregion.data.creditcode import MESSAGES as CREDIT_CODE_MESSAGES

TEMPLATES: dict[str, str] = {
    # the whole row
    "extra_cells": "extra cells: the row has {cells} cells but the header has {width}",
    "duplicate_row": "duplicate row: same values as row {first}; imported once",
    "contradicting_rows": "contradicting rows: {key} appears in rows {rows} with different values",
    "contradicting_rows_in_year": ("contradicting rows: {code} year {year} appears in rows {rows} "
                                   "with different values"),
    # the enterprise's credit code (department files, the register, the talents file)
    "missing_credit_code": "missing credit code: the unified social credit code is blank",
    **{kind: f"invalid credit code: {text}" for kind, text in CREDIT_CODE_MESSAGES.items()},
    "unknown_enterprise": ("unknown enterprise: {code} is not in the enterprise register "
                           "(import the register first)"),
    # the year of a filing
    "bad_year": "bad year: {text!r} is not a year",
    "wrong_year": "wrong year: {year} does not match the file's year {file_year}",
    # an indicator's cell
    "unexpected_flag": "bad value: unexpected flag",
    "not_a_number": "not a number: {text!r} must be a number written as digits (blank when unknown)",
    "not_an_amount": ("not a number: {text!r} must be an amount in yuan written as digits "
                      "(blank when unknown)"),
    "not_finite": "out of range: not a finite number",
    **{kind: f"out of range: {text}" for kind, text in CHECK_MESSAGES.items()},
    "bad_value": "bad value",
    # the enterprise register
    "missing_name": "missing name: the Chinese name is required",
    "name_too_long": "too long: a name has at most {limit} characters",
    "bad_date": "bad date: {text!r} is not a date (YYYY-MM-DD)",
    "implausible_founding_date": "bad date: {date} is not a plausible founding date",
    "bad_industry_code": "bad industry code: {text!r} is not a GB/T 4754 code (e.g. C2710 or 2710)",
    "unknown_cluster": "unknown cluster: {text!r} is not a cluster code of the region",
    "unknown_zone": "unknown zone: {text!r} is not a zone code of the region",
    "bad_flag": "bad flag: {text!r} must be 是/否 or 1/0",
    "bad_status": "bad status: {text!r} must be active, suspended or deregistered",
    # the talent office's file (innoregion.engines.credentials.talentfile)
    "missing_talent_id": "missing talent id: the talent id is blank",
    "bad_talent_id": "bad talent id: {text!r} must be 1-40 letters, digits, '_', '.' or '-'",
    "missing_affiliation_code": "missing credit code: the affiliation's credit code is blank",
    "unknown_field": "unknown field: {text!r} is not a cluster code of the region or a field code",
    "unknown_title": "unknown title: {text!r} is not one of {allowed}",
    "unknown_award": "unknown award: {text!r} is not one of {allowed}",
    "bad_talent_flag": "bad flag: {text!r} must be 1/0 (是/否)",
}


def english(kind: str, params: dict) -> str:
    """The English reason (KeyError for an unknown kind or a missing parameter)."""
    return TEMPLATES[kind].format(**params)


def fields(kind: str) -> tuple[str, ...]:
    """The parameters the kind's sentence mentions, in order of first mention."""
    names: list[str] = []
    for _literal, name, _spec, _conversion in Formatter().parse(TEMPLATES[kind]):
        if name is not None and name not in names:
            names.append(name)
    return tuple(names)


def shown_params(kind: str, params: dict) -> dict[str, str]:
    """``params`` written exactly as the English sentence writes them (quoted where it quotes a value,
    numbers in its number format), ready for a ``%(name)s`` translation of that sentence."""
    formatter = Formatter()
    shown: dict[str, str] = {}
    for _literal, name, spec, conversion in formatter.parse(TEMPLATES[kind]):
        if name is not None:
            shown[name] = format(formatter.convert_field(params[name], conversion), spec or "")
    return shown


def reason_class(reason: str) -> str:
    """``"not a number: '约100万' must be ..."`` -> ``"not a number"``."""
    return reason.split(":", 1)[0]
