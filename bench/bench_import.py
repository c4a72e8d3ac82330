"""Benchmark department imports: a large synthetic tax file into PostgreSQL and SQLite.

Run: ``.venv/bin/python bench/bench_import.py [--db postgres|sqlite|both] [--rows N]``. Builds a register
of N enterprises and a tax file of N rows x 10 indicators (N x 10 filing values), imports both through
``innoregion.apps.imports.services.import_file`` into a fresh database (PostgreSQL: a scratch
database ``innoregion_bench_import`` on the server of ``--pg-url``, dropped afterwards; SQLite: a temporary
file), then a corrected copy of the tax file with 1 % of the values changed (the supersede path), and
prints values/s, wall clock and per CPU second (this process plus, on PostgreSQL, the server
process serving it: on a shared machine the wall clock mostly measures the other jobs). Figures go to docs/benchmarks.md ("## Department imports").
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

TAX_HEADER = ["统一社会信用代码", "年度", "营业收入", "主营业务收入", "高新技术产品（服务）收入", "研究开发费用",
              "境内研发费用", "成本费用总额", "净利润", "资产总额", "负债总额", "实缴税额"]
YEAR = 2024


def build_files(folder: Path, n: int, seed: int = 7) -> tuple[Path, Path, Path]:
    from innoregion.data.creditcode import make_code

    rng = np.random.default_rng(seed)
    codes = [make_code("9", "1", "220173", f"{i:08d}") for i in range(n)]
    registry = pl.DataFrame({
        "credit_code": codes, "name_zh": [f"长春测试企业{i:07d}有限公司" for i in range(n)],
        "founded": "2015-06-01", "industry": "C2720", "cluster": "pharma-valley", "zone": "south",
        "listed": "0", "status": "active",
    })
    reg_path = folder / "registry.csv"
    registry.write_csv(reg_path)
    money = {h: np.round(rng.lognormal(15, 2, n), 2) for h in TAX_HEADER[2:]}
    money["净利润"] = np.round(rng.normal(0, 1e6, n), 2)
    tax = pl.DataFrame({"统一社会信用代码": codes, "年度": [YEAR] * n, **money})
    tax_path = folder / f"tax_{YEAR}.csv"
    tax_path.write_bytes(tax.write_csv().encode("gb18030"))
    changed = rng.random(n) < 0.01  # 1 % of the revenue cells corrected (about 0.1 % of all values)
    fixed = tax.with_columns(pl.when(pl.Series(changed)).then(pl.col("营业收入") + 1).otherwise(pl.col("营业收入"))
                             .alias("营业收入"))
    fix_path = folder / f"tax_{YEAR}_corrected.csv"
    fix_path.write_bytes(fixed.write_csv().encode("gb18030"))
    return reg_path, tax_path, fix_path


def prepare_postgres(url: str, name: str) -> str:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backend_pid(db: str) -> int | None:
    """The PostgreSQL server process serving this connection (same machine), to count its CPU time."""
    if db != "postgres":
        return None
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run_one(db: str, n: int, pg_url: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="innoregion-bench-import-"))
    os.environ["INNOREGION_DATA_DIR"] = str(work / "data")
    if db == "postgres":
        os.environ["DATABASE_URL"] = prepare_postgres(pg_url, "innoregion_bench_import")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    try:
        from innoregion.cli import setup_django

        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from innoregion.apps.imports import selectors, services
        from innoregion.apps.region.services import load_reference_data

        load_reference_data()
        t = time.perf_counter()
        reg, tax, fix = build_files(work, n)
        print(f"[{db}] built files for {n:,} enterprises in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        batch = services.import_file(reg, "registry")
        dt = time.perf_counter() - t
        print(f"[{db}] registry: {batch.rows_accepted:,} enterprises in {dt:.1f} s ({batch.rows_accepted / dt:,.0f} rows/s)")

        backend = _backend_pid(db)
        for label, path in (("tax (new values)", tax), ("tax (1% of revenue corrected)", fix)):
            cpu0, server0 = time.process_time(), _cpu_seconds(backend)
            t = time.perf_counter()
            batch = services.import_file(path, "tax")
            dt = time.perf_counter() - t
            cpu = time.process_time() - cpu0 + (_cpu_seconds(backend) - server0)
            values = batch.values_created + batch.values_superseded + batch.values_unchanged
            print(f"[{db}] {label}: {values:,} values in {dt:.2f} s end to end = {values / dt:,.0f} values/s "
                  f"(created {batch.values_created:,}, superseded {batch.values_superseded:,}, "
                  f"unchanged {batch.values_unchanged:,}, quarantined rows {batch.rows_quarantined})")
            print(f"[{db}]   CPU time {cpu:.2f} s (this process + its database backend) = "
                  f"{values / cpu:,.0f} values per CPU second")
            print(f"[{db}]   phases (s): {batch.report.get('timings')}")
        t = time.perf_counter()
        again = services.import_file(tax, "tax")
        print(f"[{db}] same file again: already imported={again.already_imported} in {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        eff = selectors.effective_values(YEAR)
        print(f"[{db}] effective_values({YEAR}): {eff.height:,} values in {time.perf_counter() - t:.2f} s")
        print(f"[{db}] load average {os.getloadavg()[0]:.1f}; peak RSS of this process "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        if db == "postgres":
            from django.db import connections

            connections.close_all()
            drop_postgres(pg_url, "innoregion_bench_import")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--rows", type=int, default=200_000, help="enterprises = tax rows (x10 values)")
    parser.add_argument("--sqlite-rows", type=int, default=None, help="rows for SQLite (default: --rows)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    if args.db == "both":  # one process per database: Django is configured once per process
        for db, rows in (("postgres", args.rows), ("sqlite", args.sqlite_rows or args.rows)):
            subprocess.run([sys.executable, __file__, "--db", db, "--rows", str(rows), "--pg-url", args.pg_url],
                           check=True)
        return
    run_one(args.db, args.rows, args.pg_url)


if __name__ == "__main__":
    main()
