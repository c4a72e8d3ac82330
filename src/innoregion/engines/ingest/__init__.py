"""Department file ingestion, pure (no Django): read CSV/XLSX with detected encodings, map headers
through the indicator catalogue, check every cell, and return accepted long values, quarantined rows
and a report. The Django service ``innoregion.apps.imports.services`` writes the result."""

from __future__ import annotations

import re
from pathlib import Path

from innoregion.data.catalogue import SOURCES, Catalogue, load_catalogue
from innoregion.engines.ingest.reader import IngestError, RawTable, detect_encoding, read_table
from innoregion.engines.ingest.validate import IngestResult, Quarantined, validate_table

__all__ = ["IngestError", "IngestResult", "Quarantined", "RawTable", "detect_encoding", "ingest_bytes",
           "infer_source", "infer_year", "read_table", "validate_table", "IMPORT_ORDER"]

# registry first (it creates the enterprises), then the departments, self-declared last
IMPORT_ORDER = ("registry", "tax", "ip", "hr", "stats", "self")
_NAME_RE = re.compile(r"^(registry|tax|ip|hr|stats|self)(?:[_-](\d{4}))?(?:[_-].*)?$", re.IGNORECASE)


def infer_source(file_name: str) -> str:
    """``tax_2024.csv`` -> ``tax`` (the department-files contract); IngestError when unclear."""
    m = _NAME_RE.match(Path(file_name).stem)
    if not m:
        raise IngestError(f"cannot tell the source from the file name {Path(file_name).name!r}; "
                          f"name it <source>_<year>.csv (source one of {', '.join(SOURCES)}) or pass --source")
    return m.group(1).lower()


def infer_year(file_name: str) -> int | None:
    m = re.search(r"(?:^|[_-])((?:19|20)\d{2})(?:$|[_-])", Path(file_name).stem)
    return int(m.group(1)) if m else None


def ingest_bytes(data: bytes, file_name: str, source: str, *, year: int | None = None,
                 catalogue: Catalogue | None = None, **known) -> IngestResult:
    """Read and check one file. ``year`` defaults to the year in the file name (filings only)."""
    if source != "registry" and year is None:
        year = infer_year(file_name)
    table = read_table(data, file_name)
    return validate_table(table, source, catalogue or load_catalogue(), file_name=file_name,
                          year=None if source == "registry" else year, **known)
