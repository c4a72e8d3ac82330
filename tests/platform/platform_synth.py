"""Synthetic filings for every catalogue indicator (two years), enough for a real scoring run."""

from __future__ import annotations

import numpy as np
from django.utils import timezone


def synth_filings(enterprises, years=(2024, 2025), seed: int = 7) -> int:
    from innoregion.apps.imports.models import ImportBatch
    from innoregion.apps.region.models import Filing, Indicator

    rng = np.random.default_rng(seed)
    batches = {}
    rows = []
    have = set(Filing.objects.filter(is_current=True).values_list("enterprise_id", "year", "indicator_id", "source"))
    size = {e.pk: rng.lognormal(16.5, 1.4) for e in enterprises}
    for ind in Indicator.objects.all():
        src = ind.authoritative_source
        if src not in batches:
            batches[src] = ImportBatch.objects.create(
                source=src, file_name=f"{src}-synthetic.csv", sha256=f"{len(batches) + 100:064d}", raw_path="",
                status="imported", started_at=timezone.now())
        for year in years:
            for e in enterprises:
                s = size[e.pk] * (1 + 0.1 * (year - years[0]))
                if ind.type == "money":
                    v = s * rng.uniform(0.01, 1.0)
                elif ind.type == "count":
                    v = float(rng.poisson(max(1.0, s / 2e6)))
                elif ind.type == "ratio":
                    v = float(rng.uniform(0, 1))
                elif ind.type == "flag":
                    v = float(rng.random() < (0.02 if ind.code in ("safety_incident", "research_misconduct",
                                                                     "dishonest_debtor") else 0.3))
                else:
                    v = float(rng.integers(0, int(ind.max_value) + 1))
                v = min(max(v, ind.min_value), ind.max_value)
                if (e.pk, year, ind.pk, src) in have:
                    continue
                rows.append(Filing(enterprise=e, year=year, indicator=ind, source=src, value=v, batch=batches[src],
                                   row_number=len(rows) + 2))
    Filing.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
