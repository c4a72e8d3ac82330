"""Spec validation: every error names the key path and the reason."""

import pytest

from innoregion.engines.points import SpecError, load_spec


def err(d) -> str:
    with pytest.raises(SpecError) as exc:
        load_spec(d)
    return str(exc.value)


def test_defaults_are_filled_in():
    spec = load_spec({})
    assert spec.normalise["method"] == "minmax"
    assert spec.aggregate["method"] == "arithmetic"
    assert spec.treat["method"] == "none" and spec.impute["method"] == "none"
    assert spec.order == ["denominate", "impute", "screen", "treat"]


def test_unknown_normaliser_names_path_and_choices():
    msg = err({"normalise": {"method": "minmx"}})
    assert msg.startswith("normalise.method: unknown method 'minmx'; expected one of minmax, zscore")


def test_unknown_top_level_key():
    assert err({"normalize": {}}).startswith("normalize: unknown key")


def test_per_indicator_override_errors_have_full_path():
    msg = err({"normalise": {"indicators": {"LPI": {"method": "zscore", "sd": 0}}}})
    assert msg == "normalise.indicators.LPI.sd: must be > 0"


@pytest.mark.parametrize("d,prefix", [
    ({"aggregate": {"method": "median"}}, "aggregate.method: unknown method 'median'"),
    ({"aggregate": {"method": "generalised"}}, "aggregate.p: method generalised needs the power p"),
    ({"aggregate": {"levels": {"1": {"method": "geometric"}}}}, "aggregate.levels.1: aggregation levels start at 2"),
    ({"aggregate": {"min_availability": 1.5}}, "aggregate.min_availability: must be <= 1"),
    ({"impute": {"method": "mode"}}, "impute.method: unknown method 'mode'"),
    ({"impute": {"method": "latest", "by": "g"}}, "impute.by: method latest works along Time"),
    ({"treat": {"method": "jrc", "skew": "two"}}, "treat.skew: expected a number"),
    ({"treat": {"method": "winsor"}}, "treat.method: unknown method 'winsor'"),
    ({"screen": {"min_availability": -0.1}}, "screen.min_availability: must be >= 0"),
    ({"normalise": {"lower": 10, "upper": 0}}, "normalise.upper: must be greater than lower"),
    ({"normalise": {"method": "goalposts"}}, "normalise.goalposts: method goalposts needs goalposts"),
    ({"normalise": {"method": "goalposts", "goalposts": [5, 1]}}, "normalise.goalposts: lower goalpost"),
    ({"normalise": {"ties": "dense"}}, "normalise.ties: unknown ties method 'dense'"),
    ({"order": ["impute", "screen", "treat"]}, "order: expected a permutation"),
    ({"order": ["impute", "denominate", "screen", "treat"]}, "order: denominate runs first"),
    ({"stages": {"bands": [{"name": "a", "when": {"revenue": [5, 1]}}]}},
     "stages.bands[0].when.revenue: empty band"),
    ({"stages": {"bands": [{"name": "a", "when": {}}]}}, "stages.bands[0].when: at least one column band"),
    ({"stages": {"bands": [{"name": "a", "when": {"r": [0, 1]}}, {"name": "a", "when": {"r": [1, 2]}}]}},
     "stages.bands[1].name: duplicate stage 'a'"),
    ({"stages": {"bands": [{"name": "a", "when": {"r": [0, 1]}}]}, "weights": {"by_stage": {"b": {}}}},
     "weights.by_stage.b: unknown stage"),
    ({"weights": {"by_stage": {"a": {"x": -1}}}}, "weights.by_stage.a.x: must be >= 0"),
    ({"bonus": {"cap": -5}}, "bonus.cap: must be >= 0"),
    ({"bonus": {"items": [{"points": 3}]}}, "bonus.items[0].column: required"),
    ({"penalty": {"items": "x"}}, "penalty.items: expected a list"),
    ({"tiers": [{"name": "A", "top": 0.1}, {"name": "B", "top": 0.05}]}, "tiers[1].top: cut-offs must increase"),
    ({"tiers": [{"name": "A", "top": 2}]}, "tiers[0].top: must be <= 1"),
    ({"denominate": {"enabled": "yes"}}, "denominate.enabled: expected true or false"),
    ({"normalise": {"goalposts": {"LPI": [1]}, "method": "goalposts"}}, "normalise.goalposts.LPI: expected [lower, upper]"),
])
def test_validation_errors(d, prefix):
    assert err(d).startswith(prefix)


def test_yaml_text_and_file(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("normalise:\n  method: rank\n")
    assert load_spec(p).normalise["method"] == "rank"
    assert load_spec(str(p)).normalise["method"] == "rank"
    assert load_spec("normalise:\n  method: borda\n").normalise["method"] == "borda"
    with pytest.raises(SpecError, match="invalid YAML"):
        load_spec("a: [1,\nb: 2\n")
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec(tmp_path / "missing.yaml")


def test_example_specs_load(examples_dir):
    for name in ("canonical.yaml", "simple.yaml"):
        spec = load_spec(examples_dir / name)
        assert spec.normalise["method"] == "minmax"
