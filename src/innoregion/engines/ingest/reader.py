"""Read a department file (CSV or XLSX) into a header and rows of text, detecting the encoding.

Encoding detection is explicit and never silent: a byte-order mark means UTF-8 with BOM; otherwise
the bytes must decode as strict UTF-8, else as strict GB18030 (a superset of GBK and GB2312); a file
that is neither is refused with the byte offset of the first undecodable byte.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path


class IngestError(ValueError):
    """The whole file cannot be read or is unusable (nothing from it is imported)."""


@dataclass
class RawTable:
    header: list[str]
    rows: list[list[str]]  # cells as text, "" for blank; rows[i] is spreadsheet row i + 2
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8", errors="strict")
        return "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            data.decode("gb18030", errors="strict")
            return "gb18030"
        except UnicodeDecodeError as gb_error:
            raise IngestError(
                f"the file is neither UTF-8 nor GB18030/GBK text: byte 0x{data[utf8_error.start]:02x} at offset "
                f"{utf8_error.start} is not valid UTF-8, and byte 0x{data[gb_error.start]:02x} at offset "
                f"{gb_error.start} is not valid GB18030; save it as UTF-8 (CSV UTF-8) and try again"
            ) from None


def read_csv_bytes(data: bytes) -> RawTable:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError("the file is UTF-16 text (byte-order mark at offset 0); save it as UTF-8 or GB18030")
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise IngestError(f"the CSV file cannot be parsed: {exc} (near line {reader.line_num})") from None
    if not records:
        raise IngestError("the file is empty")
    header = [h.strip() for h in records[0]]
    return RawTable(header=header, rows=records[1:], encoding=encoding)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def read_xlsx_bytes(data: bytes) -> RawTable:
    import openpyxl  # local: only XLSX files need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise IngestError(f"the XLSX file cannot be opened: {exc}") from None
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        first = next(rows_iter, None)
        if first is None:
            raise IngestError("the first worksheet is empty")
        header = [_cell_text(v).strip() for v in first]
        rows = [[_cell_text(v) for v in row] for row in rows_iter]
    finally:
        book.close()
    return RawTable(header=header, rows=rows, encoding="xlsx")


def read_table(data: bytes, file_name: str) -> RawTable:
    """Read ``data`` (the file's bytes); ``file_name`` decides between CSV and XLSX."""
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_bytes(data)
    if suffix == ".xls":
        raise IngestError("old .xls workbooks are not supported; save the file as .xlsx or CSV")
    if data[:4] == b"PK\x03\x04":
        return read_xlsx_bytes(data)
    return read_csv_bytes(data)
