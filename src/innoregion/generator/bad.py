"""Realistic bad rows planted in department files, so the importer's checks have work to do.

Kinds (docs/data/department-files.md): a one-character typo in the credit code, a row of an enterprise
that is not in the register, a negative count, text in a money column (``约100万``), a duplicated row,
a ratio above one (a percentage typed as such), a year that is not the file's year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from innoregion.generator import codes

KINDS = ("invalid_credit_code", "unknown_enterprise", "negative_count", "text_in_money", "duplicate_row",
         "ratio_above_one", "year_mismatch")
RATE = 0.002  # share of a file's rows that are bad, spread over the kinds that apply to it


def kinds_for(money: list[str], counts: list[str], ratios: list[str]) -> list[str]:
    out = []
    for kind in KINDS:
        if kind == "negative_count" and not counts:
            continue
        if kind == "text_in_money" and not money:
            continue
        if kind == "ratio_above_one" and not ratios:
            continue
        out.append(kind)
    return out


@dataclass
class _Planting:
    """What the planting of one block needs besides the rows: the file's year, the block's random stream,
    its row count and the file's money, count and ratio columns."""

    year: int
    rng: np.random.Generator
    m: int
    money: list[str]
    counts: list[str]
    ratios: list[str]


def _typo_codes(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    bad = codes.typo(df["credit_code"].gather(rows).to_numpy(), ctx.rng)
    return df.with_columns(df["credit_code"].scatter(rows, bad))


def _year_mismatch(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    return df.with_columns(df["year"].scatter(rows, [ctx.year - 1] * rows.size))


def _negative_counts(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    rng = ctx.rng
    for row in rows:
        col = ctx.counts[int(rng.integers(0, len(ctx.counts)))]
        current = df[col][int(row)]
        value = -max(1, int(current or 0)) if rng.random() < 0.7 else -int(rng.integers(1, 20))
        df = df.with_columns(df[col].scatter([int(row)], [value]))
    return df


def _text_in_money(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    rng = ctx.rng
    for row in rows:
        col = ctx.money[int(rng.integers(0, len(ctx.money)))]
        current = df[col][int(row)]
        try:
            yuan = float(current) if current is not None else float(rng.integers(10, 500)) * 1e4
        except ValueError:
            yuan = 1e6
        text = f"约{max(1, round(yuan / 1e4))}万"
        series = df[col] if df[col].dtype == pl.Utf8 else df[col].cast(pl.Utf8)
        df = df.with_columns(series.scatter([int(row)], [text]))
    return df


def _ratio_above_one(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    for row in rows:
        col = ctx.ratios[int(ctx.rng.integers(0, len(ctx.ratios)))]
        current = df[col][int(row)]
        pct = max(1.5, float(current) * 100 if current is not None else 35.0)
        df = df.with_columns(df[col].scatter([int(row)], [f"{pct:.1f}"]))
    return df


def _duplicate_rows(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    return df[rows].with_columns(pl.col("_ord") + 0.5)


def _unknown_enterprises(df: pl.DataFrame, rows: np.ndarray, ctx: _Planting) -> pl.DataFrame:
    rng = ctx.rng
    source = df[rows]
    new_codes = codes.make_codes(
        rng.integers(codes.UNKNOWN_OFFSET, codes.SPACE_MA, rows.size),
        np.ones(rows.size, dtype=bool), rng.integers(0, 64, rows.size),
    )
    positions = rng.integers(0, ctx.m, rows.size) + 0.25
    return source.with_columns(pl.Series("credit_code", new_codes),
                               pl.Series("_ord", positions.astype(np.float64)))


_Planter = Callable[[pl.DataFrame, np.ndarray, _Planting], pl.DataFrame]
# kinds that change the chosen rows in place, and kinds that add copies of them
_CHANGES: dict[str, _Planter] = {"invalid_credit_code": _typo_codes, "year_mismatch": _year_mismatch,
                                "negative_count": _negative_counts, "text_in_money": _text_in_money,
                                "ratio_above_one": _ratio_above_one}
_COPIES: dict[str, _Planter] = {"duplicate_row": _duplicate_rows, "unknown_enterprise": _unknown_enterprises}


def plant(df: pl.DataFrame, *, year: int, kinds: list[str], rng: np.random.Generator, force: bool,
          money: list[str], counts: list[str], ratios: list[str]) -> tuple[pl.DataFrame, dict[str, int]]:
    """Plant bad rows in one random block of a file. ``df`` has ``credit_code``, ``year`` and indicator columns
    (money and ratio columns as text); returns the frame in file order and the count per kind."""
    m = df.height
    planted = {k: 0 for k in kinds}
    if m == 0:
        return df, planted
    rate = RATE / len(kinds)
    wanted = {k: int(rng.binomial(m, rate)) for k in kinds}
    if force:  # the first block of a file shows every kind at least once
        wanted = {k: max(1, v) for k, v in wanted.items()}
    free = rng.permutation(m)  # rows not yet used, consumed from the front
    taken = 0
    ctx = _Planting(year, rng, m, money, counts, ratios)
    df = df.with_columns(pl.Series("_ord", np.arange(m, dtype=np.float64)))
    extra: list[pl.DataFrame] = []
    for kind in kinds:
        k = min(wanted[kind], m - taken)
        rows = np.sort(free[taken:taken + k])
        taken += k
        if rows.size == 0:
            continue
        planted[kind] = int(rows.size)
        if kind in _CHANGES:
            df = _CHANGES[kind](df, rows, ctx)
        elif kind in _COPIES:
            extra.append(_COPIES[kind](df, rows, ctx))
    if extra:
        # columns turned into text above must have the same type in the copies
        extra = [e.cast(dict(df.schema)) for e in extra]
        df = pl.concat([df, *extra])
    return df.sort("_ord").drop("_ord"), planted
