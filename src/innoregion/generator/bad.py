"""Realistic bad rows planted in department files, so the importer's checks have work to do.

Kinds (docs/data/department-files.md): a one-character typo in the credit code, a row of an enterprise
that is not in the register, a negative count, text in a money column (``约100万``), a duplicated row,
a ratio above one (a percentage typed as such), a year that is not the file's year.
"""

from __future__ import annotations

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

    def take(k: int) -> np.ndarray:
        nonlocal taken
        k = min(k, m - taken)
        rows = np.sort(free[taken:taken + k])
        taken += k
        return rows

    order = pl.Series("_ord", np.arange(m, dtype=np.float64))
    df = df.with_columns(order)
    extra: list[pl.DataFrame] = []
    for kind in kinds:
        rows = take(wanted[kind])
        if rows.size == 0:
            continue
        planted[kind] = int(rows.size)
        if kind == "invalid_credit_code":
            bad = codes.typo(df["credit_code"].gather(rows).to_numpy(), rng)
            df = df.with_columns(df["credit_code"].scatter(rows, bad))
        elif kind == "year_mismatch":
            df = df.with_columns(df["year"].scatter(rows, [year - 1] * rows.size))
        elif kind == "negative_count":
            for row in rows:
                col = counts[int(rng.integers(0, len(counts)))]
                current = df[col][int(row)]
                value = -max(1, int(current or 0)) if rng.random() < 0.7 else -int(rng.integers(1, 20))
                df = df.with_columns(df[col].scatter([int(row)], [value]))
        elif kind == "text_in_money":
            for row in rows:
                col = money[int(rng.integers(0, len(money)))]
                current = df[col][int(row)]
                try:
                    yuan = float(current) if current is not None else float(rng.integers(10, 500)) * 1e4
                except ValueError:
                    yuan = 1e6
                text = f"约{max(1, round(yuan / 1e4))}万"
                series = df[col] if df[col].dtype == pl.Utf8 else df[col].cast(pl.Utf8)
                df = df.with_columns(series.scatter([int(row)], [text]))
        elif kind == "ratio_above_one":
            for row in rows:
                col = ratios[int(rng.integers(0, len(ratios)))]
                current = df[col][int(row)]
                pct = max(1.5, float(current) * 100 if current is not None else 35.0)
                df = df.with_columns(df[col].scatter([int(row)], [f"{pct:.1f}"]))
        elif kind == "duplicate_row":
            dup = df[rows].with_columns(pl.col("_ord") + 0.5)
            extra.append(dup)
        elif kind == "unknown_enterprise":
            source = df[rows]
            new_codes = codes.make_codes(
                rng.integers(codes.UNKNOWN_OFFSET, codes.SPACE_MA, rows.size),
                np.ones(rows.size, dtype=bool), rng.integers(0, 64, rows.size),
            )
            positions = rng.integers(0, m, rows.size) + 0.25
            extra.append(source.with_columns(pl.Series("credit_code", new_codes),
                                             pl.Series("_ord", positions.astype(np.float64))))
    if extra:
        # columns turned into text above must have the same type in the copies
        extra = [e.cast(dict(df.schema)) for e in extra]
        df = pl.concat([df, *extra])
    return df.sort("_ord").drop("_ord"), planted
