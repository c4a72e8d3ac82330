"""XLSX export for the finance bureau, safe against spreadsheet formula injection."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from innoregion.exports import add_sheet


def _sheet(wb: Workbook, title: str, df: pl.DataFrame) -> None:
    add_sheet(wb, title, df.columns, df.iter_rows())


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
