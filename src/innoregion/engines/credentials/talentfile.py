"""Check the talent office's file (``talents.csv``) and turn each good row into registry facts. Pure.

The file is read with the department-file reader (``innoregion.engines.ingest``: encoding detection,
CSV or XLSX) and checked row by row like a department file: every problem becomes a quarantine record
(row as a spreadsheet numbers it, column, value, reason) and the whole row stays out; a file without a
key column is refused (:class:`IngestError`). The file's title and award codes are turned into the tier
catalogue's vocabulary through a versioned crosswalk (``crosswalks/talents-csv-2025.yaml``).

Bad-row classes (the reason starts with the class): ``extra cells``, ``missing talent id``,
``bad talent id``, ``missing credit code``, ``invalid credit code``, ``unknown enterprise``,
``unknown field``, ``unknown title``, ``unknown award``, ``bad flag``, ``duplicate row``,
``contradicting rows``. Each record also carries the reason's machine ``kind`` and ``params``; the
English sentences are in the ingest engine's table (``innoregion.engines.ingest.reasons``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from innoregion.data import creditcode
from innoregion.engines.credentials.catalogue import DEGREES, Catalogue, load_catalogue
from innoregion.engines.ingest import reasons
from innoregion.engines.ingest.reader import IngestError, RawTable
from innoregion.engines.ingest.validate import (
    FALSE_WORDS,
    TRUE_WORDS,
    Quarantined,
    _Flags,
    _start,
    normalise_header,
)

FLAGS = ("two_way_post", "part_time_post", "startup_founder")
TALENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
LIST_SEPARATORS = re.compile(r"[;；,，、|]")


class CrosswalkError(ValueError):
    pass


@dataclass(frozen=True)
class Crosswalk:
    id: str  # "<crosswalk>/<version>"
    catalogue: str
    columns: dict[str, dict[str, Any]]
    titles: dict[str, dict[str, Any]]
    awards: dict[str, dict[str, Any]]
    fields: dict[str, str]
    field_codes: frozenset[str]

    def header_map(self) -> dict[str, str]:
        return {normalise_header(name): canonical for canonical, spec in self.columns.items()
                for name in [canonical, *spec.get("names", [])]}


def parse_crosswalk(data: dict, catalogue: Catalogue | None = None) -> Crosswalk:
    """Build a :class:`Crosswalk`; every code it maps to must be in the catalogue's vocabulary."""
    for key in ("crosswalk", "version", "catalogue", "columns", "titles", "awards", "fields", "field_codes"):
        if key not in data:
            raise CrosswalkError(f"crosswalk lacks {key!r}")
    cat = catalogue or load_catalogue(data["catalogue"])
    for table in ("titles", "awards"):
        for code, facts in data[table].items():
            for facet in ("titles", "awards", "positions"):
                unknown = set((facts or {}).get(facet, [])) - set(cat.vocabulary.get(facet, {}))
                if unknown:
                    raise CrosswalkError(f"{table}.{code}: {sorted(unknown)} not in vocabulary.{facet} of {cat.id}")
            degree = (facts or {}).get("degree")
            if degree is not None and degree not in DEGREES:
                raise CrosswalkError(f"{table}.{code}: unknown degree {degree!r}")
    missing_flags = set(FLAGS) - set(cat.vocabulary.get("flags", {}))
    if missing_flags:
        raise CrosswalkError(f"flags {sorted(missing_flags)} are not in vocabulary.flags of {cat.id}")
    codes = frozenset(data["field_codes"])
    bad_fields = {v for v in data["fields"].values() if v not in codes}
    if bad_fields:
        raise CrosswalkError(f"fields map to unknown field codes {sorted(bad_fields)}")
    return Crosswalk(id=f"{data['crosswalk']}/{data['version']}", catalogue=cat.id,
                     columns={k: dict(v) for k, v in data["columns"].items()},
                     titles={k: dict(v or {}) for k, v in data["titles"].items()},
                     awards={k: dict(v or {}) for k, v in data["awards"].items()},
                     fields=dict(data["fields"]), field_codes=codes)


@lru_cache(maxsize=8)
def load_crosswalk(name: str = "talents-csv-2025") -> Crosswalk:
    ref = resources.files("innoregion.engines.credentials") / "crosswalks" / f"{name}.yaml"
    if not ref.is_file():
        raise CrosswalkError(f"no shipped crosswalk named {name!r}")
    return parse_crosswalk(yaml.safe_load(ref.read_text(encoding="utf-8")))


@dataclass
class TalentFileResult:
    file_name: str
    encoding: str
    crosswalk: str
    records: list[dict]  # good rows: source_id, credit_code, field, cluster, titles, awards, degree, flags, row
    quarantine: list[Quarantined]
    rows_total: int
    blank_rows: int
    columns: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return len({q.row for q in self.quarantine})

    def report(self) -> dict:
        by_reason = Counter(reasons.reason_class(q.reason) for q in self.quarantine)
        by_kind = Counter(q.kind for q in self.quarantine)
        return {"file": self.file_name, "encoding": self.encoding, "crosswalk": self.crosswalk,
                "rows_total": self.rows_total, "rows_accepted": len(self.records),
                "rows_quarantined": self.rows_quarantined, "blank_rows_skipped": self.blank_rows,
                "columns": self.columns, "warnings": list(self.warnings),
                "quarantine_reasons": dict(by_reason.most_common()),
                "quarantine_kinds": dict(by_kind.most_common())}


def _codes(text: str) -> list[str]:
    return [c.strip() for c in LIST_SEPARATORS.split(text) if c.strip()]


def _column_positions(header: list[str], xw: Crosswalk) -> tuple[dict[str, int], list[str]]:
    """Canonical column name -> position in ``header``, and warnings for the columns ignored."""
    names = xw.header_map()
    by_name: dict[str, int] = {}
    warnings: list[str] = []
    for pos, label in enumerate(header):
        if not label.strip():
            continue
        canonical = names.get(normalise_header(label))
        if canonical is None:
            warnings.append(f"unknown column {label!r}; ignored")
        elif canonical in by_name:
            raise IngestError(f"columns {header[by_name[canonical]]!r} and {label!r} both mean "
                              f"{canonical!r}; keep one")
        else:
            by_name[canonical] = pos
    missing = [c for c, spec in xw.columns.items() if spec.get("required") and c not in by_name]
    if missing:
        raise IngestError(f"missing key column: {', '.join(missing)}; the file was not imported")
    return by_name, warnings


@dataclass
class _Rows:
    """The file's rows with their quarantine records, and the columns by canonical name."""

    flags: _Flags
    by_name: dict[str, int]

    def cell(self, i: int, name: str) -> str:
        pos = self.by_name.get(name)
        return self.flags.rows[i][pos].strip() if pos is not None else ""

    def flag(self, i: int, canonical: str, value: str, kind: str, /, **params) -> None:
        self.flags.flag(i, self.flags.header[self.by_name[canonical]], value, kind, **params)


def _check_talent_id(t: _Rows, i: int) -> str:
    tid = t.cell(i, "talent_id")
    if not tid:
        t.flag(i, "talent_id", tid, "missing_talent_id")
    elif not TALENT_ID_RE.match(tid):
        t.flag(i, "talent_id", tid, "bad_talent_id", text=tid)
    return tid


def _check_affiliation(t: _Rows, i: int, known_codes: set[str]) -> str | None:
    text = t.cell(i, "affiliation_credit_code")
    if not text:
        t.flag(i, "affiliation_credit_code", text, "missing_affiliation_code")
        return None
    try:
        code = creditcode.validate(text)
    except creditcode.CreditCodeError as exc:
        t.flag(i, "affiliation_credit_code", text, exc.kind, **exc.params)
        return None
    if code not in known_codes:
        t.flag(i, "affiliation_credit_code", text, "unknown_enterprise", code=code)
    return code


def _check_field(t: _Rows, i: int, xw: Crosswalk) -> tuple[str, str | None]:
    """The field code and the cluster the file's field names (``"other"`` and none when blank)."""
    text = t.cell(i, "field")
    if not text:
        return "other", None
    key = text.lower()
    if key in xw.fields:
        return xw.fields[key], key
    if key in xw.field_codes:
        return key, None
    t.flag(i, "field", text, "unknown_field", text=text)
    return "other", None


def _add_facts(rec: dict[str, Any], facts: dict[str, Any]) -> None:
    rec["titles"] += facts.get("titles", [])
    rec["awards"] += facts.get("awards", [])


def _check_title(t: _Rows, i: int, xw: Crosswalk, rec: dict[str, Any]) -> None:
    text = t.cell(i, "title")
    if not text:
        return
    facts = xw.titles.get(text.lower())
    if facts is None:
        t.flag(i, "title", text, "unknown_title", text=text, allowed=", ".join(xw.titles))
        return
    _add_facts(rec, facts)
    rec["degree"] = facts.get("degree", "")


def _check_awards(t: _Rows, i: int, xw: Crosswalk, rec: dict[str, Any]) -> None:
    text = t.cell(i, "awards")
    for award in _codes(text):
        facts = xw.awards.get(award.lower())
        if facts is None:
            t.flag(i, "awards", text, "unknown_award", text=award, allowed=", ".join(xw.awards))
            continue
        _add_facts(rec, facts)
        if facts.get("degree"):
            rec["degree"] = facts["degree"]


def _check_flags(t: _Rows, i: int, rec: dict[str, Any]) -> None:
    for name in FLAGS:
        text = t.cell(i, name)
        if text.lower() in TRUE_WORDS:
            rec[name] = True
        elif not text or text.lower() in FALSE_WORDS:
            rec[name] = False
        else:
            t.flag(i, name, text, "bad_talent_flag", text=text)
            rec[name] = False


def _check_row(t: _Rows, i: int, xw: Crosswalk, known_codes: set[str]) -> dict[str, Any]:
    rec: dict[str, Any] = {"row": t.flags.line(i), "titles": [], "awards": [], "degree": ""}
    rec["source_id"] = _check_talent_id(t, i)
    rec["credit_code"] = _check_affiliation(t, i, known_codes)
    rec["field"], rec["cluster"] = _check_field(t, i, xw)
    _check_title(t, i, xw, rec)
    _check_awards(t, i, xw, rec)
    _check_flags(t, i, rec)
    rec["titles"] = sorted(set(rec["titles"]))
    rec["awards"] = sorted(set(rec["awards"]))
    return rec


def _check_repeats(t: _Rows, records: list[dict]) -> None:
    """One talent id, one row: identical copies are imported once, differing copies all stay out."""
    groups: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        if i not in t.flags.bad:
            groups.setdefault(rec["source_id"], []).append(i)
    for tid, members in groups.items():
        if len(members) < 2:
            continue
        sigs = [{k: v for k, v in records[i].items() if k != "row"} for i in members]
        if all(s == sigs[0] for s in sigs):
            for i in members[1:]:
                t.flag(i, "talent_id", tid, "duplicate_row", first=records[members[0]]["row"])
        else:
            where = ", ".join(str(records[i]["row"]) for i in members)
            for i in members:
                t.flag(i, "talent_id", tid, "contradicting_rows", key=tid, rows=where)


def check_talent_table(table: RawTable, *, file_name: str, known_codes: set[str],
                       crosswalk: Crosswalk | None = None) -> TalentFileResult:
    """Check ``table``; ``known_codes``: credit codes of the enterprise register (others are quarantined)."""
    xw = crosswalk or load_crosswalk()
    by_name, warnings = _column_positions(table.header, xw)
    flags, blank = _start(table)
    t = _Rows(flags, by_name)
    records = [_check_row(t, i, xw, known_codes) for i in range(len(flags.rows))]
    _check_repeats(t, records)
    return TalentFileResult(
        file_name=file_name, encoding=table.encoding, crosswalk=xw.id,
        records=[rec for i, rec in enumerate(records) if i not in flags.bad],
        quarantine=flags.sorted_quarantine(), rows_total=len(flags.rows), blank_rows=blank,
        columns={table.header[p]: c for c, p in by_name.items()}, warnings=warnings)
