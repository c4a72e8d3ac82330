"""The facts table: one row per enterprise-year, flat columns the rule packs read.

Columns come from three places (all documented in docs/rules/facts.md):

* **catalogue** — indicators of the region catalogue (src/innoregion/data/catalogue.yaml), same code;
* **derived** — computed by :func:`build_facts`: lags (``revenue_prev1`` …), sums (``ip_class1``),
  windows (``equity_financing_2y``), the enterprise's age and listing from the register;
* **extra** — facts the catalogue does not hold (the SME size class); read from the filings or the
  register under the same code when present, otherwise derived or unknown (null).

Unknown stays unknown: a value not filed is null, never 0 — except the years before the enterprise
was founded, where flows (revenue, R&D …) are 0 because the enterprise did not exist, and the
list-derived columns a caller closes with ``assume_absent`` (:func:`catalogue_lists` names the
catalogue's ``absent_means: 0`` indicators, the default of the database facts).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from innoregion.data.catalogue import load_catalogue

UNITS = {"money": "CNY", "count": "count", "ratio": "ratio 0–1", "flag": "0/1", "level": "level",
         "number": "number"}


@dataclass(frozen=True)
class FactColumn:
    name: str
    unit: str
    meaning: str
    origin: str  # catalogue | derived | extra | key


def _catalogue_columns() -> dict[str, FactColumn]:
    cat = load_catalogue()
    out = {}
    for code, ind in cat.indicators.items():
        unit = "USD" if code.endswith("_usd") else UNITS.get(ind.type, ind.type)
        if ind.type == "number" and code.endswith("_year"):
            unit = "year"
        if ind.levels:
            unit = "level " + ", ".join(f"{k} {v}" for k, v in sorted(ind.levels.items()))
        out[code] = FactColumn(code, unit, ind.names["en"], "catalogue")
    return out


# column -> number of previous years kept as lags ``<column>_prev1`` … ``_prevN``
LAGS = {
    "revenue": 3,
    "main_business_revenue": 2,
    "rd_expense": 2,
    "rd_expense_domestic": 2,
    "employees": 3,
    "net_assets": 2,
    "ip_transformations": 2,
    "equity_financing": 2,
    "standards_led": 4,
}
# flows are 0 in the years before the enterprise was founded; stocks (employees, net assets) too
ZERO_BEFORE_FOUNDING = set(LAGS)

EXTRA = {
    "sme": ("0/1", "Small or medium enterprise under the 2011 size classification; derived when not filed "
                   "as employees < 1,000 or revenue < ¥400 M (the industrial thresholds)"),
}

DERIVED = {
    "age_years": ("years", "year − year founded (register 'founded'); 0 in the founding year"),
    "listed": ("0/1", "Listed on a stock exchange (register 'listed')"),
    "net_assets": ("CNY", "total_assets − total_liabilities"),
    "ip_class1": ("count", "I-class IP: invention_patents + class1_other_ip"),
    "ip_class2": ("count", "II-class IP: utility_patents + design_patents + software_copyrights"),
    "equity_financing_2y": ("CNY", "equity_financing + equity_financing_prev1 (new equity, 2 years)"),
    "equity_financing_3y": ("CNY", "equity_financing over the last 3 years"),
    "standards_led_5y": ("count", "standards_led over the last 5 years"),
}


def _all_columns() -> dict[str, FactColumn]:
    cols = {
        "credit_code": FactColumn("credit_code", "text", "Unified social credit code", "key"),
        "year": FactColumn("year", "year", "Year the facts describe (filing year)", "key"),
    }
    cols.update(_catalogue_columns())
    for name, (unit, meaning) in DERIVED.items():
        cols[name] = FactColumn(name, unit, meaning, "derived")
    for base, n in LAGS.items():
        unit = cols[base].unit if base in cols else "CNY"
        for k in range(1, n + 1):
            name = f"{base}_prev{k}"
            cols[name] = FactColumn(name, unit, f"{base} of year − {k} (0 before founding)", "derived")
    for name, (unit, meaning) in EXTRA.items():
        cols.setdefault(name, FactColumn(name, unit, meaning, "extra"))
    return cols


FACT_COLUMNS: dict[str, FactColumn] = _all_columns()
NUMERIC = [c for c, f in FACT_COLUMNS.items() if f.origin != "key"]


def ensure_columns(facts: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Add every facts column the table lacks as unknown (null) and cast numbers to Float64."""
    lf = facts.lazy()
    have = set(lf.collect_schema().names())
    missing = [pl.lit(None, dtype=pl.Float64).alias(c) for c in NUMERIC if c not in have]
    casts = [pl.col(c).cast(pl.Float64) for c in NUMERIC if c in have]
    return lf.with_columns([*missing, *casts, pl.col("credit_code").cast(pl.String),
                            pl.col("year").cast(pl.Int32)])


def catalogue_lists() -> tuple[str, ...]:
    """Facts columns the catalogue marks ``absent_means: 0``: the department files the complete list, so
    an enterprise without a value is not on it. Callers that build facts from a region's filings (the
    database) pass these as ``assume_absent``; the engine itself assumes nothing."""
    return tuple(c for c in load_catalogue().absent_means_zero if c in FACT_COLUMNS)


def assume_absent_exprs(columns, have: set[str] | None = None) -> list[pl.Expr]:
    """Closed-world facts: for these columns a value that was not filed counts as 0 (not on the list)."""
    cols = list(columns or ())
    unknown = [c for c in cols if c not in FACT_COLUMNS or FACT_COLUMNS[c].origin == "key"]
    if unknown:
        raise ValueError(f"assume_absent: unknown facts columns {unknown}")
    return [pl.col(c).fill_null(0.0) for c in cols if have is None or c in have]


def build_facts(filings: pl.DataFrame, enterprises: pl.DataFrame, years: list[int] | None = None,
                assume_absent: tuple[str, ...] | list[str] = ()) -> pl.DataFrame:
    """Facts table from a long filings table and the enterprise register.

    ``filings``: credit_code, year, indicator, value (one value per key; when several departments
    filed the same indicator the importer has already resolved it — here the last row wins).
    ``enterprises``: credit_code, founded (date, or year as a number), optional listed (bool/0/1) and
    optional extra facts columns. ``years``: restrict the output to these years (lags still use the
    earlier years). ``assume_absent``: columns where "not filed" means 0 — only for list-type facts
    when the complete list was loaded (e.g. ``abnormal_operation`` from the market regulator's list);
    by default nothing is assumed and a fact not filed stays unknown. Returns one row per enterprise
    and year with every column of FACT_COLUMNS.
    """
    f = filings.select(
        pl.col("credit_code").cast(pl.String), pl.col("year").cast(pl.Int32),
        pl.col("indicator").cast(pl.String), pl.col("value").cast(pl.Float64),
    )
    wide = f.pivot(on="indicator", index=["credit_code", "year"], values="value", aggregate_function="last")
    ent = enterprises
    founded = ent.schema.get("founded")
    if founded in (pl.Date, pl.Datetime):
        fy = pl.col("founded").dt.year()
    elif founded == pl.String:
        fy = pl.col("founded").str.slice(0, 4).cast(pl.Int32, strict=False)
    else:
        fy = pl.col("founded")
    reg_cols = [pl.col("credit_code").cast(pl.String), fy.cast(pl.Int32).alias("_founded")]
    if "listed" in ent.columns:
        reg_cols.append(pl.col("listed").cast(pl.Float64).alias("_listed"))
    extras_in_reg = [c for c in ent.columns if c in FACT_COLUMNS and c not in ("credit_code", "year", "listed")]
    reg_cols += [pl.col(c).cast(pl.Float64).alias(f"_reg_{c}") for c in extras_in_reg]
    reg = ent.select(reg_cols)
    df = wide.join(reg, on="credit_code", how="left")
    for c in NUMERIC:
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
    df = df.with_columns(pl.col(c).cast(pl.Float64) for c in NUMERIC)
    df = df.with_columns(assume_absent_exprs(assume_absent))
    # register facts
    df = df.with_columns(
        (pl.col("year") - pl.col("_founded")).cast(pl.Float64).alias("age_years"),
        (pl.col("_listed") if "_listed" in df.columns else pl.lit(None, dtype=pl.Float64)).alias("listed"),
        *[pl.coalesce(pl.col(c), pl.col(f"_reg_{c}")).alias(c) for c in extras_in_reg],
    )
    df = df.with_columns(
        (pl.col("total_assets") - pl.col("total_liabilities")).alias("net_assets"),
        (pl.col("invention_patents") + pl.col("class1_other_ip")).alias("ip_class1"),
        (pl.col("utility_patents") + pl.col("design_patents") + pl.col("software_copyrights")).alias("ip_class2"),
    )
    # lags: self-join on year + k; years before founding are 0
    base = df.select("credit_code", "year", *LAGS.keys())
    for col, n in LAGS.items():
        for k in range(1, n + 1):
            lag = base.select("credit_code", (pl.col("year") + k).cast(pl.Int32).alias("year"),
                              pl.col(col).alias("_lag"))
            name = f"{col}_prev{k}"
            df = df.drop(name).join(lag, on=["credit_code", "year"], how="left").with_columns(
                pl.when((pl.col("year") - k) < pl.col("_founded")).then(0.0).otherwise(pl.col("_lag"))
                .alias(name)
            ).drop("_lag")
    df = df.with_columns(
        (pl.col("equity_financing") + pl.col("equity_financing_prev1")).alias("equity_financing_2y"),
        (pl.col("equity_financing") + pl.col("equity_financing_prev1") + pl.col("equity_financing_prev2"))
        .alias("equity_financing_3y"),
        (pl.col("standards_led") + pl.col("standards_led_prev1") + pl.col("standards_led_prev2")
         + pl.col("standards_led_prev3") + pl.col("standards_led_prev4")).alias("standards_led_5y"),
        pl.coalesce(pl.col("sme"), pl.when(pl.col("employees").is_null() & pl.col("revenue").is_null()).then(None)
                    .otherwise(((pl.col("employees") < 1000) | (pl.col("revenue") < 4e8)).cast(pl.Float64)))
        .alias("sme"),
    )
    if years is not None:
        df = df.filter(pl.col("year").is_in(years))
    return df.select("credit_code", "year", *NUMERIC).sort("credit_code", "year")
