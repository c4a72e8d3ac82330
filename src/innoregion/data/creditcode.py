"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V):
registration authority (1), entity category (1), administrative division (6), organisation code (9,
GB 11714, with its own check character), and a check character computed over the first 17.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# What is wrong with a code, by kind: the one English wording of each (``str.format`` fields). The
# ingest engine's quarantine reasons are built from these (innoregion.engines.ingest.reasons).
MESSAGES = {
    "credit_code_not_text": "credit code must be text, got {type_name}",
    "bad_credit_code_length": "credit code {code!r} has {length} characters; it needs 18",
    "bad_credit_code_character": ("credit code {code!r}: character {char!r} at position {position} is not "
                                  "allowed (digits and capitals except I, O, Z, S, V)"),
    "bad_credit_code_division": ("credit code {code!r}: positions 3-8 must be a 6-digit administrative "
                                 "division code"),
    "bad_credit_code_check": ("credit code {code!r}: check character is {found!r} but GB 32100-2015 "
                              "gives {expected!r}"),
}


class CreditCodeError(ValueError):
    """An invalid unified social credit code, with a message that says what is wrong; ``kind`` (a key
    of :data:`MESSAGES`, or "" for a plain message) and ``params`` say it for a machine."""

    def __init__(self, message: str, kind: str = "", params: dict | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.params = dict(params or {})

    @classmethod
    def of(cls, kind: str, **params) -> CreditCodeError:
        return cls(MESSAGES[kind].format(**params), kind, params)


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    """GB 11714 check character of the 9-character organisation code."""
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def validate(code: str) -> str:
    """Return the normalised code (stripped, upper case) or raise :class:`CreditCodeError`."""
    if not isinstance(code, str):
        raise CreditCodeError.of("credit_code_not_text", type_name=type(code).__name__)
    normalised = code.strip().upper()
    if len(normalised) != 18:
        raise CreditCodeError.of("bad_credit_code_length", code=code, length=len(normalised))
    for position, char in enumerate(normalised, start=1):
        if char not in _VALUE:
            raise CreditCodeError.of("bad_credit_code_character", code=code, char=char, position=position)
    if not normalised[2:8].isdigit():
        raise CreditCodeError.of("bad_credit_code_division", code=code)
    expected = check_character(normalised[:17])
    if normalised[17] != expected:
        raise CreditCodeError.of("bad_credit_code_check", code=code, found=normalised[17], expected=expected)
    return normalised


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def make_code(registration: str, category: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (``org_body`` = the first 8 characters of the organisation
    code); used by the demo generator and tests."""
    org = org_body + org_check_character(org_body)
    first17 = registration + category + division + org
    if len(first17) != 17:
        raise CreditCodeError("parts must give 17 characters")
    return first17 + check_character(first17)
