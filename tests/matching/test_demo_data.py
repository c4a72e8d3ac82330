from innoregion.data.creditcode import make_code
from innoregion.engines.matching import detect_language
from innoregion.engines.matching.demo_data import INDUSTRIES, generate_scenarios_and_capabilities


def test_generator_is_deterministic_trilingual_and_owned_by_given_enterprises():
    codes = [make_code("9", "1", "220100", f"{i:08d}") for i in range(1, 6)]
    s1, c1 = generate_scenarios_and_capabilities(60, 300, seed=7, enterprise_codes=codes)
    s2, c2 = generate_scenarios_and_capabilities(60, 300, seed=7, enterprise_codes=codes)
    assert s1.equals(s2) and c1.equals(c2)
    assert s1.height == 60 and c1.height == 300
    assert set(c1["enterprise_code"].unique().to_list()) <= set(codes)
    assert set(c1["language"].unique().to_list()) == {"zh", "ko", "en"}
    assert set(c1["industry"].unique().to_list()) == set(INDUSTRIES)
    for row in c1.head(60).iter_rows(named=True):
        assert detect_language(row["title"] + row["description"]) == row["language"]
        assert 1 <= row["trl"] <= 9
    assert (s1["budget_min"] <= s1["budget_max"]).all()
    assert s1["id"].n_unique() == 60 and c1["id"].n_unique() == 300
    _s, c3 = generate_scenarios_and_capabilities(0, 5, seed=8)
    assert c3["enterprise_code"].null_count() == 5
