import numpy as np
import pytest

from innoregion.engines.matching import FilterSpec, FusionWeights, MatchingConfigError, zscore_by_group
from innoregion.engines.matching.scoring import fuse


def test_zscore_is_computed_within_each_language_group():
    scores = np.array([10.0, 12.0, 14.0, 16.0, 18.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    groups = np.array(["zh"] * 5 + ["en"] * 5)
    z = zscore_by_group(scores, groups)
    # each group is standardised on its own: same ranks, same z values despite 100x scale
    assert np.allclose(z[:5], z[5:])
    assert abs(z[:5].mean()) < 1e-9 and abs(z[:5].std() - 1) < 1e-9


def test_zscore_rows_are_queries_and_constant_groups_get_zero():
    scores = np.array([[1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0]])
    z = zscore_by_group(scores, np.array(["ko"] * 5 + ["en"] * 5))
    assert z.shape == (1, 10)
    assert np.all(z[0, :5] == 0)
    assert z[0, 9] > z[0, 5]


def test_small_groups_use_pooled_statistics():
    scores = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 9.0])
    groups = np.array(["zh"] * 6 + ["ko"])
    z = zscore_by_group(scores, groups, min_group_size=5)
    pooled = (9.0 - scores.mean()) / scores.std()
    assert z[6] == pytest.approx(pooled)  # a lone Korean candidate is not forced to z = 0


def test_zscore_needs_one_label_per_column():
    with pytest.raises(MatchingConfigError):
        zscore_by_group(np.zeros(3), np.array(["zh", "en"]))


def test_fusion_is_the_weighted_sum_of_normalised_components():
    lex, dense = np.array([1.0, -1.0]), np.array([-0.5, 2.0])
    out = fuse({"lexical": lex, "dense": dense}, FusionWeights(lexical=0.25, dense=0.75))
    assert np.allclose(out, 0.25 * lex + 0.75 * dense)
    assert np.allclose(fuse({"lexical": lex}, FusionWeights().effective(False)), lex)


@pytest.mark.parametrize("weights", [{"lexical": -1}, {"lexical": 0, "dense": 0}, {"sparse": 1},
                                     {"dense": float("nan")}])
def test_bad_weights_are_refused(weights):
    with pytest.raises(MatchingConfigError):
        FusionWeights.from_mapping(weights)


def test_filters_check_every_attribute_and_say_what_passed():
    spec = FilterSpec.from_mapping({"cluster": ["optics-valley"], "zone": "north", "points_tier": ["A", "B"],
                                    "min_ladder_rung": 2})
    ok, passed = spec.check({"cluster": "optics-valley", "zone": "north", "points_tier": "B", "ladder_rung": 3})
    assert ok and passed == ["cluster=optics-valley", "zone=north", "points_tier=B", "ladder_rung=3>=2"]
    assert not spec.check({"cluster": "pharma-valley", "zone": "north", "points_tier": "B", "ladder_rung": 3})[0]
    assert not spec.check({"cluster": "optics-valley", "zone": "north", "points_tier": "C", "ladder_rung": 3})[0]
    assert not spec.check({"cluster": "optics-valley", "zone": "north", "points_tier": "A", "ladder_rung": 1})[0]
    assert not spec.check({"cluster": "optics-valley", "zone": "north", "points_tier": "A"})[0]  # unknown rung


def test_empty_filter_passes_everything_and_bad_filters_are_refused():
    assert not FilterSpec.from_mapping(None).active
    assert FilterSpec().check({})[0]
    with pytest.raises(MatchingConfigError):
        FilterSpec.from_mapping({"colour": ["red"]})
    with pytest.raises(MatchingConfigError):
        FilterSpec.from_mapping({"cluster": []})
    with pytest.raises(MatchingConfigError):
        FilterSpec.from_mapping({"min_ladder_rung": "high"})
