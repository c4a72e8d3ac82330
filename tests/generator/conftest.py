"""A small demo delivery shared by the generator tests, and readers for its files."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import polars as pl
import pytest

from innoregion.data.catalogue import load_catalogue
from innoregion.generator import generate

ENCODINGS = {"tax": "gb18030", "ip": "utf-8-sig", "stats": "utf-8", "self": "utf-8", "hr": "utf-8"}


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    manifest = generate(out, enterprises=3000, years=5, seed=7, first_year=2021, progress=False,
                        echo=lambda s: None)
    return out, manifest


@functools.cache
def read_department(path: Path) -> pl.DataFrame:
    """A department file as text columns under canonical names (credit_code, year, indicator codes)."""
    dept = path.name.split("_")[0]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        header, body = rows[0], rows[1:]
        frame = pl.DataFrame(
            # read-only mode ends a row at its last non-empty cell: pad trailing blanks
            [[None if v is None else str(v) for v in row] + [None] * (len(header) - len(row)) for row in body],
            schema=list(header), orient="row",
        ) if body else pl.DataFrame(schema={h: pl.Utf8 for h in header})
    else:
        text = path.read_bytes().decode(ENCODINGS[dept])
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema_length=0)
    mapping = load_catalogue().header_map(dept)
    unknown = [c for c in frame.columns if c not in mapping]
    assert not unknown, f"{path.name}: headers not in the catalogue: {unknown}"
    return frame.rename({c: mapping[c] for c in frame.columns})
