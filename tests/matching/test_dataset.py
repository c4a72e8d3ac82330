"""The labelled set is data the quality figures rest on: hold its shape."""

from collections import Counter

import polars as pl

from innoregion.engines.matching import detect_language
from innoregion.engines.matching.evaluate import load_labelled_set


def test_labelled_set_shape():
    ls = load_labelled_set()
    scen = ls.scenarios
    ids = scen["scenario_id"].unique().to_list()
    assert len(ids) >= 40
    per = scen.group_by("scenario_id").agg(pl.col("language").sort())
    assert all(langs == ["en", "ko", "zh"] for langs in per["language"].to_list())
    for row in scen.iter_rows(named=True):
        assert detect_language(row["text"]) == row["language"], row["scenario_id"]
    caps = ls.capabilities
    assert Counter(caps["language"].to_list()).keys() == {"zh", "ko", "en"}
    for row in caps.iter_rows(named=True):
        assert detect_language(row["text"]) == row["language"], row["id"]
    pairs = [(s, c, g) for s, cs in ls.grades.items() for c, g in cs.items()]
    assert len(pairs) >= 150
    assert {g for _s, _c, g in pairs} == {0, 1, 2, 3}
    assert set(ls.grades) == set(ids)
    cap_ids = set(caps["id"].to_list())
    assert all(c in cap_ids for _s, c, _g in pairs)
    # every scenario has a relevant capability and a hard negative
    assert all(any(g >= 2 for g in cs.values()) and any(g == 0 for g in cs.values()) for cs in ls.grades.values())
    # the relevant capabilities are spread over the three languages (cross-language retrieval is tested)
    rel_lang = Counter(ls.capability_language[c] for _s, c, g in pairs if g >= 2)
    assert min(rel_lang.values()) >= 15
