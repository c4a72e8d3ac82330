"""Writers that take a delivery file chunk by chunk: CSV in a given encoding, and deterministic XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import polars as pl


class CsvSink:
    """A CSV file written chunk by chunk (header first; ``encoding`` utf-8 or gb18030; optional BOM)."""

    def __init__(self, path: Path, header: list[str], encoding: str = "utf-8", bom: bool = False):
        self.path = path
        self.encoding = encoding
        self.rows = 0
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        if bom:
            self._fh.write("\ufeff".encode())
        self._fh.write((",".join(header) + "\n").encode(encoding))

    def append(self, df: pl.DataFrame) -> None:
        if df.height == 0:
            return
        if self.encoding == "utf-8":
            df.write_csv(self._fh, include_header=False, line_terminator="\n")
        else:
            text = df.write_csv(include_header=False, line_terminator="\n")
            self._fh.write(text.encode(self.encoding))
        self.rows += df.height

    def close(self) -> None:
        self._fh.close()


_CORE_TIMES = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(raw: bytes, when: dt.datetime) -> bytes:
    """Rewrite an XLSX so its bytes depend on content only: fixed document created/modified times in
    docProps/core.xml and fixed dates on every zip entry."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), data.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            dst.writestr(entry, data, compresslevel=6)
    return out.getvalue()


class XlsxSink:
    """An XLSX workbook with one sheet, streamed with openpyxl's write-only mode, saved deterministically."""

    def __init__(self, path: Path, header: list[str], sheet: str, when: dt.datetime):
        from openpyxl import Workbook

        self.path = path
        self.when = when
        self.rows = 0
        self._wb = Workbook(write_only=True)
        self._wb.properties.creator = "innoregion demo generator"
        self._wb.properties.created = when
        self._ws = self._wb.create_sheet(sheet)
        self._ws.append(header)

    def append(self, df: pl.DataFrame) -> None:
        for row in df.iter_rows():
            self._ws.append(row)
        self.rows += df.height

    def close(self) -> None:
        buf = io.BytesIO()
        self._wb.save(buf)
        self.path.write_bytes(normalise_xlsx(buf.getvalue(), self.when))
