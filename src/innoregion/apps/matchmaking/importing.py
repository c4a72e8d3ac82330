"""Load a published scenario list and capability list (``scenarios.csv``, ``capabilities.csv`` of a
delivery: docs/data/department-files.md) into the database, idempotently: a row's ``id`` becomes the
record's ``source_ref``, so loading the same list again updates instead of duplicating. A file is
one transaction; a row that names an unknown enterprise, cluster or zone, or has bad text, refuses
the file with its row and column."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from innoregion.apps.matchmaking.models import Capability, Scenario
from innoregion.apps.matchmaking.services import check_text
from innoregion.apps.region.models import Cluster, Enterprise, Zone
from innoregion.engines.matching.errors import MatchingError


class ListFileError(ValueError):
    pass


def _rows(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from enumerate(csv.DictReader(fh), start=2)


def _lookup(table: dict, value: str, where: str):
    if not value:
        return None
    try:
        return table[value]
    except KeyError:
        raise ListFileError(f"{where}: unknown {value!r}") from None


def _decimal(value: str, where: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ListFileError(f"{where}: {value!r} is not a number") from None


def _text(value: str, where: str) -> str:
    try:
        check_text(value)
    except MatchingError as exc:
        raise ListFileError(f"{where}: {exc}") from None
    return value


@transaction.atomic
def load_scenarios_csv(path: str | Path, published_on: dt.date | None = None) -> int:
    path = Path(path)
    clusters = {c.code: c for c in Cluster.objects.all()}
    zones = {z.code: z for z in Zone.objects.all()}
    today = published_on or dt.date.today()
    count = 0
    for row_number, row in _rows(path):
        at = f"{path.name}, row {row_number}"
        days = row.get("deadline_days")
        Scenario.objects.update_or_create(
            source_ref=row["id"],
            defaults={
                "title": _text(row["title"], f"{at}, column title"),
                "description": _text(row["description"], f"{at}, column description"),
                "owner_organisation": row.get("owner_organisation", ""),
                "cluster": _lookup(clusters, row.get("cluster", ""), f"{at}, column cluster"),
                "zone": _lookup(zones, row.get("zone", ""), f"{at}, column zone"),
                "budget_min": _decimal(row.get("budget_min", ""), f"{at}, column budget_min"),
                "budget_max": _decimal(row.get("budget_max", ""), f"{at}, column budget_max"),
                "deadline": today + dt.timedelta(days=int(days)) if days else None,
                "language": row.get("language", ""),
                "status": Scenario.Status.PUBLISHED,
            },
        )
        count += 1
    return count


@transaction.atomic
def load_capabilities_csv(path: str | Path) -> int:
    path = Path(path)
    count = 0
    rows = list(_rows(path))
    codes = {row["enterprise_code"] for _, row in rows}
    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    for row_number, row in rows:
        at = f"{path.name}, row {row_number}"
        try:
            maturity = int(row["trl"])
        except (KeyError, ValueError):
            raise ListFileError(f"{at}, column trl: {row.get('trl')!r} is not a TRL from 1 to 9") from None
        if not 1 <= maturity <= 9:
            raise ListFileError(f"{at}, column trl: {maturity} is not a TRL from 1 to 9")
        Capability.objects.update_or_create(
            source_ref=row["id"],
            defaults={
                "enterprise": _lookup(enterprises, row["enterprise_code"], f"{at}, column enterprise_code"),
                "title": _text(row["title"], f"{at}, column title"),
                "description": _text(row["description"], f"{at}, column description"),
                "keywords": [k for k in row.get("keywords", "").split(";") if k],
                "maturity": maturity,
                "references": row.get("references", ""),
                "language": row.get("language", ""),
                "status": Capability.Status.PUBLISHED,
            },
        )
        count += 1
    return count
