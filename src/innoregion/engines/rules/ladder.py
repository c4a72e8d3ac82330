"""The cultivation ladder: current rungs, the next step, and region counts against the targets.

Closeness (docs/rules/ladder.md): the engine's ``distance`` of an outcome — the sum, over the failed
conditions, of each one's relative shortfall in [0, 1] (|threshold − value| / |threshold|, capped at 1;
a failed flag counts 1; a failed score counts (needed − highest possible) / needed), where the
standard route and each direct route are alternatives and only the nearest counts. The next step of
an enterprise-year is, among the ladder packs it does not meet (not_met, unknown, needs_review;
never not_applicable) and that are above its highest main rung (side tracks always qualify), the one
with the smallest distance; ties go to needs_review, then unknown, then not_met, then the lower rung.
A distance of 0 with unknown / needs_review means "no known gap: the missing data or the experts
decide".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

from .errors import PackError

LADDER_PATH = Path(__file__).resolve().parents[2] / "rulepacks" / "ladder" / "ladder.yaml"
STATUS_RANK = {"needs_review": 0, "unknown": 1, "not_met": 2}


@dataclass(frozen=True)
class Ladder:
    version: str
    rungs: dict[str, int]  # main pack id -> level
    side: tuple[str, ...]
    labels: dict[str, dict[str, str]]
    targets: tuple[tuple[str, str, int], ...]  # (pack, op, count)
    target_year: int
    raw: dict

    @property
    def packs(self) -> list[str]:
        return [*self.rungs, *self.side]


def parse_ladder(data: dict) -> Ladder:
    if not isinstance(data, dict):
        raise PackError("ladder", "expected a mapping")
    rungs, labels, side = {}, {}, []
    for i, r in enumerate(data.get("rungs") or []):
        if "pack" not in r or "level" not in r:
            raise PackError(f"rungs[{i}]", "a rung needs 'pack' and 'level'")
        rungs[r["pack"]] = int(r["level"])
        labels[r["pack"]] = r.get("label", {})
    for i, r in enumerate(data.get("side_tracks") or []):
        if "pack" not in r:
            raise PackError(f"side_tracks[{i}]", "a side track needs 'pack'")
        side.append(r["pack"])
        labels[r["pack"]] = r.get("label", {})
    if not rungs:
        raise PackError("rungs", "the ladder needs at least one rung")
    t = data.get("targets") or {}
    targets = []
    for i, c in enumerate(t.get("counts") or []):
        ops = [k for k in c if k in ("gt", "ge")]
        if "pack" not in c or len(ops) != 1:
            raise PackError(f"targets.counts[{i}]", "a target needs 'pack' and one of 'gt' / 'ge'")
        targets.append((c["pack"], ops[0], int(c[ops[0]])))
    return Ladder(str(data.get("version", "")), rungs, tuple(side), labels, tuple(targets),
                  int(t.get("year", 0)), data)


@functools.cache
def load_ladder(path: str | None = None) -> Ladder:
    return parse_ladder(yaml.safe_load(Path(path or LADDER_PATH).read_text(encoding="utf-8")))


def _with_levels(outcomes: pl.DataFrame, ladder: Ladder) -> pl.DataFrame:
    levels = pl.DataFrame({"pack": list(ladder.rungs), "level": list(ladder.rungs.values())},
                          schema={"pack": pl.String, "level": pl.Int32})
    return outcomes.filter(pl.col("pack").is_in(ladder.packs)).join(levels, on="pack", how="left")


def ladder_status(outcomes: pl.DataFrame, ladder: Ladder | None = None, lang: str = "en") -> pl.DataFrame:
    """One row per enterprise-year: rungs met, highest level, side tracks met, and the next step.

    ``outcomes`` is the result of :func:`evaluate` (with ``explain`` for the gap texts; the column
    ``gaps_<lang>`` is used when present). Columns: credit_code, year, rungs (list), top_level,
    side_tracks (list), next_step, next_outcome, next_distance, next_gaps, candidates (list of
    "pack (distance)" ranked by closeness).
    """
    ladder = ladder or load_ladder()
    df = _with_levels(outcomes, ladder)
    gaps_col = f"gaps_{lang}"
    if gaps_col not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias(gaps_col))
    keys = ["credit_code", "year"]
    met = df.filter(pl.col("outcome") == "met")
    top = met.filter(pl.col("level").is_not_null()).group_by(keys).agg(
        pl.col("pack").sort_by("level").alias("rungs"), pl.col("level").max().alias("top_level"))
    side = met.filter(pl.col("level").is_null()).group_by(keys).agg(pl.col("pack").sort().alias("side_tracks"))
    base = df.select(keys).unique()
    cand = (
        df.join(top.select(*keys, "top_level"), on=keys, how="left")
        .filter(pl.col("outcome").is_in(list(STATUS_RANK)))
        .filter(pl.col("level").is_null() | (pl.col("level") > pl.col("top_level").fill_null(0)))
        .with_columns(pl.col("outcome").replace_strict(STATUS_RANK, return_dtype=pl.Int8).alias("_rank"),
                      pl.col("distance").fill_null(0.0).alias("_d"))
        .sort([*keys, "_d", "_rank", "level"], nulls_last=True)
    )
    nxt = cand.group_by(keys, maintain_order=True).agg(
        pl.col("pack").first().alias("next_step"),
        pl.col("outcome").first().alias("next_outcome"),
        pl.col("_d").first().alias("next_distance"),
        pl.col(gaps_col).first().alias("next_gaps"),
        pl.format("{} ({})", pl.col("pack"), pl.col("_d").round(2)).alias("candidates"),
    )
    return (base.join(top, on=keys, how="left").join(side, on=keys, how="left").join(nxt, on=keys, how="left")
            .with_columns(pl.col("top_level").fill_null(0))
            .sort(keys))


def next_steps(outcomes: pl.DataFrame, ladder: Ladder | None = None, lang: str = "en") -> pl.DataFrame:
    """Enterprise-years that have a next step, closest first."""
    st = ladder_status(outcomes, ladder, lang)
    return st.filter(pl.col("next_step").is_not_null()).sort("next_distance", "credit_code", "year")


def region_counts(outcomes: pl.DataFrame, ladder: Ladder | None = None) -> pl.DataFrame:
    """Per year and ladder pack: met, open (unknown + needs_review), not_met, and the target.

    ``target`` is the smallest count that satisfies the target (``> 1200`` -> 1201); ``to_target`` how
    many more met enterprises are needed (0 when reached); targets hold for ``target_year``.
    """
    ladder = ladder or load_ladder()
    df = _with_levels(outcomes, ladder)
    counts = df.group_by("year", "pack").agg(
        (pl.col("outcome") == "met").sum().alias("met"),
        pl.col("outcome").is_in(["unknown", "needs_review"]).sum().alias("open"),
        (pl.col("outcome") == "not_met").sum().alias("not_met"),
    )
    tg = pl.DataFrame({"pack": [t[0] for t in ladder.targets],
                       "target": [t[2] + (1 if t[1] == "gt" else 0) for t in ladder.targets]},
                      schema={"pack": pl.String, "target": pl.Int64})
    return (counts.join(tg, on="pack", how="left")
            .with_columns(pl.lit(ladder.target_year).alias("target_year"),
                          pl.when(pl.col("target").is_not_null())
                          .then(pl.max_horizontal(pl.col("target") - pl.col("met"), pl.lit(0)))
                          .alias("to_target"))
            .sort("year", "pack"))
