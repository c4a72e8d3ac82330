"""Tables to CSV and XLSX files, with the one guard against spreadsheet formula injection.

Pure (no Django): the engines' exports, the import reports, the bank API's white list and every
list page's download go through here, so there is one list of dangerous first characters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

# A cell whose text begins with one of these is read as a formula (or, for tab, CR and LF, can carry
# one past a naive splitter) by common spreadsheets; the full-width forms are folded to the ASCII ones
# by some of them (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value):
    """A value as written to a cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe; numbers, dates and ``None`` pass unchanged; lists and dicts become JSON text."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """CSV with a UTF-8 byte-order mark (so that spreadsheets read Chinese and Korean), every cell guarded."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return "\ufeff" + buf.getvalue()


def add_sheet(wb: Workbook, title: str, header: Sequence, rows: Iterable[Sequence]) -> None:
    """A sheet with a frozen header row, every cell guarded, columns as wide as their header."""
    ws = wb.create_sheet(title[:31])
    ws.append([safe_cell(c) for c in header])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, col in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(60, len(str(col)) + 4))
    ws.freeze_panes = "A2"


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """An XLSX workbook of ``(title, header, rows)`` sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        add_sheet(wb, title, header, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
