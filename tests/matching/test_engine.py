import hashlib

import numpy as np
import polars as pl
import pytest

from innoregion.engines.matching import (
    MatchConfig,
    MatchingConfigError,
    MatchingEngine,
    MatchingTextError,
)
from innoregion.engines.matching.dense import EmbeddingCache

CAPS = [
    {"id": "laser-zh", "text": "高功率光纤激光器，用于动力电池和车身铝合金焊接", "cluster": "optics-valley", "zone": "north",
     "points_tier": "A", "ladder_rung": 3},
    {"id": "laser-ko", "text": "자동차 배터리 부품 레이저 용접 공정 개발 서비스", "cluster": "optics-valley", "zone": "south",
     "points_tier": "B", "ladder_rung": 2},
    {"id": "beauty-en", "text": "Aesthetic laser devices for hair removal in clinics", "cluster": "modern-services",
     "zone": "north", "points_tier": "C", "ladder_rung": 1},
    {"id": "cold-en", "text": "Pharmaceutical cold chain logistics with temperature monitoring",
     "cluster": "pharma-valley", "zone": "south", "points_tier": "A", "ladder_rung": 4},
    {"id": "magnet-zh", "text": "高性能烧结钕铁硼永磁体，用于伺服电机", "cluster": "new-materials", "zone": "airport",
     "points_tier": "B", "ladder_rung": 2},
    {"id": "sat-ko", "text": "위성 원격탐사 농작물 수확량 예측 서비스", "cluster": "future-industries", "zone": "north",
     "points_tier": "A", "ladder_rung": 5},
]


@pytest.fixture
def engine():
    e = MatchingEngine(MatchConfig(use_dense=False, top_k=3))
    e.add_capabilities(CAPS)
    return e


def test_lexical_path_works_without_the_dense_model(engine):
    assert not engine.dense_enabled
    top = engine.match("Fiber laser welding of EV battery trays")
    assert top[0].capability_id in {"laser-zh", "laser-ko"}
    assert top[0].method == "fusion" and top[0].similarity is None


def test_cross_language_match_through_the_glossary(engine):
    top = engine.match("전기차 배터리 트레이 파이버 레이저 용접", top_k=2)
    assert {p.capability_id for p in top} == {"laser-zh", "laser-ko"}
    zh = next(p for p in top if p.capability_id == "laser-zh")
    assert zh.scenario_language == "ko" and zh.capability_language == "zh"
    assert "레이저 ↔ 激光" in zh.matched_terms


def test_every_proposal_explains_itself(engine):
    p = engine.match("光纤激光焊接", filters={"cluster": ["optics-valley"], "min_ladder_rung": 2})[0]
    assert p.matched_terms
    assert {"lexical", "lexical_z", "fused", "same_language", "matched_terms"} <= set(p.components)
    assert p.filters_passed == ["cluster=optics-valley", "ladder_rung=3>=2"]
    reasons = p.to_dict()["reasons"]
    assert reasons["languages"] == "zh->zh" and reasons["matched_terms"] == p.matched_terms


def test_filters_remove_candidates(engine):
    ids = [p.capability_id for p in engine.match("laser welding", top_k=6, filters={"zone": ["north"]})]
    assert "laser-ko" not in ids and set(ids) <= {"laser-zh", "beauty-en", "sat-ko"}
    assert engine.match("laser welding", filters={"points_tier": ["Z"]}) == []
    ids = [p.capability_id for p in engine.match("laser", top_k=6, filters={"min_ladder_rung": 4})]
    assert set(ids) == {"cold-en", "sat-ko"}


def test_garbage_scenario_and_capability_raise_typed_errors(engine):
    with pytest.raises(MatchingTextError):
        engine.match("   ")
    with pytest.raises(MatchingTextError):
        engine.match("#### 1234 ####")
    with pytest.raises(MatchingTextError, match="bad-1"):
        engine.add_capabilities([{"id": "ok", "text": "激光切割"}, {"id": "bad-1", "text": "%%%%"}])
    assert "ok" not in engine.ids  # nothing added when one row is bad


def test_duplicate_ids_and_unknown_methods_are_refused(engine):
    with pytest.raises(MatchingConfigError):
        engine.add_capabilities([{"id": "laser-zh", "text": "激光"}])
    with pytest.raises(MatchingConfigError):
        engine.match("laser", method="magic")
    with pytest.raises(MatchingConfigError):
        engine.match("laser", method="fusion+reranker")  # no re-ranker fitted


def test_match_many_returns_a_table_with_explanations(engine):
    table = engine.match_many(pl.DataFrame({"id": ["s1", "s2"], "text": ["激光焊接电池", "vaccine cold chain"]}))
    assert table.columns[:4] == ["scenario_id", "capability_id", "rank", "score"]
    assert table.filter(pl.col("scenario_id") == "s2")["capability_id"][0] == "cold-en"
    assert table["rank"].to_list() == [1, 2, 3, 1, 2, 3]
    assert table["matched_terms"].dtype == pl.List(pl.String)


def test_empty_index_proposes_nothing():
    assert MatchingEngine(MatchConfig(use_dense=False)).match("laser welding") == []


class CountingEncoder:
    """A stand-in for USE: a deterministic vector per text, counting how many texts it embeds."""

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += len(texts)
        out = []
        for t in texts:
            seed = int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)
            out.append(np.random.default_rng(seed).normal(size=512))
        return np.asarray(out, dtype=np.float32)


def test_incremental_add_embeds_only_the_new_texts():
    enc = CountingEncoder()
    e = MatchingEngine(MatchConfig(), encoder=enc)
    e.add_capabilities(CAPS[:4])
    assert enc.calls == 4
    old = e.embeddings.copy()
    e.add_capabilities(CAPS[4:])
    assert enc.calls == 6  # the first four were not embedded again
    assert np.array_equal(e.embeddings[:4], old) and e.embeddings.shape == (6, 512)
    # a second engine sharing the cache embeds nothing it has seen (cache by text hash)
    e2 = MatchingEngine(MatchConfig(), embedding_cache=e.cache)
    e2.add_capabilities([{**c, "id": c["id"] + "-copy"} for c in CAPS])
    assert enc.calls == 6
    p = e.match("高功率光纤激光焊接")[0]
    assert p.similarity is not None and "dense_z" in p.components


def test_embedding_cache_round_trips_through_a_file(tmp_path):
    enc = CountingEncoder()
    cache = EmbeddingCache(enc)
    first = cache.encode(["激光焊接", "laser welding"])
    cache.save(tmp_path / "emb.npz")
    other = EmbeddingCache(enc)
    assert other.load(tmp_path / "emb.npz") == 2
    calls = enc.calls
    assert np.allclose(other.encode(["laser welding", "激光焊接"]), first[::-1])
    assert enc.calls == calls
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
