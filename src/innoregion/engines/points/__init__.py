"""Innovation-points engine: a composite-indicator pipeline (pure Python, Polars, NumPy).

The engine follows the OECD/JRC handbook method as implemented by COINr (the JRC's reference toolkit)
and adds what a points system needs: life-cycle stages with stage-specific weights, comparison within
a cohort, bonus and penalty items with caps, ranks and tier lists within each stage.

Public API (other engines -- explanations, what-if, audit -- use only these names)::

    from innoregion.engines.points import load_spec, run_pipeline

    spec = load_spec("examples/coinr-asem/canonical.yaml")   # or a dict; raises SpecError
    result = run_pipeline(data, meta, spec)                   # PipelineResult
    result.scores                   # uCode, stage, <top aggregate>, bonus, penalty, score, Rank, StageRank, tier
    result.stage("normalised")      # any stage table (also available as attributes)
    result.normalise_value("LPI", cohort=None, x=3.9)  # reproduce a fitted normalisation exactly
    result.warnings                 # never a silent NaN: every degenerate case is reported here

Errors: a bad spec raises :class:`SpecError` (``"normalise.method: unknown method 'minmx'; ..."``);
data or iMeta that do not fit raise :class:`DataError`.

Inputs
------
``data``: one row per unit (or per unit and ``Time`` for a panel): column ``uCode`` (unique per
period), optional group columns, optional ``Time``, denominator columns, indicator columns and any
columns used by stage bands or bonus/penalty items.

``meta``: COINr's iMeta schema -- ``Level, iCode, Parent, Direction, Weight, Type, Denominator,
Target`` (extra columns allowed). ``Type`` is ``Indicator`` (level 1), ``Aggregate`` (levels >= 2),
``Group``, ``Denominator`` or ``Other``.

The spec format is documented in ``docs/methodology/spec.md``.
"""

from __future__ import annotations

from innoregion.engines.points.aggregate import AGGREGATORS, aggregate_values
from innoregion.engines.points.normalise import NORMALISERS, NormaliserFit, fit_normaliser
from innoregion.engines.points.pipeline import DataError, assign_stages, build_hierarchy, run_pipeline
from innoregion.engines.points.result import Hierarchy, PipelineResult
from innoregion.engines.points.spec import Spec, SpecError, load_spec
from innoregion.engines.points.treat import excel_kurtosis, excel_skew, treat_indicator

__all__ = [
    "AGGREGATORS",
    "NORMALISERS",
    "DataError",
    "Hierarchy",
    "NormaliserFit",
    "PipelineResult",
    "Spec",
    "SpecError",
    "aggregate_values",
    "assign_stages",
    "build_hierarchy",
    "excel_kurtosis",
    "excel_skew",
    "fit_normaliser",
    "load_spec",
    "run_pipeline",
    "treat_indicator",
]
