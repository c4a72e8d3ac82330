import numpy as np
import pytest

from innoregion.engines.matching import DecisionGroup, LogisticReranker, MatchingConfigError, decide_reranker
from innoregion.engines.matching.reranker import FEATURES, feature_matrix, feature_row


def _groups(n_groups, informative, seed=0, per_group=12):
    """Decisions where acceptance depends on `similarity` (informative) or on nothing (noise); the
    fused score the matches were proposed with is noise in both cases."""
    rng = np.random.default_rng(seed)
    groups = []
    for g in range(n_groups):
        comps, labels, base = [], [], []
        for _ in range(per_group):
            sim = rng.uniform(0, 1)
            label = int(sim > 0.6) if informative else int(rng.uniform() > 0.6)
            comps.append({"lexical": rng.uniform(0, 5), "lexical_z": rng.normal(), "dense_z": rng.normal(),
                          "similarity": sim, "same_language": float(rng.integers(2)), "matched_terms": 2})
            labels.append(label)
            base.append(rng.normal())
        groups.append(DecisionGroup(group=g, components=comps, labels=labels, base_scores=base))
    return groups


def test_feature_rows_come_from_component_scores():
    row = feature_row({"lexical": np.e - 1, "lexical_z": 1.5, "dense_z": -0.5, "similarity": 0.7,
                       "same_language": 1.0, "matched_terms": 25, "junk": "x"})
    assert row == pytest.approx([1.5, -0.5, 0.7, 1.0, 1.0, 1.0])
    assert feature_row({})[0] == 0.0 and len(FEATURES) == 6


def test_logistic_regression_learns_a_separable_rule():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, len(FEATURES)))
    y = (X[:, 2] > 0.2).astype(int)
    model = LogisticReranker(l2=0.1).fit(X, y)
    acc = ((model.predict_proba(X) > 0.5) == y).mean()
    assert acc > 0.95
    assert np.argmax(np.abs(model.coef)) == 2
    again = LogisticReranker.from_dict(model.to_dict())
    assert np.allclose(again.decision(X), model.decision(X))


def test_fit_needs_both_classes():
    with pytest.raises(MatchingConfigError):
        LogisticReranker().fit(np.ones((5, 6)), np.ones(5))


def test_reranker_is_kept_when_it_helps_on_held_out_scenarios():
    report = decide_reranker(_groups(30, informative=True))
    assert report.keep and report.delta > 0.1 and report.model is not None
    assert "kept" in report.reason


def test_reranker_is_dropped_when_decisions_carry_no_signal():
    report = decide_reranker(_groups(30, informative=False))
    assert not report.keep and report.model is None
    assert "dropped" in report.reason


def test_too_few_decisions_never_switch_the_reranker_on():
    report = decide_reranker(_groups(2, informative=True))
    assert not report.keep and "not enough decisions" in report.reason
    assert feature_matrix([]).shape == (0, len(FEATURES))
