"""Reads of the imported data: the effective (current, authoritative) value of every indicator, and
the import batches."""

from __future__ import annotations

import io

import polars as pl
from django.db import connection

from innoregion.apps.region.models import Enterprise, Filing, Indicator
from innoregion.engines.ingest import IMPORT_ORDER


def effective_values(year: int | None = None) -> pl.DataFrame:
    """Current values, one per enterprise/year/indicator: the authoritative department's value when it
    filed one, else the first in IMPORT_ORDER. Columns: credit_code, year, indicator, value, source."""
    schema = {"enterprise_id": pl.Int64, "year": pl.Int64, "indicator_id": pl.Int64, "value": pl.Float64,
              "source": pl.String}
    if connection.vendor == "postgresql":  # COPY: docs/decisions/0003-speed-bypasses.md
        sql = (f"COPY (SELECT enterprise_id, year, indicator_id, value, source FROM {Filing._meta.db_table} "
               "WHERE is_current" + (f" AND year = {int(year)}" if year is not None else "") +
               ") TO STDOUT (FORMAT csv)")
        buffer = io.BytesIO()
        with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
            for block in copy:
                buffer.write(block)
        frame = (pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(schema), schema=schema)
                 if buffer.tell() else pl.DataFrame(schema=schema))
    else:
        qs = Filing.objects.filter(is_current=True)
        if year is not None:
            qs = qs.filter(year=year)
        frame = pl.DataFrame(list(qs.values_list(*schema)), schema=schema, orient="row")
    ent_qs = Enterprise.objects.all()
    if frame.height < 10000:
        ent_qs = ent_qs.filter(id__in=frame["enterprise_id"].unique().to_list())
    enterprises = pl.DataFrame(list(ent_qs.values_list("id", "credit_code")),
                               schema={"enterprise_id": pl.Int64, "credit_code": pl.String}, orient="row")
    indicators = pl.DataFrame(list(Indicator.objects.values_list("id", "code", "authoritative_source")),
                              schema={"indicator_id": pl.Int64, "indicator": pl.String, "authoritative": pl.String},
                              orient="row")
    order = {s: i + 1 for i, s in enumerate(IMPORT_ORDER)}
    return (frame.join(enterprises, on="enterprise_id").join(indicators, on="indicator_id")
            .with_columns(
                rank=pl.when(pl.col("source") == pl.col("authoritative")).then(0)
                .otherwise(pl.col("source").replace_strict(order, default=len(order) + 1, return_dtype=pl.Int64)))
            .sort("credit_code", "year", "indicator", "rank")
            .unique(["credit_code", "year", "indicator"], keep="first", maintain_order=True)
            .select("credit_code", "year", "indicator", "value", "source"))
