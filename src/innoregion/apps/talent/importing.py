"""Import the talent office's file (``talents.csv``, docs/data/department-files.md) into the registry,
the way department files are imported (innoregion.apps.imports.services):

- the raw file is kept as ``<data dir>/raw/talent/<sha256><ext>`` (folder 0700, file 0600: it carries the
  office's ids, which link to named people); importing the same bytes again returns the earlier batch and
  changes nothing;
- the pure checker (``innoregion.engines.credentials.talentfile``, on the ingest engine's reader)
  quarantines bad rows with row, column and reason, in :class:`TalentQuarantinedRow` (queryable, in the
  admin, exportable with the department imports' CSV/XLSX exporters); a file without a key column is
  rejected as a whole;
- everything is written in ONE transaction: the batch, its quarantine, the talents (created, or updated
  when the office's id is known), their personal-data rows (the office's id only: the file has no
  names) and each new or changed talent's tier through ``services.place`` (audited). Any error leaves
  the database as it was.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from innoregion.apps.imports.services import raw_dir
from innoregion.apps.region.models import Cluster, Enterprise
from innoregion.apps.talent import services
from innoregion.apps.talent.models import (
    Talent,
    TalentImportBatch,
    TalentPersonalData,
    TalentQuarantinedRow,
)
from innoregion.engines.credentials.talentfile import check_talent_table, load_crosswalk
from innoregion.engines.ingest import IngestError, read_table

FROM_FILE = ("affiliation_id", "field", "cluster_id", "titles", "awards", "degree", "two_way_post",
             "part_time_post", "startup_founder")
CHUNK = 5000


def talent_raw_dir() -> Path:
    path = raw_dir() / "talent"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _store_raw(data: bytes, sha: str, file_name: str) -> Path:
    path = talent_raw_dir() / f"{sha}{Path(file_name).suffix.lower() or '.csv'}"
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp.replace(path)
    return path


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def import_talents_csv(path: str | Path, user=None) -> TalentImportBatch:
    """Import one talents file (CSV or XLSX). ``batch.already_imported`` is True when these exact bytes
    were imported before (then nothing changed)."""
    path = Path(path)
    return import_talents_bytes(path.read_bytes(), path.name, user)


def import_talents_bytes(data: bytes, file_name: str, user=None) -> TalentImportBatch:
    sha = hashlib.sha256(data).hexdigest()
    existing = TalentImportBatch.objects.filter(sha256=sha).first()
    if existing is not None and existing.status == TalentImportBatch.Status.IMPORTED:
        existing.already_imported = True
        return existing
    if existing is not None:  # rejected before as a whole: try again
        existing.delete()
    raw_path = _store_raw(data, sha, file_name)
    started = timezone.now()
    crosswalk = load_crosswalk()
    try:
        table = read_table(data, file_name)
        result = check_talent_table(table, file_name=file_name, crosswalk=crosswalk,
                                    known_codes=_known_codes())
    except IngestError as exc:
        batch = TalentImportBatch.objects.create(
            file_name=file_name[:255], sha256=sha, raw_path=str(raw_path), status=TalentImportBatch.Status.REJECTED,
            started_at=started, finished_at=timezone.now(), imported_by=_user(user),
            report={"file": file_name, "rejected": str(exc)})
        services.audit(user, "talent.import.reject", batch, after={"file": file_name, "sha256": sha,
                                                                   "reason": str(exc)})
        batch.already_imported = False
        return batch

    with transaction.atomic():
        batch = TalentImportBatch.objects.create(
            file_name=file_name[:255], sha256=sha, raw_path=str(raw_path), encoding=result.encoding,
            status=TalentImportBatch.Status.IMPORTED, started_at=started, imported_by=_user(user),
            rows_total=result.rows_total, rows_accepted=len(result.records),
            rows_quarantined=result.rows_quarantined)
        TalentQuarantinedRow.objects.bulk_create(
            [TalentQuarantinedRow(batch=batch, row_number=q.row, column=q.column[:100], value=q.value,
                                  reason=q.reason, kind=q.kind, params=q.params, raw=q.raw)
             for q in result.quarantine], batch_size=CHUNK)
        if crosswalk.catalogue != services.catalogue().id:
            result.warnings.append(f"the crosswalk {crosswalk.id} was written for {crosswalk.catalogue}, but talents "
                                   f"are placed with {services.catalogue().id}: check its codes")
        counts = _write_talents(result.records, user)
        batch.talents_created, batch.talents_updated, batch.talents_unchanged = (
            counts["created"], counts["updated"], counts["unchanged"])
        batch.finished_at = timezone.now()
        batch.report = {**result.report(), **counts, "catalogue": services.catalogue().id, "batch": batch.pk,
                        "raw_path": str(raw_path),
                        "seconds": round((batch.finished_at - started).total_seconds(), 3)}
        batch.save()
        services.audit(user, "talent.import", batch,
                       after={"file": file_name, "sha256": sha, "created": counts["created"],
                              "updated": counts["updated"], "quarantined": result.rows_quarantined})
    batch.already_imported = False
    return batch


def _known_codes() -> set[str]:
    return set(Enterprise.objects.values_list("credit_code", flat=True))


def _write_talents(records: list[dict], user) -> dict:
    """Create or update the talents of the good rows and place every new or changed one."""
    enterprises: dict[str, Enterprise] = {}
    codes = sorted({r["credit_code"] for r in records})
    for i in range(0, len(codes), CHUNK):
        enterprises.update((e.credit_code, e) for e in Enterprise.objects.filter(credit_code__in=codes[i:i + CHUNK]))
    clusters = dict(Cluster.objects.values_list("code", "id"))
    ids = [r["source_id"] for r in records]
    known: dict[str, Talent] = {}
    for i in range(0, len(ids), CHUNK):
        for personal in TalentPersonalData.objects.select_related("talent").filter(source_id__in=ids[i:i + CHUNK]):
            known[personal.source_id] = personal.talent
    created = updated = unchanged = 0
    tiers: dict[str, int] = {}
    for rec in records:
        firm = enterprises[rec["credit_code"]]
        values = {"affiliation_id": firm.pk, "field": rec["field"],
                  "cluster_id": clusters.get(rec["cluster"]) if rec["cluster"] else firm.cluster_id,
                  "titles": rec["titles"], "awards": rec["awards"], "degree": rec["degree"],
                  **{flag: rec[flag] for flag in ("two_way_post", "part_time_post", "startup_founder")}}
        talent = known.get(rec["source_id"])
        if talent is None:
            talent = Talent(affiliation_name=firm.name_zh, **values)
            talent.affiliation = firm
            talent.save()
            TalentPersonalData.objects.create(talent=talent, name="", source_id=rec["source_id"])
            created += 1
        elif any(getattr(talent, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(talent, k, v)
            talent.affiliation, talent.affiliation_name = firm, firm.name_zh
            talent.save()
            updated += 1
        else:
            unchanged += 1
            continue
        placement = services.place(talent, actor=user)
        tiers[placement.tier or ""] = tiers.get(placement.tier or "", 0) + 1
    return {"created": created, "updated": updated, "unchanged": unchanged,
            "placed_by_tier": dict(sorted(tiers.items()))}


def format_report(batch: TalentImportBatch) -> str:
    r = batch.report or {}
    lines = [f"Talent import of {batch.file_name} (batch {batch.pk})", f"  sha256 {batch.sha256}",
             f"  raw file {batch.raw_path}"]
    if getattr(batch, "already_imported", False):
        lines.append("  ALREADY IMPORTED: this exact file was imported before; nothing changed.")
    if batch.status == TalentImportBatch.Status.REJECTED:
        lines.append(f"  REJECTED, nothing imported: {r.get('rejected', '')}")
        return "\n".join(lines) + "\n"
    lines += [f"  encoding {batch.encoding}; crosswalk {r.get('crosswalk')}; catalogue {r.get('catalogue')}",
              f"  rows {batch.rows_total}: accepted {batch.rows_accepted}, quarantined {batch.rows_quarantined}, "
              f"blank skipped {r.get('blank_rows_skipped', 0)}",
              f"  talents created {batch.talents_created}, updated {batch.talents_updated}, "
              f"unchanged {batch.talents_unchanged}",
              "  placed by tier: " + (", ".join(f"{t or 'none'} {n}" for t, n in r.get("placed_by_tier", {}).items())
                                      or "-")]
    lines += [f"  warning: {w}" for w in r.get("warnings", [])]
    if r.get("quarantine_reasons"):
        lines.append("  quarantined by reason: " + ", ".join(f"{k} {v}" for k, v in r["quarantine_reasons"].items()))
    shown = list(batch.quarantine.all()[:20])
    lines += [f"    row {q.row_number} [{q.column}] {q.value!r}: {q.reason}" for q in shown]
    total = batch.quarantine.count()
    if total > len(shown):
        lines.append(f"    ... {total - len(shown)} more (--quarantine-csv writes them all)")
    return "\n".join(lines) + "\n"
