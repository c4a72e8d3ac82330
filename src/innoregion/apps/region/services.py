"""Region services: load the reference data (zones, clusters, named platforms, the indicator
catalogue) from the package's YAML into the database, idempotently."""

from __future__ import annotations

from django.db import transaction

from innoregion.apps.region.models import Cluster, Indicator, Platform, Zone
from innoregion.data.catalogue import load_catalogue, load_region

UNITS = {"money": "CNY", "count": "", "ratio": "", "flag": "", "level": "", "number": ""}


def _names(names: dict[str, str]) -> dict[str, str]:
    return {"name_zh": names["zh"], "name_ko": names.get("ko", ""), "name_en": names.get("en", "")}


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    """Create or update zones, clusters, platforms and indicators; returns counts."""
    region = load_region()
    for z in region["zones"]:
        Zone.objects.update_or_create(
            code=z["code"],
            defaults={"kind": z["kind"], "geometry": {"type": "Polygon", "coordinates": [z["polygon"]]},
                      **_names(z["names"])},
        )
    for c in region["clusters"]:
        Cluster.objects.update_or_create(
            code=c["code"], defaults={"kind": c["kind"], "industries": c["industries"], **_names(c["names"])}
        )
    zones = {z.code: z for z in Zone.objects.all()}
    for p in region["platforms"]:
        Platform.objects.update_or_create(
            code=p["code"],
            defaults={"kind": p["kind"], "level": p["level"], "host": p.get("host", ""),
                      "zone": zones.get(p.get("zone")), **_names(p["names"])},
        )
    catalogue = load_catalogue()
    for ind in catalogue.indicators.values():
        unit = "USD" if ind.code.endswith("_usd") else UNITS[ind.type]
        Indicator.objects.update_or_create(
            code=ind.code,
            defaults={"type": ind.type, "unit": unit, "min_value": ind.min, "max_value": ind.upper,
                      "sources": list(ind.sources), "authoritative_source": ind.authoritative,
                      "tolerance": ind.tolerance, "catalogue_version": catalogue.version, **_names(ind.names)},
        )
    return {"zones": Zone.objects.count(), "clusters": Cluster.objects.count(),
            "platforms": Platform.objects.count(), "indicators": Indicator.objects.count()}


@transaction.atomic
def load_platforms_csv(path) -> int:
    """Create or update platforms from a ``platforms.csv`` delivery (docs/data/department-files.md).
    Returns how many rows were loaded; a row naming an unknown zone or host firm is refused whole
    (the file is one transaction), with the row number in the message."""
    import csv
    import datetime as dt

    from innoregion.apps.region.models import Enterprise

    zones = {z.code: z for z in Zone.objects.all()}
    count = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for row_number, row in enumerate(csv.DictReader(fh), start=2):
            zone = zones.get(row["zone"]) if row.get("zone") else None
            if row.get("zone") and zone is None:
                raise ValueError(f"{path}: row {row_number}, column zone: unknown zone {row['zone']!r}")
            host_enterprise = None
            if row.get("host_credit_code"):
                host_enterprise = Enterprise.objects.filter(credit_code=row["host_credit_code"]).first()
                if host_enterprise is None:
                    raise ValueError(f"{path}: row {row_number}, column host_credit_code: "
                                     f"unknown enterprise {row['host_credit_code']!r}")
            founded = row.get("founded_year")
            Platform.objects.update_or_create(
                code=row["code"],
                defaults={"kind": row["kind"], "level": row["level"], "zone": zone,
                          "host": row.get("host_name", ""), "host_enterprise": host_enterprise,
                          "established": dt.date(int(founded), 1, 1) if founded else None,
                          "name_zh": row["name_zh"], "name_ko": row.get("name_ko", ""),
                          "name_en": row.get("name_en", "")},
            )
            count += 1
    return count
