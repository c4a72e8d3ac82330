"""Same arguments give byte-identical files (XLSX included); another seed gives other data."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

from innoregion.generator import generate


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_arguments_same_bytes(tmp_path):
    a = generate(tmp_path / "a", enterprises=400, years=2, seed=11, progress=False, echo=lambda s: None)
    time.sleep(2.1)  # zip entry times have 2-second resolution: a clock leak would show
    b = generate(tmp_path / "b", enterprises=400, years=2, seed=11, progress=False, echo=lambda s: None)
    fa, fb = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert fa.keys() == fb.keys() and "hr_2021.xlsx" in fa and "manifest.json" in fa
    for name in fa:
        assert fa[name] == fb[name], name
    assert a == b
    with zipfile.ZipFile(tmp_path / "a" / "hr_2022.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 1, 15, 9, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2023-01-15T09:00:00Z" in core


def test_other_seed_other_data(tmp_path):
    generate(tmp_path / "a", enterprises=400, years=2, seed=11, progress=False, echo=lambda s: None)
    generate(tmp_path / "b", enterprises=400, years=2, seed=12, progress=False, echo=lambda s: None)
    fa, fb = _files(tmp_path / "a"), _files(tmp_path / "b")
    for name in ("registry.csv", "tax_2021.csv", "ip_2022.csv", "hr_2021.xlsx", "self_2022.csv", "talents.csv"):
        assert fa[name] != fb[name], name


def test_first_year_and_years(tmp_path):
    manifest = generate(tmp_path, enterprises=300, years=3, seed=1, first_year=2019, progress=False,
                        echo=lambda s: None)
    assert manifest["years"] == [2019, 2020, 2021]
    names = {f["name"] for f in manifest["files"]}
    assert {"tax_2019.csv", "hr_2021.xlsx", "stats_2020.csv"} <= names and "tax_2022.csv" not in names
