"""Unified social credit codes for whole arrays of enterprises at once (GB 32100-2015).

Each enterprise's organisation-code body comes from a one-to-one map of its global index, so codes are
unique by construction: firms registered before 2016 get an 8-digit body (``12345678``), later ones the
``MA`` + 6 characters of the post-reform series. Codes of enterprises that are *not* in the register
(planted ``unknown_enterprise`` rows) use indices far above any register index.
"""

from __future__ import annotations

import numpy as np

from innoregion.data.creditcode import ALPHABET, ORG_ALPHABET, ORG_WEIGHTS, WEIGHTS

_ALPHA = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
_VALUE = np.full(128, -1, dtype=np.int64)
_VALUE[_ALPHA] = np.arange(len(ALPHABET))
_ORG_VALUE = np.full(128, -1, dtype=np.int64)
_ORG_VALUE[np.frombuffer(ORG_ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(ORG_ALPHABET))
SPACE_DIGITS = 10**8
SPACE_MA = 31**6
UNKNOWN_OFFSET = 600_000_000  # indices of enterprises outside the register (< SPACE_MA)

# Changchun administrative divisions used by firms of the New Area (high-tech zone mostly)
DIVISIONS = np.array(["220173", "220173", "220173", "220172", "220102", "220104", "220106", "220171"])


def _digits_body(index: np.ndarray) -> np.ndarray:
    k = (index.astype(np.int64) * 48_271 + 13_579_113) % SPACE_DIGITS
    out = np.empty((index.size, 8), dtype=np.uint8)
    for pos in range(7, -1, -1):
        out[:, pos] = ord("0") + k % 10
        k //= 10
    return out


def _ma_body(index: np.ndarray) -> np.ndarray:
    k = (index.astype(np.int64) * 1_103_515 + 24_680_135) % SPACE_MA
    out = np.empty((index.size, 8), dtype=np.uint8)
    out[:, 0], out[:, 1] = ord("M"), ord("A")
    for pos in range(7, 1, -1):
        out[:, pos] = _ALPHA[k % 31]
        k //= 31
    return out


def make_codes(index: np.ndarray, new_series: np.ndarray, division_pick: np.ndarray) -> np.ndarray:
    """Credit codes (numpy array of str) for global indices; ``new_series`` selects ``MA`` bodies."""
    n = index.size
    body = np.where(new_series[:, None], _ma_body(index), _digits_body(index))
    org_total = (_ORG_VALUE[body] * np.array(ORG_WEIGHTS)).sum(axis=1)
    org_check = (11 - org_total % 11) % 11
    org_char = np.where(org_check == 10, ord("X"), ord("0") + org_check).astype(np.uint8)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0], chars[:, 1] = ord("9"), ord("1")
    div = DIVISIONS[division_pick % len(DIVISIONS)]
    chars[:, 2:8] = np.frombuffer("".join(div).encode(), dtype=np.uint8).reshape(n, 6) if n else 0
    chars[:, 8:16] = body
    chars[:, 16] = org_char
    total = (_VALUE[chars[:, :17]] * np.array(WEIGHTS)).sum(axis=1)
    chars[:, 17] = _ALPHA[(31 - total % 31) % 31]
    return np.ascontiguousarray(chars).view("S18").ravel().astype(str)


def typo(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One character of each code replaced by another allowed character: always an invalid code
    (every check weight is invertible mod 31, so any one-character change breaks the check)."""
    out = []
    for code in codes:
        pos = int(rng.integers(0, 18))
        shift = int(rng.integers(1, len(ALPHABET)))
        new = ALPHABET[(ALPHABET.index(code[pos]) + shift) % len(ALPHABET)]
        out.append(code[:pos] + new + code[pos + 1:])
    return np.array(out, dtype=str)
