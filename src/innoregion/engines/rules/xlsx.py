"""XLSX export for the finance bureau, safe against spreadsheet formula injection."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value as written to a cell: text beginning with = + - @ (or tab / carriage return) gets a
    leading apostrophe so that no spreadsheet reads it as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    if isinstance(value, list | dict):
        return safe_cell(json.dumps(value, ensure_ascii=False))
    return value


def _sheet(wb: Workbook, title: str, df: pl.DataFrame) -> None:
    ws = wb.create_sheet(title)
    ws.append([safe_cell(c) for c in df.columns])
    for row in df.iter_rows():
        ws.append([safe_cell(v) for v in row])
    for i, col in enumerate(df.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(60, len(col) + 4))
    ws.freeze_panes = "A2"


def write_xlsx(path: str | Path, grants: pl.DataFrame, record: dict, names: pl.DataFrame | None = None) -> Path:
    """Sheets: Grants (granted rows), Pending (open conditions and their missing facts), Summary (per
    measure), Run (the run record). ``names``: optional credit_code -> name table joined in."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    g = grants
    if names is not None and g.height:
        g = g.join(names, on="credit_code", how="left")
    if g.width:
        granted = g.filter(pl.col("status") == "granted").drop("missing")
        pending = g.filter(pl.col("status") == "pending").drop("requested", "paid")
        summary = granted.group_by("measure", "label_zh", "label_en").agg(
            pl.len().alias("grants"), pl.col("requested").sum(), pl.col("paid").sum()).sort("measure")
    else:
        granted = pending = summary = pl.DataFrame()
    _sheet(wb, "Grants", granted)
    _sheet(wb, "Pending", pending)
    _sheet(wb, "Summary", summary)
    run = pl.DataFrame({"key": list(record), "value": [json.dumps(v, ensure_ascii=False) if not isinstance(v, str)
                                                         else v for v in record.values()]})
    _sheet(wb, "Run", run)
    wb.save(path)
    return path
