"""Check a department table against the indicator catalogue and turn it into long values.

A row goes in whole or not at all: every problem in a row becomes a quarantine record (row number as
a person sees it in a spreadsheet, column, value, reason in English, and the reason's machine ``kind``
and ``params``, see :mod:`innoregion.engines.ingest.reasons`) and none of that row's values are accepted;
every row without a problem is accepted. Problems with the file itself (an unreadable file, a missing
key column, no indicator column) raise :class:`IngestError` and nothing is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from innoregion.data import creditcode
from innoregion.data.catalogue import SOURCES, Catalogue
from innoregion.engines.ingest import reasons
from innoregion.engines.ingest.reader import IngestError, RawTable

_PLAIN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_GROUPED = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
NUMBER_RE = f"^(?:{_PLAIN}|{_GROUPED})$"
TRUE_WORDS = {"1", "是", "y", "yes", "true", "t", "有"}
FALSE_WORDS = {"0", "否", "n", "no", "false", "f", "无"}
YEAR_MIN, YEAR_MAX = 1949, 2100
NAME_MAX = 200  # characters of an enterprise name
Problem = tuple[str, dict]  # a quarantine reason's kind and params (innoregion.engines.ingest.reasons)
STATUS_WORDS = {
    "active": "active", "存续": "active", "在业": "active", "开业": "active", "在营": "active",
    "suspended": "suspended", "停业": "suspended", "歇业": "suspended",
    "deregistered": "deregistered", "注销": "deregistered", "吊销": "deregistered",
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%dT%H:%M:%S")
INDUSTRY_RE = re.compile(r"^[A-T]?\d{2,4}$")


@dataclass(frozen=True)
class Quarantined:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str  # the header as written in the file ("" for a whole-row problem)
    value: str
    reason: str  # in English, made from kind and params
    raw: dict[str, str]
    kind: str = ""  # a key of reasons.TEMPLATES
    params: dict = field(default_factory=dict)  # the values the reason mentions (JSON-able)

    @classmethod
    def of(cls, row: int, column: str, value: str, raw: dict[str, str], kind: str,
           params: dict) -> Quarantined:
        return cls(row, column, value, reasons.english(kind, params), raw, kind, dict(params))


@dataclass
class IngestResult:
    source: str
    file_name: str
    encoding: str
    year: int | None
    values: pl.DataFrame  # filings: credit_code, year, indicator, value, row
    records: pl.DataFrame | None  # registry: one row per enterprise (canonical columns + row)
    quarantine: list[Quarantined]
    rows_total: int
    rows_accepted: int
    blank_rows: int
    columns: dict[str, str]  # header in the file -> canonical column
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return len({q.row for q in self.quarantine})

    def report(self) -> dict:
        by_reason = Counter(reasons.reason_class(q.reason) for q in self.quarantine)
        by_kind = Counter(q.kind for q in self.quarantine)
        return {
            "file": self.file_name, "source": self.source, "encoding": self.encoding, "year": self.year,
            "rows_total": self.rows_total, "rows_accepted": self.rows_accepted,
            "rows_quarantined": self.rows_quarantined, "blank_rows_skipped": self.blank_rows,
            "values_accepted": self.values.height, "columns": self.columns, "warnings": list(self.warnings),
            "quarantine_reasons": dict(by_reason.most_common()),
            "quarantine_kinds": dict(by_kind.most_common()),
        }


def normalise_header(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")


def map_headers(header: list[str], source: str, catalogue: Catalogue) -> tuple[dict[int, str], list[str]]:
    """Column position -> canonical name, and warnings for columns that are not used."""
    known = {normalise_header(k): v for k, v in catalogue.header_map(source).items()}
    other_sources = {
        normalise_header(k): v for s in SOURCES if s != source for k, v in catalogue.header_map(s).items()
    }
    positions: dict[int, str] = {}
    seen: dict[str, str] = {}
    warnings: list[str] = []
    for pos, label in enumerate(header):
        if not label.strip():
            continue
        canonical = known.get(normalise_header(label))
        if canonical is None:
            if normalise_header(label) in other_sources:
                warnings.append(f"column {label!r} is not filed by source {source!r}; ignored")
            else:
                warnings.append(f"unknown column {label!r}; ignored")
            continue
        if canonical in seen:
            raise IngestError(f"columns {seen[canonical]!r} and {label!r} both mean {canonical!r}; keep one")
        seen[canonical] = label
        positions[pos] = canonical
    return positions, warnings


def _pad(rows: list[list[str]], width: int) -> tuple[list[list[str]], dict[int, Problem], int, list[int]]:
    """Rows padded/trimmed to ``width``; row-level errors (kind, params) for rows with extra non-empty
    cells; the count of blank rows; the original index of every kept row."""
    out: list[list[str]] = []
    errors: dict[int, Problem] = {}
    kept: list[int] = []
    blank = 0
    for i, row in enumerate(rows):
        if not any(c.strip() for c in row):
            blank += 1
            continue
        if len(row) > width and any(c.strip() for c in row[width:]):
            errors[len(out)] = ("extra_cells", {"cells": len(row), "width": width})
        if len(row) < width:
            row = row + [""] * (width - len(row))
        out.append(row[:width])
        kept.append(i)
    return out, errors, blank, kept


def parse_year(text: str) -> int | None:
    text = text.strip()
    m = re.fullmatch(r"(\d{4})(?:\.0+)?(?:年)?", text)
    return int(m.group(1)) if m else None


def _check_code(text: str,
                cache: dict[str, tuple[str | None, Problem | None]]) -> tuple[str | None, Problem | None]:
    hit = cache.get(text)
    if hit is None:
        if not text.strip():
            hit = (None, ("missing_credit_code", {}))
        else:
            try:
                hit = (creditcode.validate(text), None)
            except creditcode.CreditCodeError as exc:
                hit = (None, (exc.kind, exc.params))
        cache[text] = hit
    return hit


def _parse_indicator(cells: pl.Series, ind) -> tuple[pl.Series, pl.Series]:
    """Parsed floats (null when blank or bad) and a boolean 'bad' mask, vectorised."""
    s = cells.str.strip_chars().str.replace_all("，", ",").str.replace_all("\u3000", "")
    blank = s.is_null() | (s == "")
    lowered = s.str.to_lowercase()
    if ind.type == "flag":
        s = (pl.select(pl.when(lowered.is_in(list(TRUE_WORDS))).then(pl.lit("1"))
                       .when(lowered.is_in(list(FALSE_WORDS))).then(pl.lit("0")).otherwise(s)).to_series())
    scale = None
    if ind.type == "ratio":
        pct = s.str.ends_with("%").fill_null(False)
        s = pl.select(pl.when(pct).then(s.str.strip_suffix("%").str.strip_chars()).otherwise(s)).to_series()
        scale = pct
    well_formed = s.str.contains(NUMBER_RE).fill_null(False)
    number = pl.select(
        pl.when(well_formed).then(s.str.replace_all(",", "").cast(pl.Float64, strict=False))
    ).to_series()
    if scale is not None:
        number = pl.select(pl.when(scale).then((number / 100.0).round(12)).otherwise(number)).to_series()
    finite = number.is_finite().fill_null(False)
    ok = finite & (number >= ind.min) & (number <= ind.upper)
    if ind.integral:
        ok = ok & (number == number.floor())
    if ind.type == "flag":
        ok = ok & number.is_in([0.0, 1.0])
    ok = ok.fill_null(False)
    bad = ~blank & ~ok
    values = pl.select(pl.when(ok).then(number)).to_series()
    return values, bad


def _cell_problem(text: str, ind) -> Problem:
    s = text.strip().replace("，", ",")
    if ind.type == "ratio" and s.endswith("%"):
        s = s[:-1].strip()
    lowered = s.lower()
    if ind.type == "flag" and (lowered in TRUE_WORDS or lowered in FALSE_WORDS):
        return "unexpected_flag", {}
    if not re.fullmatch(NUMBER_RE, s):
        return ("not_an_amount" if ind.type == "money" else "not_a_number"), {"text": text.strip()}
    value = float(s.replace(",", ""))
    if ind.type == "ratio" and text.strip().endswith("%"):
        value /= 100.0
    if value in (float("inf"), float("-inf")):
        return "not_finite", {}
    return ind.problem(value) or ("bad_value", {})


def _raw(header: list[str], row: list[str]) -> dict[str, str]:
    return {(h or f"column {i + 1}"): v for i, (h, v) in enumerate(zip(header, row, strict=False))}


@dataclass
class _Flags:
    """The padded rows of one file and the quarantine records raised against them (``kept``: each row's
    index among the file's rows)."""

    header: list[str]
    rows: list[list[str]]
    kept: list[int]
    quarantine: list[Quarantined] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)

    def line(self, i: int) -> int:
        return self.kept[i] + 2

    def flag(self, i: int, column: str, value: str, kind: str, /, **params) -> None:
        self.bad.add(i)
        self.quarantine.append(Quarantined.of(self.line(i), column, value, _raw(self.header, self.rows[i]),
                                              kind, params))

    def sorted_quarantine(self) -> list[Quarantined]:
        self.quarantine.sort(key=lambda q: (q.row, q.column))
        return self.quarantine


def _start(table: RawTable) -> tuple[_Flags, int]:
    """Pad the table's rows, flag the rows with extra cells; returns the flags and the blank-row count."""
    rows, row_errors, blank, kept = _pad(table.rows, len(table.header))
    f = _Flags(table.header, rows, kept)
    for i, (kind, params) in row_errors.items():
        f.flag(i, "", "", kind, **params)
    return f, blank


def _indicator_codes(by_name: dict[str, int], source: str, catalogue: Catalogue) -> list[str]:
    """The indicator columns of a filings file (the key columns must be there too)."""
    missing = [k for k in ("credit_code", "year") if k not in by_name]
    if missing:
        names = ", ".join(f"{k} ({catalogue.key_columns[k]['zh']})" for k in missing)
        raise IngestError(f"missing key column: {names}; the file was not imported")
    codes = [c for c in by_name if c in catalogue.indicators]
    if not codes:
        wanted = ", ".join(i.names["zh"] for i in catalogue.for_source(source)[:5])
        raise IngestError(f"no indicator column for source {source!r} (expected e.g. {wanted}); the file was not imported")
    return codes


def _check_filing_keys(f: _Flags, code_pos: int, year_pos: int, known_codes: set[str] | None,
                       year: int | None) -> tuple[list[str | None], list[int | None]]:
    """Each row's credit code and year (None when bad), flagging the bad and unknown ones."""
    header = f.header
    code_cache: dict[str, tuple[str | None, Problem | None]] = {}
    norm_codes: list[str | None] = []
    years: list[int | None] = []
    if known_codes:  # registered codes were validated when the register was imported
        code_cache.update({c: (c, None) for c in known_codes})
    for i, row in enumerate(f.rows):
        code, problem = _check_code(row[code_pos], code_cache)
        if problem:
            f.flag(i, header[code_pos], row[code_pos], problem[0], **problem[1])
        elif known_codes is not None and code not in known_codes:
            f.flag(i, header[code_pos], row[code_pos], "unknown_enterprise", code=code)
        norm_codes.append(code)
        y = parse_year(row[year_pos])
        if y is None or not YEAR_MIN <= y <= YEAR_MAX:
            f.flag(i, header[year_pos], row[year_pos], "bad_year", text=row[year_pos].strip())
        elif year is not None and y != year:
            f.flag(i, header[year_pos], row[year_pos], "wrong_year", year=y, file_year=year)
        years.append(y)
    return norm_codes, years


def _parse_indicators(f: _Flags, by_name: dict[str, int], codes: list[str],
                      catalogue: Catalogue) -> dict[str, pl.Series]:
    """Each indicator column parsed (null when blank or bad), flagging every bad cell."""
    parsed: dict[str, pl.Series] = {}
    for code in codes:
        pos = by_name[code]
        ind = catalogue.indicators[code]
        cells = pl.Series(code, [r[pos] for r in f.rows], dtype=pl.String)
        values, bad = _parse_indicator(cells, ind)
        parsed[code] = values.alias(code)
        for i in bad.arg_true().to_list():
            kind, params = _cell_problem(f.rows[i][pos], ind)
            f.flag(i, f.header[pos], f.rows[i][pos], kind, **params)
    return parsed


def _flag_repeated_filings(f: _Flags, code_pos: int, norm_codes: list[str | None], years: list[int | None],
                           parsed: dict[str, pl.Series], codes: list[str]) -> None:
    """Duplicates among otherwise good rows: identical copies are kept once, differing ones all
    quarantined."""
    groups: dict[tuple, list[int]] = {}
    for i in range(len(f.rows)):
        if i not in f.bad:
            groups.setdefault((norm_codes[i], years[i]), []).append(i)
    label = f.header[code_pos]
    for (code, y), members in groups.items():
        if len(members) < 2:
            continue
        signature = [tuple(parsed[c][i] for c in codes) for i in members]
        first = f.line(members[0])
        if all(sig == signature[0] for sig in signature):
            for i in members[1:]:
                f.flag(i, label, f.rows[i][code_pos], "duplicate_row", first=first)
        else:
            where = ", ".join(str(f.line(i)) for i in members)
            for i in members:
                f.flag(i, label, f.rows[i][code_pos], "contradicting_rows_in_year", code=code, year=y,
                       rows=where)


def validate_table(
    table: RawTable, source: str, catalogue: Catalogue, *, file_name: str, year: int | None = None,
    known_codes: set[str] | None = None, clusters: dict[str, str] | None = None,
    zones: dict[str, str] | None = None,
) -> IngestResult:
    """Check ``table`` for ``source``. ``known_codes``: registered enterprises (rows of others are
    quarantined); ``clusters``/``zones``: accepted labels -> code (registry only)."""
    if source not in SOURCES:
        raise IngestError(f"unknown source {source!r}; one of {', '.join(SOURCES)}")
    positions, warnings = map_headers(table.header, source, catalogue)
    if source == "registry":
        return _validate_registry(table, catalogue, positions, warnings, file_name=file_name,
                                  clusters=clusters, zones=zones)
    by_name = {v: k for k, v in positions.items()}
    codes = _indicator_codes(by_name, source, catalogue)
    f, blank = _start(table)
    code_pos = by_name["credit_code"]
    norm_codes, years = _check_filing_keys(f, code_pos, by_name["year"], known_codes, year)
    parsed = _parse_indicators(f, by_name, codes, catalogue)
    _flag_repeated_filings(f, code_pos, norm_codes, years, parsed, codes)

    good = pl.Series([i not in f.bad for i in range(len(f.rows))], dtype=pl.Boolean)
    # identical duplicates: the first copy counts as accepted
    frame = pl.DataFrame({
        "credit_code": pl.Series(norm_codes, dtype=pl.String), "year": pl.Series(years, dtype=pl.Int32),
        "row": pl.Series([k + 2 for k in f.kept], dtype=pl.Int64), **parsed,
    }).filter(good)
    values = (frame.unpivot(index=["credit_code", "year", "row"], on=codes, variable_name="indicator",
                            value_name="value")
              .drop_nulls("value")
              .select("credit_code", "year", "indicator", pl.col("value").cast(pl.Float64), "row")
              .sort("row", "indicator"))
    return IngestResult(
        source=source, file_name=file_name, encoding=table.encoding, year=year, values=values, records=None,
        quarantine=f.sorted_quarantine(), rows_total=len(f.rows), rows_accepted=int(good.sum()),
        blank_rows=blank, columns={table.header[p]: c for p, c in positions.items()}, warnings=warnings,
    )


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_REGISTRY_SCHEMA = {"credit_code": pl.String, "name_zh": pl.String, "name_ko": pl.String,
                    "name_en": pl.String, "founded": pl.Date, "industry": pl.String, "cluster": pl.String,
                    "zone": pl.String, "listed": pl.Boolean, "status": pl.String, "row": pl.Int64}


@dataclass
class _RegistryRow:
    """One register row being checked: its cells by canonical column, the flags of the file."""

    f: _Flags
    i: int
    by_name: dict[str, int]

    def cell(self, name: str) -> tuple[str, str]:
        """The column's header and the cell's text (both "" when the file lacks the column)."""
        pos = self.by_name.get(name)
        return (self.f.header[pos], self.f.rows[self.i][pos].strip()) if pos is not None else ("", "")

    def flag(self, column: str, value: str, kind: str, /, **params) -> None:
        self.f.flag(self.i, column, value, kind, **params)


def _registry_names(r: _RegistryRow, rec: dict) -> None:
    for name in ("name_zh", "name_ko", "name_en"):
        label, text = r.cell(name)
        if name == "name_zh" and not text:
            r.flag(label, text, "missing_name")
        elif len(text) > NAME_MAX:
            r.flag(label, text, "name_too_long", limit=NAME_MAX)
        rec[name] = text


def _registry_founded(r: _RegistryRow, today: dt.date) -> dt.date | None:
    label, text = r.cell("founded")
    founded = parse_date(text)
    if founded is None:
        r.flag(label, text, "bad_date", text=text)
    elif not dt.date(1900, 1, 1) <= founded <= today:
        r.flag(label, text, "implausible_founding_date", date=founded.isoformat())
    return founded


def _registry_industry(r: _RegistryRow) -> str:
    label, text = r.cell("industry")
    if not INDUSTRY_RE.match(text.upper()):
        r.flag(label, text, "bad_industry_code", text=text)
    return text.upper()


def _registry_places(r: _RegistryRow, rec: dict, lookup: dict[str, dict[str, str]]) -> None:
    """Cluster and zone, each a label the region accepts (or blank)."""
    for name in ("cluster", "zone"):
        label, text = r.cell(name)
        code_value = None
        if text:
            code_value = lookup[name].get(normalise_header(text))
            if code_value is None:
                r.flag(label, text, f"unknown_{name}", text=text)
        rec[name] = code_value


def _registry_listed(r: _RegistryRow) -> bool:
    label, text = r.cell("listed")
    if text.lower() in TRUE_WORDS:
        return True
    if text and text.lower() not in FALSE_WORDS:
        r.flag(label, text, "bad_flag", text=text)
    return False


def _registry_status(r: _RegistryRow) -> str:
    label, text = r.cell("status")
    status = STATUS_WORDS.get(text.lower()) if text else "active"
    if status is None:
        r.flag(label, text, "bad_status", text=text)
    return status or "active"


def _registry_record(r: _RegistryRow, cache: dict[str, tuple[str | None, Problem | None]],
                     lookup: dict[str, dict[str, str]], today: dt.date) -> dict:
    rec: dict = {"row": r.f.line(r.i)}
    label, text = r.cell("credit_code")
    code, problem = _check_code(text, cache)
    if problem:
        r.flag(label, text, problem[0], **problem[1])
    rec["credit_code"] = code
    _registry_names(r, rec)
    rec["founded"] = _registry_founded(r, today)
    rec["industry"] = _registry_industry(r)
    _registry_places(r, rec, lookup)
    rec["listed"] = _registry_listed(r)
    rec["status"] = _registry_status(r)
    return rec


def _flag_repeated_records(f: _Flags, records: list[dict], code_label: str) -> None:
    """One enterprise, one row: identical copies are imported once, differing copies all stay out."""
    groups: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        if i not in f.bad:
            groups.setdefault(rec["credit_code"], []).append(i)
    for code, members in groups.items():
        if len(members) < 2:
            continue
        sigs = [{k: v for k, v in records[i].items() if k != "row"} for i in members]
        if all(s == sigs[0] for s in sigs):
            for i in members[1:]:
                f.flag(i, code_label, code, "duplicate_row", first=records[members[0]]["row"])
        else:
            where = ", ".join(str(records[i]["row"]) for i in members)
            for i in members:
                f.flag(i, code_label, code, "contradicting_rows", key=code, rows=where)


def _validate_registry(table: RawTable, catalogue: Catalogue, positions: dict[int, str], warnings: list[str],
                       *, file_name: str, clusters: dict[str, str] | None,
                       zones: dict[str, str] | None) -> IngestResult:
    by_name = {v: k for k, v in positions.items()}
    spec = catalogue.registry_columns
    missing = [k for k, s in spec.items() if s.get("required") and k not in by_name]
    if missing:
        names = ", ".join(f"{k} ({spec[k]['names']['zh']})" for k in missing)
        raise IngestError(f"missing key column: {names}; the file was not imported")
    f, blank = _start(table)
    lookup = {"cluster": {normalise_header(k): v for k, v in (clusters or {}).items()},
              "zone": {normalise_header(k): v for k, v in (zones or {}).items()}}
    today = dt.date.today()
    cache: dict[str, tuple[str | None, Problem | None]] = {}
    records = [_registry_record(_RegistryRow(f, i, by_name), cache, lookup, today)
               for i in range(len(f.rows))]
    _flag_repeated_records(f, records, table.header[by_name["credit_code"]])
    good = [rec for i, rec in enumerate(records) if i not in f.bad]
    frame = pl.DataFrame(good, schema=_REGISTRY_SCHEMA)
    empty_values = pl.DataFrame(schema={"credit_code": pl.String, "year": pl.Int32, "indicator": pl.String,
                                        "value": pl.Float64, "row": pl.Int64})
    return IngestResult(
        source="registry", file_name=file_name, encoding=table.encoding, year=None, values=empty_values,
        records=frame, quarantine=f.sorted_quarantine(), rows_total=len(f.rows), rows_accepted=len(good),
        blank_rows=blank, columns={table.header[p]: c for p, c in positions.items()}, warnings=warnings,
    )
