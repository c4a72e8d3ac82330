"""Import department files into the region database.

``import_file`` stores the raw file under ``<data dir>/raw/<sha256><ext>``, checks it with the pure
ingest engine (``innoregion.engines.ingest``) and writes everything in ONE transaction: the batch,
its quarantined rows, the filings (a correction supersedes the old value, an unchanged value is not
duplicated), and the cross-department conflicts. Re-importing the same file for the same source
changes nothing. On PostgreSQL the filings go through COPY into a temporary staging table and
set-based SQL; elsewhere through ``bulk_create`` in batches.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import time
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from innoregion.apps.imports.models import ImportBatch, QuarantinedRow
from innoregion.apps.region.models import Cluster, Enterprise, Filing, FilingConflict, Indicator, Zone
from innoregion.data.catalogue import load_catalogue
from innoregion.engines.ingest import IMPORT_ORDER, IngestError, IngestResult, infer_source, ingest_bytes
from innoregion.exports import csv_text, xlsx_bytes

SQLITE_CHUNK = 500  # ids per UPDATE ... WHERE id IN (...) on SQLite
BULK_BATCH = 5000


class ImportFailed(RuntimeError):
    pass


def data_dir() -> Path:
    return Path(getattr(settings, "DATA_DIR", None) or _config_data_dir())


def _config_data_dir() -> Path:
    from innoregion.site.config import data_dir as config_data_dir

    return config_data_dir()


def raw_dir() -> Path:
    path = data_dir() / "raw"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------------------------- entry points
def import_file(path: str | Path, source: str = "auto", user=None, *, year: int | None = None) -> ImportBatch:
    """Import one department file. ``source``: registry, tax, ip, hr, stats, self or auto (from the
    file name). Returns the batch; ``batch.already_imported`` is True when the very same file was
    imported before for this source (then nothing changed)."""
    path = Path(path)
    return import_bytes(path.read_bytes(), path.name, source, user, year=year)


def import_upload(uploaded, source: str = "auto", user=None, *, year: int | None = None) -> ImportBatch:
    """Import a Django ``UploadedFile`` (the upload page's entry point)."""
    buffer = io.BytesIO()
    for chunk in uploaded.chunks():
        buffer.write(chunk)
    return import_bytes(buffer.getvalue(), Path(uploaded.name).name, source, user, year=year)


def import_bytes(data: bytes, file_name: str, source: str = "auto", user=None, *,
                 year: int | None = None) -> ImportBatch:
    file_name = _storable(file_name)
    if source == "auto":
        source = infer_source(file_name)
    if source not in IMPORT_ORDER:
        raise IngestError(f"unknown source {source!r}; one of {', '.join(IMPORT_ORDER)}")
    sha = hashlib.sha256(data).hexdigest()
    existing = ImportBatch.objects.filter(source=source, sha256=sha).first()
    if existing is not None and existing.status == ImportBatch.Status.IMPORTED:
        existing.already_imported = True
        return existing
    if existing is not None:  # an earlier attempt was rejected as a whole: try again
        existing.delete()
    raw_path = _keep_raw(data, file_name, sha)
    if not Indicator.objects.exists():
        from innoregion.apps.region.services import load_reference_data

        load_reference_data()
    started = timezone.now()
    clock = time.perf_counter()
    try:
        result = ingest_bytes(data, file_name, source, year=year, **_known(source))
    except IngestError as exc:
        batch = ImportBatch.objects.create(
            source=source, file_name=file_name[:255], sha256=sha, raw_path=str(raw_path), encoding="",
            status=ImportBatch.Status.REJECTED, started_at=started, finished_at=timezone.now(), imported_by=user,
            report=_storable({"file": file_name, "source": source, "rejected": str(exc)}),
        )
        _write_text_report(batch)
        batch.already_imported = False
        return batch
    seconds_check = round(time.perf_counter() - clock, 3)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source, file_name=file_name[:255], sha256=sha, raw_path=str(raw_path), encoding=result.encoding,
            status=ImportBatch.Status.IMPORTED, started_at=started, imported_by=user,
            rows_total=result.rows_total, rows_accepted=result.rows_accepted,
            rows_quarantined=result.rows_quarantined,
        )
        _store_quarantine(batch, result)
        report = result.report()
        if source == "registry":
            report.update(_upsert_enterprises(result.records))
        else:
            report.update(_write_values(batch, result.values, seconds_check))
        batch.finished_at = timezone.now()
        report.update(batch=batch.pk, raw_path=str(raw_path), report_path=str(_report_path(batch)),
                      seconds=round((batch.finished_at - started).total_seconds(), 3))
        batch.report = _storable(report)
        batch.save()
    _write_text_report(batch)
    batch.already_imported = False
    return batch


def _keep_raw(data: bytes, file_name: str, sha: str) -> Path:
    """The raw file, kept under its SHA-256 (written once, atomically)."""
    raw_path = raw_dir() / f"{sha}{Path(file_name).suffix.lower() or '.csv'}"
    if not raw_path.exists():
        tmp = raw_path.with_suffix(raw_path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(raw_path)
    return raw_path


def _write_values(batch: ImportBatch, values: pl.DataFrame, seconds_check: float) -> dict:
    """A department's values into the filings, conflicts recorded; the counts go on ``batch`` and,
    with the timings, into the report (returned)."""
    clock = time.perf_counter()
    counts = _write_filings(batch, values)
    seconds_write = round(time.perf_counter() - clock, 3)
    batch.values_created = counts["created"]
    batch.values_superseded = counts["superseded"]
    batch.values_unchanged = counts["unchanged"]
    batch.conflicts = _record_conflicts(batch, values)
    timings = {"check": seconds_check, "write": seconds_write,
               "conflicts": round(time.perf_counter() - clock - seconds_write, 3), **counts.get("timings", {})}
    return {"timings": timings, "values_created": batch.values_created,
            "values_superseded": batch.values_superseded, "values_unchanged": batch.values_unchanged,
            "conflicts": batch.conflicts}


def _known(source: str) -> dict:
    if source == "registry":
        def labels(model) -> dict[str, str]:
            out: dict[str, str] = {}
            for obj in model.objects.all():
                for label in (obj.code, obj.name_zh, obj.name_ko, obj.name_en):
                    if label:
                        out[label] = obj.code
            return out

        return {"clusters": labels(Cluster), "zones": labels(Zone)}
    return {"known_codes": set(Enterprise.objects.values_list("credit_code", flat=True))}


def _storable(obj):
    """Text as read, made storable everywhere: PostgreSQL text and JSON cannot hold NUL characters, so
    a NUL read from a broken file is kept visibly as the four characters \\x00."""
    if isinstance(obj, str):
        return obj.replace("\x00", "\\x00")
    if isinstance(obj, dict):
        return {_storable(k): _storable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_storable(v) for v in obj]
    return obj


def _store_quarantine(batch: ImportBatch, result: IngestResult) -> None:
    QuarantinedRow.objects.bulk_create(
        [QuarantinedRow(batch=batch, row_number=q.row, column=_storable(q.column)[:100], value=_storable(q.value),
                        reason=_storable(q.reason), kind=q.kind, params=_storable(q.params), raw=_storable(q.raw))
         for q in result.quarantine],
        batch_size=BULK_BATCH,
    )


# ------------------------------------------------------------------------------------------------- registry
ENTERPRISE_FIELDS = ("name_zh", "name_ko", "name_en", "founded", "industry", "cluster_id", "zone_id",
                     "listed", "status")


def _upsert_enterprises(records: pl.DataFrame) -> dict[str, int]:
    clusters = dict(Cluster.objects.values_list("code", "id"))
    zones = dict(Zone.objects.values_list("code", "id"))
    existing = {e.credit_code: e for e in Enterprise.objects.filter(
        credit_code__in=records["credit_code"].to_list())}
    new: list[Enterprise] = []
    changed: list[Enterprise] = []
    now = timezone.now()
    for rec in records.iter_rows(named=True):
        values = {
            "name_zh": rec["name_zh"], "name_ko": rec["name_ko"], "name_en": rec["name_en"],
            "founded": rec["founded"], "industry": rec["industry"],
            "cluster_id": clusters.get(rec["cluster"]) if rec["cluster"] else None,
            "zone_id": zones.get(rec["zone"]) if rec["zone"] else None,
            "listed": rec["listed"], "status": rec["status"],
        }
        ent = existing.get(rec["credit_code"])
        if ent is None:
            new.append(Enterprise(credit_code=rec["credit_code"], **values))
        elif any(getattr(ent, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(ent, k, v)
            ent.updated_at = now
            changed.append(ent)
    Enterprise.objects.bulk_create(new, batch_size=BULK_BATCH)
    Enterprise.objects.bulk_update(changed, [*ENTERPRISE_FIELDS, "updated_at"], batch_size=BULK_BATCH)
    return {"enterprises_created": len(new), "enterprises_updated": len(changed),
            "enterprises_unchanged": records.height - len(new) - len(changed)}


# -------------------------------------------------------------------------------------------------- filings
def _stage(values: pl.DataFrame) -> pl.DataFrame:
    """Accepted long values -> enterprise_id, year, indicator_id, value, row_number."""
    codes = values["credit_code"].unique().to_list()
    ids: dict[str, int] = {}
    for i in range(0, len(codes), 20000):
        ids.update(Enterprise.objects.filter(credit_code__in=codes[i:i + 20000]).values_list("credit_code", "id"))
    ent = pl.DataFrame({"credit_code": list(ids), "enterprise_id": list(ids.values())},
                       schema={"credit_code": pl.String, "enterprise_id": pl.Int64})
    ind = pl.DataFrame(list(Indicator.objects.values_list("code", "id")), schema=["indicator", "indicator_id"],
                       orient="row").cast({"indicator_id": pl.Int64})
    staged = values.join(ent, on="credit_code", how="inner").join(ind, on="indicator", how="inner")
    if staged.height != values.height:  # the engine checked both; a mismatch is a bug, not bad data
        raise ImportFailed(f"{values.height - staged.height} values refer to unknown enterprises or indicators")
    return staged.select("enterprise_id", pl.col("year").cast(pl.Int64), "indicator_id", "value",
                         pl.col("row").alias("row_number"))


def _write_filings(batch: ImportBatch, values: pl.DataFrame) -> dict[str, int]:
    if values.is_empty():
        return {"created": 0, "superseded": 0, "unchanged": 0}
    staged = _stage(values)
    if connection.vendor == "postgresql":
        return _write_filings_postgres(batch, staged)
    return _write_filings_orm(batch, staged)


def _write_filings_postgres(batch: ImportBatch, staged: pl.DataFrame) -> dict[str, int]:
    table = Filing._meta.db_table
    now = timezone.now()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS innoregion_import_stage")
        cur.execute("CREATE TEMP TABLE innoregion_import_stage (enterprise_id bigint, year integer, "
                    "indicator_id bigint, value double precision, row_number integer) ON COMMIT DROP")
        buffer = staged.write_csv(include_header=False, float_precision=None).encode()
        with cur.cursor.copy("COPY innoregion_import_stage FROM STDIN (FORMAT csv)") as copy:
            for i in range(0, len(buffer), 1 << 22):
                copy.write(buffer[i:i + (1 << 22)])
        cur.execute("ANALYZE innoregion_import_stage")
        lap("copy")
        key = ("f.enterprise_id = s.enterprise_id AND f.year = s.year AND f.indicator_id = s.indicator_id "
               "AND f.source = %s AND f.is_current")
        cur.execute(f"DELETE FROM innoregion_import_stage s USING {table} f WHERE {key} AND f.value = s.value",
                    [batch.source])
        unchanged = cur.rowcount
        lap("unchanged")
        cur.execute(f"UPDATE {table} f SET is_current = false, superseded_at = %s, superseded_by_batch_id = %s "
                    f"FROM innoregion_import_stage s WHERE {key}", [now, batch.pk, batch.source])
        superseded = cur.rowcount
        lap("supersede")
        bypass = _verify_references_set_based(cur, table)
        lap("references")
        cur.execute(
            f"INSERT INTO {table} (enterprise_id, year, indicator_id, source, value, batch_id, row_number, "
            "is_current, superseded_at, superseded_by_batch_id, created_at) "
            "SELECT enterprise_id, year, indicator_id, %s, value, %s, row_number, true, NULL, NULL, %s "
            "FROM innoregion_import_stage ORDER BY enterprise_id, year, indicator_id", [batch.source, batch.pk, now])
        created = cur.rowcount
        if bypass:
            cur.execute("SET LOCAL session_replication_role = origin")
        lap("insert")
        cur.execute("DROP TABLE innoregion_import_stage")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # remaining foreign-key checks now, not at commit
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        lap("constraints")
    timings["fk_triggers_bypassed"] = bypass
    return {"created": created, "superseded": superseded, "unchanged": unchanged, "timings": timings}


def _verify_references_set_based(cur, table: str) -> bool:
    """Check the staged rows' foreign keys with one set-based statement per referenced table, then,
    when the role may and the filings table has no triggers of its own, switch PostgreSQL's per-row
    foreign-key triggers off for the INSERT (``session_replication_role = replica``, as
    ``pg_restore --disable-triggers`` does). Instead of the triggers' per-row KEY SHARE locks, the
    enterprise and indicator tables are locked in SHARE mode until the end of the transaction, so no
    referenced row can be deleted before the import commits (writers to those tables wait for the
    import). The batch row is this transaction's own. Returns whether the triggers were switched off;
    raises ImportFailed when a reference is missing."""
    refs = (("enterprise_id", Enterprise._meta.db_table), ("indicator_id", Indicator._meta.db_table))
    cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
    if cur.fetchone()[0]:
        return False
    try:
        with transaction.atomic():
            cur.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not permitted for this role: keep the per-row checks
        return False
    for column, ref in refs:
        cur.execute(f"LOCK TABLE {ref} IN SHARE MODE")
        cur.execute(f"SELECT count(*) FROM (SELECT DISTINCT {column} AS id FROM innoregion_import_stage) s "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {ref} r WHERE r.id = s.id)")
        missing = cur.fetchone()[0]
        if missing:
            raise ImportFailed(f"{missing} staged {column} values have no row in {ref}")
    return True


def _write_filings_orm(batch: ImportBatch, staged: pl.DataFrame) -> dict[str, int]:
    now = timezone.now()
    years = staged["year"].unique().to_list()
    indicator_ids = staged["indicator_id"].unique().to_list()
    current = pl.DataFrame(
        list(Filing.objects.filter(source=batch.source, is_current=True, year__in=years,
                                   indicator_id__in=indicator_ids)
             .values_list("id", "enterprise_id", "year", "indicator_id", "value")),
        schema={"id": pl.Int64, "enterprise_id": pl.Int64, "year": pl.Int64, "indicator_id": pl.Int64,
                "old": pl.Float64}, orient="row")
    joined = staged.join(current, on=["enterprise_id", "year", "indicator_id"], how="left")
    same = joined["id"].is_not_null() & (joined["old"] == joined["value"]).fill_null(False)
    unchanged = int(same.sum())
    todo = joined.filter(~same)
    old_ids = todo["id"].drop_nulls().to_list()
    for i in range(0, len(old_ids), SQLITE_CHUNK):
        Filing.objects.filter(id__in=old_ids[i:i + SQLITE_CHUNK]).update(
            is_current=False, superseded_at=now, superseded_by_batch=batch)
    # executemany of plain tuples: the same rows bulk_create would write, without a model instance each
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (f"INSERT INTO {Filing._meta.db_table} (enterprise_id, year, indicator_id, source, value, batch_id, "
           "row_number, is_current, superseded_at, superseded_by_batch_id, created_at) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, %s)")
    rows = todo.select(*staged.columns).iter_rows()
    with connection.cursor() as cur:
        while chunk := [(e, y, i, batch.source, v, batch.pk, r, True, stamp)
                        for e, y, i, v, r in itertools.islice(rows, BULK_BATCH)]:
            cur.executemany(sql, chunk)
    return {"created": todo.height, "superseded": len(old_ids), "unchanged": unchanged}


# ------------------------------------------------------------------------------------------------ conflicts
def _differs(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) > tolerance * max(abs(a), abs(b))


def effective_source(values: dict[str, float], authoritative: str) -> str:
    if authoritative in values:
        return authoritative
    return min(values, key=lambda s: IMPORT_ORDER.index(s) if s in IMPORT_ORDER else len(IMPORT_ORDER))


def _record_conflicts(batch: ImportBatch, values: pl.DataFrame) -> int:
    """Compare this batch's values with other departments' current values for the same enterprise,
    year and indicator; record (or update) an open conflict when they differ beyond tolerance, and
    close an open conflict whose values now agree."""
    catalogue = load_catalogue()
    shared = [c for c in values["indicator"].unique().to_list()
              if c in catalogue.indicators and len(catalogue.indicators[c].sources) > 1]
    if not shared:
        return 0
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=shared)}
    mine = values.filter(pl.col("indicator").is_in(shared))
    years = mine["year"].unique().to_list()
    others = list(Filing.objects.filter(is_current=True, indicator__code__in=shared, year__in=years)
                  .exclude(source=batch.source)
                  .values_list("enterprise__credit_code", "year", "indicator__code", "source", "value",
                               "enterprise_id"))
    if not others:
        return 0
    by_key: dict[tuple, dict] = {}
    for code, year, ind, src, value, ent_id in others:
        by_key.setdefault((code, year, ind), {"enterprise_id": ent_id, "values": {}})["values"][src] = value
    open_conflicts = {(c.enterprise_id, c.year, c.indicator_id): c for c in FilingConflict.objects.filter(
        resolved=False, indicator__code__in=shared, year__in=years)}
    found = 0
    new: list[FilingConflict] = []
    for code, year, ind_code, value in mine.select("credit_code", "year", "indicator", "value").iter_rows():
        entry = by_key.get((code, year, ind_code))
        if entry is None:
            continue
        ind = indicators[ind_code]
        all_values = {batch.source: value, **entry["values"]}
        conflict = any(_differs(value, other, ind.tolerance) for other in entry["values"].values())
        key = (entry["enterprise_id"], year, ind.pk)
        existing = open_conflicts.get(key)
        if conflict:
            found += 1
            eff = effective_source(all_values, ind.authoritative_source)
            if existing is not None:
                existing.values, existing.effective_source, existing.detected_in = all_values, eff, batch
                existing.save(update_fields=["values", "effective_source", "detected_in"])
            else:
                new.append(FilingConflict(enterprise_id=key[0], year=year, indicator=ind, values=all_values,
                                          effective_source=eff, detected_in=batch))
        elif existing is not None:
            existing.resolved = True
            existing.resolution_note = f"values agree within tolerance after import batch {batch.pk}"
            existing.save(update_fields=["resolved", "resolution_note"])
    FilingConflict.objects.bulk_create(new, batch_size=BULK_BATCH)
    return found


# --------------------------------------------------------------------------------------------------- reports
def _report_path(batch: ImportBatch) -> Path:
    return Path(batch.raw_path).with_name(f"{batch.sha256}.{batch.source}.report.txt")


def format_report(batch: ImportBatch) -> str:
    r = batch.report or {}
    lines = [f"Import of {batch.file_name} (source {batch.source}, batch {batch.pk})",
             f"  sha256 {batch.sha256}", f"  raw file {batch.raw_path}"]
    if getattr(batch, "already_imported", False):
        lines.append("  ALREADY IMPORTED: this exact file was imported before for this source; nothing changed.")
    if batch.status == ImportBatch.Status.REJECTED:
        lines.append(f"  REJECTED, nothing imported: {r.get('rejected', '')}")
        return "\n".join(lines) + "\n"
    lines += [
        f"  encoding {batch.encoding}; year {r.get('year')}",
        f"  rows {batch.rows_total}: accepted {batch.rows_accepted}, quarantined {batch.rows_quarantined}, "
        f"blank skipped {r.get('blank_rows_skipped', 0)}",
    ]
    if batch.source == "registry":
        lines.append(f"  enterprises created {r.get('enterprises_created', 0)}, updated "
                     f"{r.get('enterprises_updated', 0)}, unchanged {r.get('enterprises_unchanged', 0)}")
    else:
        lines.append(f"  values recorded {batch.values_created}, corrected (old value superseded) "
                     f"{batch.values_superseded}, unchanged {batch.values_unchanged}; "
                     f"conflicts with other departments {batch.conflicts}")
    for w in r.get("warnings", []):
        lines.append(f"  warning: {w}")
    if r.get("quarantine_reasons"):
        lines.append("  quarantined by reason: " + ", ".join(f"{k} {v}" for k, v in r["quarantine_reasons"].items()))
    shown = list(batch.quarantine.all()[:20])
    for q in shown:
        lines.append(f"    row {q.row_number} [{q.column}] {q.value!r}: {q.reason}")
    if batch.rows_quarantined and len(shown) < batch.quarantine.count():
        lines.append(f"    ... {batch.quarantine.count() - len(shown)} more (export the quarantine for all)")
    if "seconds" in r:
        lines.append(f"  took {r['seconds']} s")
    return "\n".join(lines) + "\n"


def _write_text_report(batch: ImportBatch) -> Path:
    path = _report_path(batch)
    path.write_text(format_report(batch), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------- quarantine exports
EXPORT_HEADER = [gettext_noop("file"), gettext_noop("row"), gettext_noop("column"), gettext_noop("value"),
                 gettext_noop("reason"), gettext_noop("row as read")]


def _export_table(batch, language: str | None) -> tuple[list[str], list[list]]:
    """Header and rows of a quarantine export. ``language`` None: the header and reasons in English as
    stored (the CLI's files); a language code (zh-hans, ko, en): both in that language."""
    quarantine = batch.quarantine.all().order_by("row_number", "id")
    if language is None:
        return list(EXPORT_HEADER), [_export_row(batch, q, q.reason) for q in quarantine]
    with translation.override(language):
        return ([gettext(title) for title in EXPORT_HEADER],
                [_export_row(batch, q, q.localised_reason()) for q in quarantine])


def _export_row(batch, q, reason: str) -> list:
    return [batch.file_name, q.row_number, q.column, q.value, reason, q.raw]


def export_quarantine_csv(batch, path: str | Path, *, language: str | None = None) -> Path:
    """Write ``batch``'s quarantined rows (a department or talents import) as CSV (UTF-8 with BOM)."""
    header, rows = _export_table(batch, language)
    path = Path(path)
    path.write_text(csv_text(header, rows), encoding="utf-8", newline="")
    return path


def export_quarantine_xlsx(batch, path: str | Path, *, language: str | None = None) -> Path:
    """Write ``batch``'s quarantined rows as an XLSX workbook (see :func:`export_quarantine_csv`)."""
    header, rows = _export_table(batch, language)
    path = Path(path)
    path.write_bytes(xlsx_bytes([("quarantine", header, rows)]))
    return path
