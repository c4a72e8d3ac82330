"""``audit.record(...)``: the one way to write the append-only audit log (for every app)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import connection, models
from django.utils import timezone

from innoregion.apps.access.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def snapshot(obj: models.Model | None, fields: list[str] | None = None) -> dict | None:
    """The concrete field values of ``obj`` (foreign keys as ids), JSON-ready."""
    if obj is None:
        return None
    out = {}
    for f in obj._meta.concrete_fields:
        if fields and f.name not in fields:
            continue
        out[f.attname] = _jsonable(getattr(obj, f.attname))
    return out


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system" if actor is None else "anonymous"}
    return {"actor": actor, "actor_label": actor.get_username()}


def record(actor, action: str, obj: models.Model | None = None, *, object_type: str | None = None,
           object_id: Any = None, enterprise=None, before: Any = None, after: Any = None,
           consent=None, bank=None) -> AuditEntry:
    """Append one entry. ``obj`` gives type and id (else ``object_type``/``object_id``);
    ``enterprise`` is whose data it concerns (so the enterprise sees it in its access log);
    ``consent`` is the consent a bank read happened under."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if enterprise is None and obj._meta.label_lower == "region.enterprise":
            enterprise = obj
        elif enterprise is None and hasattr(obj, "enterprise_id"):
            enterprise = obj.enterprise_id
    if bank is None and consent is not None:
        bank = consent.bank_id
    return AuditEntry.objects.create(
        action=action, object_type=object_type or "", object_id="" if object_id is None else str(object_id),
        enterprise_id=enterprise.pk if isinstance(enterprise, models.Model) else enterprise,
        consent_id=consent.pk if isinstance(consent, models.Model) else consent,
        bank_id=bank.pk if isinstance(bank, models.Model) else bank,
        before=_jsonable(before), after=_jsonable(after), **_actor_fields(actor),
    )


def record_reads(actor, bank_id: int | None, action: str, consents_by_enterprise: dict[int, Any]) -> int:
    """One entry per enterprise whose data was read (by a bank: under which consent; by an official:
    consent ``None`` and ``bank_id`` ``None``), in one insert.

    On PostgreSQL the rows go in as two arrays (``INSERT ... SELECT ... FROM unnest(ids, consents)``):
    the ORM's ``bulk_create`` prepares every field of every row in Python, ≈ 4 ms of CPU for the 50
    rows of one page of the bank list, the arrays ≈ 0.7 ms. Same rows either way."""
    if not consents_by_enterprise:
        return 0
    fields = _actor_fields(actor)
    consents = {eid: (cid.pk if isinstance(cid, models.Model) else cid)
                for eid, cid in consents_by_enterprise.items()}
    if connection.vendor == "postgresql":
        _insert_reads_postgresql(fields, bank_id, action, consents)
        return len(consents)
    now = timezone.now()
    rows = [AuditEntry(at=now, action=action, object_type="region.enterprise", object_id=str(eid),
                       enterprise_id=eid, consent_id=cid, bank_id=bank_id, **fields)
            for eid, cid in consents.items()]
    AuditEntry.objects.bulk_create(rows)
    return len(rows)


def _insert_reads_postgresql(fields: dict, bank_id: int, action: str, consents: dict[int, Any]) -> None:
    meta, quote = AuditEntry._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in (
        "at", "actor", "actor_label", "bank", "action", "object_type", "object_id", "enterprise", "consent"))
    actor = fields["actor"]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
           "SELECT %s, %s, %s, %s, %s, %s, e::text, e, c FROM unnest(%s::bigint[], %s::bigint[]) AS r(e, c)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), actor.pk if actor is not None else None, fields["actor_label"],
                             bank_id, action, "region.enterprise", list(consents), list(consents.values())])
