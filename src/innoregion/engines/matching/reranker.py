"""Learning from caseworkers: a logistic-regression re-ranker over the component scores.

Caseworkers accept or reject proposed matches. Each decision is a row of component scores (the same
numbers stored with every match) and a label. :func:`decide_reranker` fits the model on some scenarios
and measures on held-out scenarios whether ordering by the model beats ordering by the fused score
(nDCG@10 over the decided matches). The re-ranker is kept only when it does, by a margin: the engine
decides by the measurement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from innoregion.engines.matching.errors import MatchingConfigError
from innoregion.engines.matching.metrics import mean, ndcg_at_k

FEATURES = ("lexical_z", "dense_z", "similarity", "lexical_log", "same_language", "matched_terms")


def feature_row(components: Mapping[str, object]) -> list[float]:
    """Feature vector of one match from its component scores (see ``MatchProposal.components``)."""
    def num(name: str) -> float:
        value = components.get(name)
        try:
            out = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0.0
        return out if np.isfinite(out) else 0.0

    return [
        num("lexical_z"),
        num("dense_z"),
        num("similarity"),
        float(np.log1p(max(num("lexical"), 0.0))),
        num("same_language"),
        min(num("matched_terms"), 10.0) / 10.0,
    ]


def feature_matrix(rows: Sequence[Mapping[str, object]]) -> np.ndarray:
    if not rows:
        return np.zeros((0, len(FEATURES)))
    return np.asarray([feature_row(r) for r in rows], dtype=np.float64)


@dataclass
class LogisticReranker:
    """L2-regularised logistic regression fitted by Newton's method (numpy only)."""

    l2: float = 1.0
    coef: np.ndarray | None = None
    intercept: float = 0.0
    mean_: np.ndarray | None = None
    scale_: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: np.ndarray, iterations: int = 50) -> LogisticReranker:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
            raise MatchingConfigError("re-ranker: X must be (n, d) with n = len(y) > 0")
        if len(np.unique(y)) < 2:
            raise MatchingConfigError("re-ranker: needs both accepted and rejected decisions")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        Z = np.hstack([np.ones((len(X), 1)), (X - self.mean_) / self.scale_])
        # balance the classes: caseworkers reject far more than they accept
        pos = y.sum()
        weights = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * (len(y) - pos)))
        w = np.zeros(Z.shape[1])
        reg = np.full(Z.shape[1], self.l2)
        reg[0] = 0.0
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -30, 30)))
            grad = Z.T @ (weights * (p - y)) + reg * w
            hess = (Z * (weights * p * (1 - p))[:, None]).T @ Z + np.diag(reg + 1e-9)
            step = np.linalg.solve(hess, grad)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        self.intercept = float(w[0])
        self.coef = w[1:]
        return self

    def decision(self, X: np.ndarray) -> np.ndarray:
        if self.coef is None:
            raise MatchingConfigError("re-ranker is not fitted")
        X = np.asarray(X, dtype=np.float64)
        return self.intercept + ((X - self.mean_) / self.scale_) @ self.coef

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.decision(X), -30, 30)))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "l2": self.l2, "intercept": self.intercept,
                "coef": [] if self.coef is None else self.coef.tolist(),
                "mean": [] if self.mean_ is None else self.mean_.tolist(),
                "scale": [] if self.scale_ is None else self.scale_.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping) -> LogisticReranker:
        if list(data.get("features", [])) != list(FEATURES):
            raise MatchingConfigError("re-ranker was trained on other features")
        return cls(l2=float(data["l2"]), coef=np.asarray(data["coef"], dtype=np.float64),
                   intercept=float(data["intercept"]), mean_=np.asarray(data["mean"], dtype=np.float64),
                   scale_=np.asarray(data["scale"], dtype=np.float64))


@dataclass
class DecisionGroup:
    """The decided matches of one scenario."""

    group: object
    components: list[Mapping[str, object]]
    labels: list[int]  # 1 accepted, 0 rejected
    base_scores: list[float]  # the fused score the match was proposed with


@dataclass
class RerankerReport:
    keep: bool
    reason: str
    base_ndcg: float = float("nan")
    reranked_ndcg: float = float("nan")
    delta: float = float("nan")
    folds: int = 0
    groups: int = 0
    decisions: int = 0
    margin: float = 0.0
    model: LogisticReranker | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["model"] = self.model.to_dict() if self.model is not None else None
        return out


def _group_ndcg(order_scores: np.ndarray, labels: np.ndarray, k: int = 10) -> float | None:
    ranked = list(np.argsort(-order_scores, kind="stable"))
    grades = {i: int(labels[i]) for i in range(len(labels))}
    return ndcg_at_k(ranked, grades, k)


def decide_reranker(groups: Sequence[DecisionGroup], *, folds: int = 5, margin: float = 0.01,
                    min_decisions: int = 40, min_groups: int = 5, l2: float = 1.0, seed: int = 0,
                    fold_key: Callable[[DecisionGroup], object] | None = None) -> RerankerReport:
    """Cross-validate the re-ranker over scenario groups; keep it only if held-out nDCG@10 improves
    by more than ``margin``. Groups with the same ``fold_key`` (e.g. the language versions of one
    scenario) stay in the same fold. The returned report carries a model fitted on all decisions when
    kept."""
    usable = [g for g in groups if g.labels]
    n_dec = sum(len(g.labels) for g in usable)
    all_labels = [lab for g in usable for lab in g.labels]
    if n_dec < min_decisions or len(usable) < min_groups or len(set(all_labels)) < 2:
        return RerankerReport(keep=False, reason=(
            f"not enough decisions to learn from ({n_dec} decisions over {len(usable)} scenarios, need "
            f">= {min_decisions} over >= {min_groups}, with both accepted and rejected)"),
            groups=len(usable), decisions=n_dec, margin=margin)
    keys = [fold_key(g) if fold_key is not None else i for i, g in enumerate(usable)]
    distinct = list(dict.fromkeys(keys))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(distinct))
    n_folds = max(2, min(folds, len(distinct)))
    fold_of_key = {distinct[k]: pos % n_folds for pos, k in enumerate(order)}
    fold_of = np.asarray([fold_of_key[k] for k in keys])
    base_vals: list[float | None] = []
    rr_vals: list[float | None] = []
    for f in range(n_folds):
        train = [g for i, g in enumerate(usable) if fold_of[i] != f]
        test = [g for i, g in enumerate(usable) if fold_of[i] == f]
        y_train = np.asarray([lab for g in train for lab in g.labels])
        if len(np.unique(y_train)) < 2:
            continue
        X_train = feature_matrix([c for g in train for c in g.components])
        model = LogisticReranker(l2=l2).fit(X_train, y_train)
        for g in test:
            labels = np.asarray(g.labels)
            base_vals.append(_group_ndcg(np.asarray(g.base_scores, dtype=np.float64), labels))
            rr_vals.append(_group_ndcg(model.decision(feature_matrix(g.components)), labels))
    base, rer = mean(base_vals), mean(rr_vals)
    if not np.isfinite(base) or not np.isfinite(rer):
        return RerankerReport(keep=False, reason="no held-out scenario had an accepted match",
                              folds=n_folds, groups=len(usable), decisions=n_dec, margin=margin)
    delta = rer - base
    keep = delta > margin
    model = None
    if keep:
        model = LogisticReranker(l2=l2).fit(feature_matrix([c for g in usable for c in g.components]),
                                            np.asarray(all_labels))
    reason = (f"held-out nDCG@10 {base:.3f} -> {rer:.3f} ({delta:+.3f}); "
              + ("kept: it helps by more than the margin" if keep
                 else f"dropped: the gain is not above the margin {margin}"))
    return RerankerReport(keep=keep, reason=reason, base_ndcg=base, reranked_ndcg=rer, delta=delta,
                          folds=n_folds, groups=len(usable), decisions=n_dec, margin=margin, model=model)
