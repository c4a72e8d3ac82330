"""The result of :func:`run_pipeline`: every stage table, the fitted parameters, the warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from innoregion.engines.points.aggregate import aggregate_values
from innoregion.engines.points.normalise import NormaliserFit
from innoregion.engines.points.spec import Spec

STAGE_TABLES = ("raw", "denominated", "screened", "imputed", "treated", "normalised", "aggregated")

ALL_COHORTS = "*"
"""Cohort key used when normalisation is not done within cohorts (one fit for all units)."""


@dataclass
class Hierarchy:
    """The indicator tree, read from iMeta.

    ``levels[k]`` lists the codes at level ``k`` (1 = indicators); ``children[code]`` the child codes
    of an aggregate; ``parent[code]`` its parent (``None`` for the top); ``direction[code]`` is +1 or
    -1; ``target[code]`` the iMeta Target (NaN if none); ``denominator[code]`` the denominator column
    or ``None``.
    """

    levels: dict[int, list[str]]
    children: dict[str, list[str]]
    parent: dict[str, str | None]
    direction: dict[str, float]
    weight: dict[str, float]
    target: dict[str, float]
    denominator: dict[str, str | None]

    @property
    def indicators(self) -> list[str]:
        return self.levels[1]

    @property
    def aggregates(self) -> list[str]:
        return [c for k in sorted(self.levels) if k > 1 for c in self.levels[k]]

    @property
    def top(self) -> str:
        top_level = max(self.levels)
        return self.levels[top_level][0]


class _LazyTable:
    """A table built from the run's arrays the first time it is read, then cached (the big stage
    tables cost more to materialise than to compute; most callers read only a few)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.tables[self.name]
        if callable(value):
            value = value()
            obj.tables[self.name] = value
        return value

    def __set__(self, obj: Any, value: pl.DataFrame) -> None:
        obj.tables[self.name] = value


@dataclass
class PipelineResult:
    """Everything one run of the pipeline produced; every table is a Polars DataFrame.

    Stage tables (``uCode`` + one column per indicator, aggregates added in ``aggregated``; a step
    that is switched off passes its input through unchanged, so every table always exists; these
    tables and ``effective_weights`` are materialised on first access and cached):

    - ``raw``: the input indicators (for a panel: the scored period, after panel imputation if any)
    - ``denominated``: after dividing by denominators
    - ``screened``: after dropping units (and indicators) below the availability thresholds
    - ``imputed``: after imputation
    - ``treated``: after outlier treatment
    - ``normalised``: after directions and normalisation
    - ``aggregated``: normalised indicators + every aggregate column, level by level

    Other tables:

    - ``treatment_details``: one row per indicator: ``iCode, treated, method, skew0, kurt0, nwin,
      winsorised_low, winsorised_high, logged, skew1, kurt1, lower_bound, upper_bound, log_min,
      log_shift`` (COINr's check_SkewKurt0 / winsorise / check_SkewKurt1 columns under our names).
    - ``weights``: nominal weights in long form: ``cohort, iCode, Parent, Level, weight, rescaled``
      (``rescaled`` sums to 1 within each parent and cohort).
    - ``effective_weights``: ``uCode`` + one column per indicator: the weight the indicator carries
      in the top aggregate for that unit, after stage weights, rescaling within parents and
      renormalisation over missing values. It sums to 1 over the indicators of a unit with a score.
    - ``stages``: ``uCode, stage`` (life-cycle stage; ``stage`` is null when no stages are defined).
    - ``ranks``: ``uCode, stage, score, Rank, StageRank`` (descending, ties "min").
    - ``tiers``: ``uCode, stage, StageRank, StageSize, tier`` (null tier = below the last cut-off).
    - ``bonus_penalty``: ``uCode, base, bonus_raw, bonus, penalty_raw, penalty, score``.
    - ``scores``: the final table: ``uCode, stage, <top aggregate>, bonus, penalty, score, Rank,
      StageRank, tier`` (``score`` is the top aggregate plus capped bonus minus capped penalty).
    - ``normaliser_params``: ``iCode, cohort, method, direction, n, params`` (JSON text).

    For the explanation / what-if engines:

    - ``normaliser_fits[(iCode, cohort)]`` -> :class:`NormaliserFit`;
      :meth:`normalise_value` applies it to new values (the inverse via ``NormaliserFit.invert``).
    - ``treatment_fits[iCode]`` -> dict with winsor bounds / log parameters; :meth:`treat_value`.
    - :meth:`aggregate_unit` recomputes all aggregates of one unit from normalised indicator values.
    - ``hierarchy``: the indicator tree; ``cohort_of``: uCode -> cohort key used for normalisation.
    """

    spec: Spec
    hierarchy: Hierarchy
    treatment_details: pl.DataFrame
    weights: pl.DataFrame
    stages: pl.DataFrame
    ranks: pl.DataFrame
    tiers: pl.DataFrame
    bonus_penalty: pl.DataFrame
    scores: pl.DataFrame
    normaliser_params: pl.DataFrame
    normaliser_fits: dict[tuple[str, str], NormaliserFit]
    treatment_fits: dict[str, dict[str, Any]]
    stage_weights: dict[str, dict[str, float]]
    cohort_column: str | None
    warnings: list[str] = field(default_factory=list)
    excluded_units: list[str] = field(default_factory=list)
    dropped_indicators: list[str] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict, repr=False)
    """The large unit x indicator tables: a DataFrame, or a zero-argument builder run on first access."""

    raw = _LazyTable()
    denominated = _LazyTable()
    screened = _LazyTable()
    imputed = _LazyTable()
    treated = _LazyTable()
    normalised = _LazyTable()
    aggregated = _LazyTable()
    effective_weights = _LazyTable()

    # ------------------------------------------------------------------ access
    def stage(self, name: str) -> pl.DataFrame:
        """Return a table by name (a stage table or any other table attribute)."""
        names = (*STAGE_TABLES, "treatment_details", "weights", "effective_weights", "stages", "ranks",
                 "tiers", "bonus_penalty", "scores", "normaliser_params")
        if name not in names:
            raise KeyError(f"unknown table {name!r}; expected one of {', '.join(names)}")
        return getattr(self, name)

    def cohort_key(self, cohort: Any) -> str:
        """The key under which fits are stored: ``"*"`` when normalisation is not by cohort."""
        if self.cohort_column is None or cohort is None:
            return ALL_COHORTS
        return str(cohort)

    # ------------------------------------------------------------------ what-if helpers
    def normalise_value(self, indicator: str, cohort: Any, x: float | np.ndarray) -> float | np.ndarray:
        """Normalise a (treated-scale) value of ``indicator`` exactly as the fit for ``cohort`` did.

        ``cohort`` is the unit's stage or group value (ignored when normalisation is global). The
        direction is applied inside. For rank-based methods the value is ranked among the fitted
        reference values (so a unit's own value reproduces its own normalised value).
        """
        fit = self.normaliser_fits.get((indicator, self.cohort_key(cohort)))
        if fit is None:
            raise KeyError(f"no normaliser fitted for indicator {indicator!r}, cohort {cohort!r}")
        return fit.apply(x)

    def denormalise_value(self, indicator: str, cohort: Any, y: float | np.ndarray) -> float | np.ndarray:
        """Inverse of :meth:`normalise_value` where the method is invertible (see NormaliserFit.invert)."""
        fit = self.normaliser_fits.get((indicator, self.cohort_key(cohort)))
        if fit is None:
            raise KeyError(f"no normaliser fitted for indicator {indicator!r}, cohort {cohort!r}")
        return fit.invert(y)

    def treat_value(self, indicator: str, x: float | np.ndarray) -> float | np.ndarray:
        """Apply the fitted outlier treatment of ``indicator`` to a new (denominated) value."""
        fit = self.treatment_fits.get(indicator)
        x = np.asarray(x, dtype=float)
        if not fit:
            return x[()] if x.ndim == 0 else x
        if fit.get("logged"):
            out = np.log(x - fit["log_min"] + fit["log_shift"])
        else:
            out = np.clip(x, fit.get("lower_bound", -np.inf), fit.get("upper_bound", np.inf))
        return out[()] if np.ndim(out) == 0 else out

    def aggregate_unit(self, normalised: Mapping[str, float], stage: Any = None) -> dict[str, float]:
        """Aggregate one unit's normalised indicator values through the tree with the run's settings.

        Missing indicators may be given as NaN or left out. Returns every aggregate code -> value
        (NaN where the availability threshold is not met). Bonus/penalty are not included.
        """
        from innoregion.engines.points.pipeline import aggregate_tree

        cols = {c: np.array([float(normalised.get(c, np.nan))]) for c in self.hierarchy.indicators}
        stage_arr = np.array([str(stage) if stage is not None else ALL_COHORTS], dtype=object)
        aggs, _ = aggregate_tree(cols, self.hierarchy, self.spec, self.stage_weights, stage_arr,
                                 warnings=[], want_effective=False)
        return {k: float(v[0]) for k, v in aggs.items()}

    def aggregate_values(self, values: np.ndarray, weights: np.ndarray, method: str = "arithmetic",
                         p: float = 1.0) -> np.ndarray:
        """Convenience re-export of :func:`aggregate_values`."""
        return aggregate_values(values, weights, method=method, p=p)
