"""Bench: the demo generator at full scale (1,000,000 enterprises × 5 years) in a temporary directory.

Prints wall time, peak RSS (resource.getrusage) and output size. Target: ≤ 5 minutes, < 2 GB RSS.
Usage: .venv/bin/python bench/bench_generate.py [--enterprises N] [--years Y] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from innoregion.generator import generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="innoregion-bench-"))
    try:
        t0 = time.perf_counter()
        manifest = generate(out, enterprises=args.enterprises, years=args.years, seed=args.seed,
                            progress=sys.stderr.isatty(), echo=lambda s: print(s, file=sys.stderr))
        wall = time.perf_counter() - t0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        peak_mb = usage.ru_maxrss / 1024  # Linux: kilobytes
        cpu = usage.ru_utime + usage.ru_stime
        total = sum(f["bytes"] for f in manifest["files"])
        rows = sum(f.get("rows", 0) for f in manifest["files"] if f["year"] is not None)
        bad = sum(sum(k.values()) for k in manifest["bad_rows"].values())
        print(f"demo generator: {args.enterprises:,} enterprises × {args.years} years, seed {args.seed}")
        print(f"  wall time      {wall:8.1f} s")
        print(f"  CPU time       {cpu:8.1f} s (user {usage.ru_utime:.1f} + sys {usage.ru_stime:.1f})")
        print(f"  peak RSS       {peak_mb:8.0f} MB")
        print(f"  load average   {os.getloadavg()[0]:8.1f} on {os.cpu_count()} CPUs")
        print(f"  output         {total / 1e6:8.0f} MB in {len(manifest['files']) + 1} files "
              f"(hr as {manifest['hr_format']})")
        print(f"  department rows {rows:,} ({rows / wall:,.0f} rows/s), planted bad rows {bad:,}")
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
