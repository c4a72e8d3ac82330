"""Ranking metrics: recall@k and nDCG@k with graded gains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def recall_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float | None:
    """Share of the relevant items found in the first k; None when nothing is relevant."""
    if not relevant:
        return None
    return len(set(ranked[:k]) & relevant) / len(relevant)


def dcg(gains: Sequence[float]) -> float:
    g = np.asarray(gains, dtype=np.float64)
    if g.size == 0:
        return 0.0
    return float(((2.0 ** g - 1.0) / np.log2(np.arange(2, g.size + 2))).sum())


def ndcg_at_k(ranked: Sequence, grades: Mapping, k: int = 10) -> float | None:
    """nDCG@k with gain 2^grade - 1; None when no item has a positive grade."""
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    best = dcg(ideal)
    got = dcg([grades.get(item, 0) for item in ranked[:k]])
    return got / best


def mean(values) -> float:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else float("nan")
