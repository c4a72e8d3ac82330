"""Quality of the matchmaking methods on a labelled set (tests/data/matching by default).

For every method (lexical, dense, fusion, fusion+reranker; plus the un-normalised lexical_raw and
dense_raw for comparison) and every query language it computes:

- recall@10: share of the relevant capabilities (grade >= 2) found in the top 10;
- nDCG@10 with graded gains (0-3);
- cross-language recall@10: the same recall, counting only relevant capabilities written in another
  language than the query.

The re-ranker is evaluated honestly: scenarios are split into folds (all three language versions of a
scenario stay in the same fold); caseworker decisions are simulated on the training folds (the top
``decision_depth`` fusion proposals of each query, accepted when graded >= 2, rejected otherwise), the
model is fitted on them and measured on the held-out fold. The keep/drop decision itself is made by
:func:`~innoregion.engines.matching.reranker.decide_reranker` from the simulated decisions alone, as in
production.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from innoregion.engines.matching.engine import MatchConfig, MatchingEngine
from innoregion.engines.matching.metrics import mean, ndcg_at_k, recall_at_k
from innoregion.engines.matching.reranker import (
    DecisionGroup,
    LogisticReranker,
    RerankerReport,
    decide_reranker,
    feature_matrix,
)
from innoregion.engines.matching.text import LANGUAGES

RELEVANT_GRADE = 2
DEFAULT_LABELLED_DIR = Path(__file__).resolve().parents[4] / "tests" / "data" / "matching"


@dataclass
class LabelledSet:
    scenarios: pl.DataFrame  # scenario_id, language, text
    capabilities: pl.DataFrame  # id, language, text, industry
    grades: dict[str, dict[str, int]]  # scenario_id -> capability_id -> grade

    @property
    def capability_language(self) -> dict[str, str]:
        return dict(zip(self.capabilities["id"].to_list(), self.capabilities["language"].to_list(), strict=True))


def load_labelled_set(path: str | Path | None = None) -> LabelledSet:
    """Read scenarios.yaml, capabilities.yaml and qrels.csv from a folder."""
    base = Path(path) if path is not None else DEFAULT_LABELLED_DIR
    scen_rows = []
    for s in yaml.safe_load((base / "scenarios.yaml").read_text("utf-8")):
        for lang in LANGUAGES:
            version = s[lang]
            scen_rows.append({"scenario_id": s["id"], "language": lang, "industry": s["industry"],
                              "text": f"{version['title']}\n{version['text']}"})
    cap_rows = [{"id": c["id"], "language": c["lang"], "industry": c["industry"],
                 "text": f"{c['title']}\n{c['text']}"}
                for c in yaml.safe_load((base / "capabilities.yaml").read_text("utf-8"))]
    grades: dict[str, dict[str, int]] = {}
    with (base / "qrels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            grades.setdefault(row["scenario_id"], {})[row["capability_id"]] = int(row["relevance"])
    return LabelledSet(pl.DataFrame(scen_rows), pl.DataFrame(cap_rows), grades)


@dataclass
class EvaluationReport:
    table: pl.DataFrame  # method, query_language, recall@10, ndcg@10, xlang_recall@10, queries
    reranker: RerankerReport
    reranker_fold_ndcg: dict[str, float] = field(default_factory=dict)
    dense_available: bool = False
    default_method: str = "fusion"

    def metric(self, method: str, name: str, language: str = "all") -> float:
        row = self.table.filter((pl.col("method") == method) & (pl.col("query_language") == language))
        if row.is_empty():
            raise KeyError(f"no result for method {method!r} / language {language!r}")
        return float(row[name][0])

    def markdown(self) -> str:
        lines = ["| method | query language | recall@10 | nDCG@10 | cross-language recall@10 | queries |",
                 "|---|---|---:|---:|---:|---:|"]
        for r in self.table.iter_rows(named=True):
            lines.append(f"| {r['method']} | {r['query_language']} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | "
                         f"{r['xlang_recall@10']:.3f} | {r['queries']} |")
        return "\n".join(lines)


def _query_metrics(ranked: Sequence[str], grades: dict[str, int], query_lang: str,
                   cap_lang: dict[str, str], k: int) -> tuple[float | None, float | None, float | None]:
    relevant = {c for c, g in grades.items() if g >= RELEVANT_GRADE}
    cross = {c for c in relevant if cap_lang[c] != query_lang}
    return (recall_at_k(ranked, relevant, k), ndcg_at_k(ranked, grades, k), recall_at_k(ranked, cross, k))


def _folds(scenario_ids: Sequence[str], n_folds: int, seed: int) -> dict[str, int]:
    ids = sorted(set(scenario_ids))
    order = np.random.default_rng(seed).permutation(len(ids))
    return {ids[i]: int(pos % n_folds) for pos, i in enumerate(order)}


def _decision_groups(queries: list[dict], proposals: list, labelled: LabelledSet,
                     decision_depth: int) -> list[DecisionGroup]:
    """Simulated caseworker decisions on the top ``decision_depth`` fusion proposals of each query."""
    groups: list[DecisionGroup] = []
    for q, props in zip(queries, proposals, strict=True):
        grades = labelled.grades.get(q["scenario_id"], {})
        decided = props[:decision_depth]
        groups.append(DecisionGroup(group=(q["scenario_id"], q["language"]),
                                    components=[p.components for p in decided],
                                    labels=[int(grades.get(p.capability_id, 0) >= RELEVANT_GRADE) for p in decided],
                                    base_scores=[p.score for p in decided]))
    return groups


def _reranked(queries: list[dict], proposals: list, groups: list[DecisionGroup], fold_of: dict[str, int],
              folds: int, rerank_pool: int, k: int) -> list[list[str]]:
    """Each query's top ``k`` after a re-ranker trained on the decisions of the other folds."""
    rr_rank: list[list[str] | None] = [None] * len(queries)
    for f in range(folds):
        train = [g for q, g in zip(queries, groups, strict=True) if fold_of[q["scenario_id"]] != f]
        y = np.asarray([lab for g in train for lab in g.labels])
        X = feature_matrix([c for g in train for c in g.components])
        model = LogisticReranker().fit(X, y) if len(np.unique(y)) == 2 else None
        for i, (q, props) in enumerate(zip(queries, proposals, strict=True)):
            if fold_of[q["scenario_id"]] != f:
                continue
            top = props[:rerank_pool]
            if model is None:  # nothing to learn from in this fold: fusion order
                rr_rank[i] = [p.capability_id for p in top[:k]]
                continue
            scores = model.decision(feature_matrix([p.components for p in top]))
            order = np.argsort(-scores, kind="stable")
            rr_rank[i] = [top[j].capability_id for j in order[:k]]
    return [r or [] for r in rr_rank]


def _metric_rows(rankings: dict[str, list[list[str]]], queries: list[dict], labelled: LabelledSet,
                 cap_lang: dict[str, str], k: int) -> list[dict]:
    """Mean recall, nDCG and cross-language recall per method and query language (and over all)."""
    rows = []
    for method, ranked_lists in rankings.items():
        per_lang: dict[str, list[tuple]] = {lang: [] for lang in (*LANGUAGES, "all")}
        for q, ranked in zip(queries, ranked_lists, strict=True):
            m = _query_metrics(ranked, labelled.grades.get(q["scenario_id"], {}), q["language"], cap_lang, k)
            per_lang[q["language"]].append(m)
            per_lang["all"].append(m)
        for lang, values in per_lang.items():
            rows.append({"method": method, "query_language": lang,
                         "recall@10": mean(v[0] for v in values), "ndcg@10": mean(v[1] for v in values),
                         "xlang_recall@10": mean(v[2] for v in values), "queries": len(values)})
    return rows


def evaluate(labelled: LabelledSet | None = None, *, config: MatchConfig | None = None,
             engine: MatchingEngine | None = None, methods: Sequence[str] | None = None, k: int = 10,
             folds: int = 5, decision_depth: int = 20, seed: int = 0) -> EvaluationReport:
    """Run every method over the labelled set; see the module docstring."""
    labelled = labelled or load_labelled_set()
    if engine is None:
        engine = MatchingEngine(config or MatchConfig(rerank_pool=max(30, decision_depth)))
        engine.add_capabilities(labelled.capabilities.select("id", "text", "language"))
    dense = engine.dense_enabled
    if methods is None:
        methods = ["lexical_raw", "lexical"] + (["dense_raw", "dense"] if dense else []) + ["fusion", "fusion+reranker"]
    cap_lang = labelled.capability_language
    queries = labelled.scenarios.to_dicts()
    fold_of = _folds([q["scenario_id"] for q in queries], folds, seed)
    pool = max(engine.config.rerank_pool, decision_depth)
    engine.warm([q["text"] for q in queries])

    rankings: dict[str, list[list[str]]] = {}
    for method in methods:
        if method == "fusion+reranker":
            continue
        rankings[method] = [[p.capability_id for p in engine.match(q["text"], language=q["language"], top_k=k,
                                                                     method=method, scenario_id=q["scenario_id"])]
                            for q in queries]

    proposals = [engine.match(q["text"], language=q["language"], top_k=pool, method="fusion",
                              scenario_id=q["scenario_id"]) for q in queries]
    groups = _decision_groups(queries, proposals, labelled, decision_depth)
    # the decision procedure the engine uses in production, over decisions only
    decision = decide_reranker(groups, folds=folds, seed=seed, fold_key=lambda g: g.group[0])
    if "fusion+reranker" in methods:
        rankings["fusion+reranker"] = _reranked(queries, proposals, groups, fold_of, folds,
                                                engine.config.rerank_pool, k)

    if "lexical" in methods:
        # ablation: the lexical path without the glossary term bridge
        plain = MatchingEngine(MatchConfig(use_dense=False, use_glossary=False))
        plain.add_capabilities(labelled.capabilities.select("id", "text", "language"))
        rankings["lexical (no glossary)"] = [
            [p.capability_id for p in plain.match(q["text"], language=q["language"], top_k=k, method="lexical")]
            for q in queries]

    table = pl.DataFrame(_metric_rows(rankings, queries, labelled, cap_lang, k))
    report = EvaluationReport(table=table, reranker=decision, dense_available=dense)
    if "fusion+reranker" in rankings and "fusion" in rankings:
        report.reranker_fold_ndcg = {"fusion": report.metric("fusion", "ndcg@10"),
                                     "fusion+reranker": report.metric("fusion+reranker", "ndcg@10")}
    report.default_method = "fusion+reranker" if decision.keep else "fusion"
    return report
