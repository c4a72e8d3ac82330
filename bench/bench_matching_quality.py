"""Matchmaking quality on the labelled set (tests/data/matching): recall@10, nDCG@10 and
cross-language recall@10 per method and query language, and the re-ranker decision.

Run: ``.venv/bin/python bench/bench_matching_quality.py [--no-dense] [--sweep]``.
The table goes to docs/benchmarks.md ("## Matchmaking").
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

from innoregion.engines.matching import FusionWeights, MatchConfig, MatchingEngine, dense_available  # noqa: E402
from innoregion.engines.matching.evaluate import evaluate, load_labelled_set  # noqa: E402


def _report(title: str, report) -> None:
    print(f"\n## {title}\n")
    print(report.markdown())
    rr = report.reranker
    print(f"\nre-ranker decision (cross-validated on simulated caseworker decisions, {rr.decisions} decisions "
          f"over {rr.groups} queries): {rr.reason}")
    if report.reranker_fold_ndcg:
        f, r = report.reranker_fold_ndcg["fusion"], report.reranker_fold_ndcg["fusion+reranker"]
        print(f"graded held-out nDCG@10: fusion {f:.3f}, fusion+reranker {r:.3f}")
    print(f"default method: {report.default_method}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-dense", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="also sweep the lexical fusion weight")
    args = ap.parse_args()
    labelled = load_labelled_set()
    n_pairs = sum(len(v) for v in labelled.grades.values())
    print(f"labelled set: {labelled.scenarios['scenario_id'].n_unique()} scenarios x 3 languages, "
          f"{labelled.capabilities.height} capabilities, {n_pairs} graded pairs")
    t = time.perf_counter()
    _report("lexical only (no dense model)", evaluate(labelled, config=MatchConfig(use_dense=False)))
    if not args.no_dense and dense_available():
        _report("with the dense model", evaluate(labelled))
        if args.sweep:
            engine = MatchingEngine(MatchConfig())
            engine.add_capabilities(labelled.capabilities.select("id", "text", "language"))
            print("\n| lexical weight | dense weight | recall@10 | nDCG@10 | cross-language recall@10 |")
            print("|---:|---:|---:|---:|---:|")
            for w in (0.0, 0.2, 0.35, 0.5, 0.7):
                engine.config = MatchConfig(weights=FusionWeights(lexical=w, dense=1 - w))
                r = evaluate(labelled, engine=engine, methods=["fusion"])
                print(f"| {w} | {1 - w:.2f} | {r.metric('fusion', 'recall@10'):.3f} | "
                      f"{r.metric('fusion', 'ndcg@10'):.3f} | {r.metric('fusion', 'xlang_recall@10'):.3f} |")
    print(f"\n({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
