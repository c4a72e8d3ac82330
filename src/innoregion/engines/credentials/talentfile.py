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
    _pad,
    _raw,
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


def check_talent_table(table: RawTable, *, file_name: str, known_codes: set[str],
                       crosswalk: Crosswalk | None = None) -> TalentFileResult:
    """Check ``table``; ``known_codes``: credit codes of the enterprise register (others are quarantined)."""
    xw = crosswalk or load_crosswalk()
    names = xw.header_map()
    by_name: dict[str, int] = {}
    warnings: list[str] = []
    for pos, label in enumerate(table.header):
        if not label.strip():
            continue
        canonical = names.get(normalise_header(label))
        if canonical is None:
            warnings.append(f"unknown column {label!r}; ignored")
        elif canonical in by_name:
            raise IngestError(f"columns {table.header[by_name[canonical]]!r} and {label!r} both mean "
                              f"{canonical!r}; keep one")
        else:
            by_name[canonical] = pos
    missing = [c for c, spec in xw.columns.items() if spec.get("required") and c not in by_name]
    if missing:
        raise IngestError(f"missing key column: {', '.join(missing)}; the file was not imported")

    header = table.header
    rows, row_errors, blank, kept = _pad(table.rows, len(header))
    quarantine: list[Quarantined] = []
    bad: set[int] = set()

    def flag(i: int, canonical: str, value: str, kind: str, /, **params) -> None:
        bad.add(i)
        column = header[by_name[canonical]] if canonical else ""
        quarantine.append(Quarantined.of(kept[i] + 2, column, value, _raw(header, rows[i]), kind, params))

    for i, (kind, params) in row_errors.items():
        flag(i, "", "", kind, **params)

    records: list[dict] = []
    for i, row in enumerate(rows):
        def cell(name: str, row=row) -> str:
            pos = by_name.get(name)
            return row[pos].strip() if pos is not None else ""

        rec: dict[str, Any] = {"row": kept[i] + 2, "titles": [], "awards": [], "degree": ""}
        tid = cell("talent_id")
        if not tid:
            flag(i, "talent_id", tid, "missing_talent_id")
        elif not TALENT_ID_RE.match(tid):
            flag(i, "talent_id", tid, "bad_talent_id", text=tid)
        rec["source_id"] = tid

        text = cell("affiliation_credit_code")
        code = None
        if not text:
            flag(i, "affiliation_credit_code", text, "missing_affiliation_code")
        else:
            try:
                code = creditcode.validate(text)
            except creditcode.CreditCodeError as exc:
                flag(i, "affiliation_credit_code", text, exc.kind, **exc.params)
            else:
                if code not in known_codes:
                    flag(i, "affiliation_credit_code", text, "unknown_enterprise", code=code)
        rec["credit_code"] = code

        text = cell("field")
        rec["field"], rec["cluster"] = "other", None
        if text:
            key = text.lower()
            if key in xw.fields:
                rec["field"], rec["cluster"] = xw.fields[key], key
            elif key in xw.field_codes:
                rec["field"] = key
            else:
                flag(i, "field", text, "unknown_field", text=text)

        text = cell("title")
        if text:
            facts = xw.titles.get(text.lower())
            if facts is None:
                flag(i, "title", text, "unknown_title", text=text, allowed=", ".join(xw.titles))
            else:
                rec["titles"] += facts.get("titles", [])
                rec["awards"] += facts.get("awards", [])
                rec["degree"] = facts.get("degree", "")

        text = cell("awards")
        for award in _codes(text):
            facts = xw.awards.get(award.lower())
            if facts is None:
                flag(i, "awards", text, "unknown_award", text=award, allowed=", ".join(xw.awards))
                continue
            rec["titles"] += facts.get("titles", [])
            rec["awards"] += facts.get("awards", [])
            if facts.get("degree"):
                rec["degree"] = facts["degree"]

        for name in FLAGS:
            text = cell(name)
            if text.lower() in TRUE_WORDS:
                rec[name] = True
            elif not text or text.lower() in FALSE_WORDS:
                rec[name] = False
            else:
                flag(i, name, text, "bad_talent_flag", text=text)
                rec[name] = False
        rec["titles"] = sorted(set(rec["titles"]))
        rec["awards"] = sorted(set(rec["awards"]))
        records.append(rec)

    # one talent id, one row: identical copies are imported once, differing copies all stay out
    groups: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        if i not in bad:
            groups.setdefault(rec["source_id"], []).append(i)
    for tid, members in groups.items():
        if len(members) < 2:
            continue
        sigs = [{k: v for k, v in records[i].items() if k != "row"} for i in members]
        if all(s == sigs[0] for s in sigs):
            for i in members[1:]:
                flag(i, "talent_id", tid, "duplicate_row", first=records[members[0]]["row"])
        else:
            where = ", ".join(str(records[i]["row"]) for i in members)
            for i in members:
                flag(i, "talent_id", tid, "contradicting_rows", key=tid, rows=where)
    quarantine.sort(key=lambda q: (q.row, q.column))
    return TalentFileResult(
        file_name=file_name, encoding=table.encoding, crosswalk=xw.id,
        records=[rec for i, rec in enumerate(records) if i not in bad], quarantine=quarantine,
        rows_total=len(rows), blank_rows=blank, columns={header[p]: c for c, p in by_name.items()},
        warnings=warnings)
