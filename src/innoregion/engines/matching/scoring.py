"""Per-language score normalisation, fusion and candidate filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from innoregion.engines.matching.errors import MatchingConfigError

COMPONENTS = ("lexical", "dense")


def zscore_by_group(scores: np.ndarray, groups: np.ndarray, min_group_size: int = 5) -> np.ndarray:
    """Z-score each row of ``scores`` (queries x candidates) within each candidate group.

    ``groups`` labels every candidate column (here: the candidate's language). A group smaller than
    ``min_group_size`` is standardised with the statistics of all candidates instead (its own would be
    noise). A group (or pool) whose scores are all equal gets 0. A 1-D ``scores`` is one query.
    """
    one = np.asarray(scores).ndim == 1
    mat = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    groups = np.asarray(groups)
    if groups.shape[0] != mat.shape[1]:
        raise MatchingConfigError("zscore_by_group: one group label per candidate column is needed")
    out = np.zeros_like(mat)
    if mat.shape[1] == 0:
        return out[0] if one else out
    all_mean = mat.mean(axis=1, keepdims=True)
    all_std = mat.std(axis=1, keepdims=True)
    for label in np.unique(groups):
        cols = np.flatnonzero(groups == label)
        block = mat[:, cols]
        if cols.size >= min_group_size:
            mean = block.mean(axis=1, keepdims=True)
            std = block.std(axis=1, keepdims=True)
        else:
            mean, std = all_mean, all_std
        safe = np.where(std > 1e-12, std, 1.0)
        out[:, cols] = np.where(std > 1e-12, (block - mean) / safe, 0.0)
    return out[0] if one else out


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the weighted sum of normalised component scores."""

    lexical: float = 0.35
    dense: float = 0.65

    def __post_init__(self):
        for name in COMPONENTS:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
                raise MatchingConfigError(f"fusion weight {name!r} must be a finite number >= 0, got {value!r}")
        if self.lexical + self.dense <= 0:
            raise MatchingConfigError("at least one fusion weight must be positive")

    @classmethod
    def from_mapping(cls, data: Mapping[str, float]) -> FusionWeights:
        unknown = set(data) - set(COMPONENTS)
        if unknown:
            raise MatchingConfigError(f"unknown fusion components {sorted(unknown)}; known: {COMPONENTS}")
        return cls(**{k: float(v) for k, v in data.items()})

    def effective(self, dense_available: bool) -> FusionWeights:
        """Without the dense path all the weight goes to the lexical path."""
        if dense_available:
            return self
        return FusionWeights(lexical=1.0, dense=0.0)


def fuse(components: Mapping[str, np.ndarray], weights: FusionWeights) -> np.ndarray:
    total = None
    for name in COMPONENTS:
        w = getattr(weights, name)
        if w == 0 or name not in components:
            continue
        part = w * components[name]
        total = part if total is None else total + part
    if total is None:
        raise MatchingConfigError("no component with a positive weight is available")
    return total


FILTER_ATTRIBUTES = ("cluster", "zone", "points_tier", "ladder_rung")


@dataclass(frozen=True)
class FilterSpec:
    """Which candidates a scenario accepts. ``None`` = no constraint on that attribute.

    cluster / zone / points_tier / ladder_rung: the allowed values (compared as strings);
    min_ladder_rung: the lowest acceptable rung when rungs are integers (1 = lowest).
    """

    cluster: frozenset[str] | None = None
    zone: frozenset[str] | None = None
    points_tier: frozenset[str] | None = None
    ladder_rung: frozenset[str] | None = None
    min_ladder_rung: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> FilterSpec:
        if not data:
            return cls()
        unknown = set(data) - set(FILTER_ATTRIBUTES) - {"min_ladder_rung"}
        if unknown:
            raise MatchingConfigError(f"unknown filters {sorted(unknown)}")
        kwargs: dict = {}
        for name in FILTER_ATTRIBUTES:
            value = data.get(name)
            if value is None:
                continue
            values = [value] if isinstance(value, str | int) else list(value)
            if not values:
                raise MatchingConfigError(f"filter {name!r} has an empty list of allowed values")
            kwargs[name] = frozenset(str(v) for v in values)
        if data.get("min_ladder_rung") is not None:
            try:
                kwargs["min_ladder_rung"] = int(data["min_ladder_rung"])
            except (TypeError, ValueError) as exc:
                raise MatchingConfigError("min_ladder_rung must be an integer") from exc
        return cls(**kwargs)

    @property
    def active(self) -> bool:
        return any(getattr(self, n) is not None for n in (*FILTER_ATTRIBUTES, "min_ladder_rung"))

    def check(self, attrs: Mapping[str, object]) -> tuple[bool, list[str]]:
        """(passes, reasons): the reasons name every filter that was checked and passed."""
        passed: list[str] = []
        for name in FILTER_ATTRIBUTES:
            allowed = getattr(self, name)
            if allowed is None:
                continue
            value = attrs.get(name)
            if value is None or str(value) not in allowed:
                return False, passed
            passed.append(f"{name}={value}")
        if self.min_ladder_rung is not None:
            value = attrs.get("ladder_rung")
            try:
                rung = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False, passed
            if rung < self.min_ladder_rung:
                return False, passed
            passed.append(f"ladder_rung={rung}>={self.min_ladder_rung}")
        return True, passed

    def mask(self, attr_columns: Mapping[str, list]) -> np.ndarray:
        """Boolean mask over candidates (columns of attributes, one list per attribute)."""
        n = len(next(iter(attr_columns.values()))) if attr_columns else 0
        keep = np.ones(n, dtype=bool)
        if not self.active:
            return keep
        for i in range(n):
            keep[i] = self.check({k: v[i] for k, v in attr_columns.items()})[0]
        return keep
