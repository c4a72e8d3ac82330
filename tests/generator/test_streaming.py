"""Chunked generation: codes and names stay unique across chunks, large deliveries switch HR files to
CSV, and peak memory does not grow with the number of enterprises."""

from __future__ import annotations

import subprocess
import sys

import polars as pl

from innoregion.data.creditcode import is_valid
from innoregion.generator import core, generate

GROWTH = """
import resource, sys, tempfile
from innoregion.generator import core, generate
core.XLSX_MAX_ENTERPRISES = 0  # CSV for HR, as at full scale
def run(n):
    with tempfile.TemporaryDirectory() as out:
        generate(out, enterprises=n, years=1, seed=3, chunk_size=5000, echo=print, matching=False)
run(500)  # warm up: imports, first allocations
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run(int(sys.argv[1]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def _rss_growth_kb(n: int) -> int:
    """How far peak RSS rises above its warmed-up level while generating n enterprises (own process)."""
    done = subprocess.run([sys.executable, "-c", GROWTH, str(n)], capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1])


def test_memory_does_not_grow_with_enterprises():
    small, large = _rss_growth_kb(5_000), _rss_growth_kb(40_000)
    # eight times the enterprises in chunks of the same size: about the same peak (loose bound)
    assert large < max(2 * small, 40_000), (small, large)


def test_chunks_join_up(tmp_path, monkeypatch):
    monkeypatch.setattr(core, "XLSX_MAX_ENTERPRISES", 5_000)
    manifest = generate(tmp_path, enterprises=12_000, years=1, seed=5, chunk_size=5_000, progress=False,
                        echo=lambda s: None)
    reg = pl.read_csv(tmp_path / "registry.csv", infer_schema_length=0)
    assert reg.height == 12_000
    assert reg["credit_code"].n_unique() == 12_000 and reg["name_zh"].n_unique() == 12_000
    assert all(is_valid(c) for c in reg["credit_code"])
    # above the XLSX limit the HR file is UTF-8 CSV with the same Chinese header
    assert manifest["hr_format"] == "csv" and not (tmp_path / "hr_2021.xlsx").exists()
    head = (tmp_path / "hr_2021.csv").read_bytes().decode("utf-8").splitlines()[0]
    assert head.startswith("统一社会信用代码,年度,参保人数,")
    talents = pl.read_csv(tmp_path / "talents.csv", infer_schema_length=0)
    assert talents.height == 1_200 and talents["talent_id"].n_unique() == 1_200
    platforms = pl.read_csv(tmp_path / "platforms.csv", infer_schema_length=0)
    assert platforms["code"].n_unique() == platforms.height
    # bad rows are planted in every chunk, not only the first
    assert sum(manifest["bad_rows"]["tax_2021.csv"].values()) >= 5
    assert manifest["counts"]["unicorn_candidates"] == 2


def test_output_does_not_depend_on_chunk_size(tmp_path, monkeypatch):
    monkeypatch.setattr(core, "XLSX_MAX_ENTERPRISES", 0)  # CSV for HR: faster, same frames
    kwargs = dict(enterprises=11_000, years=1, seed=8, progress=False, echo=lambda s: None, matching=False)
    generate(tmp_path / "small", chunk_size=5_000, **kwargs)
    generate(tmp_path / "large", chunk_size=50_000, **kwargs)
    for path in sorted((tmp_path / "small").iterdir()):
        assert path.read_bytes() == (tmp_path / "large" / path.name).read_bytes(), path.name
