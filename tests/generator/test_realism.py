"""The demo region looks like a real one: heavy tails, zero-inflated patents, R&D by cluster, growth
classes, ~5 % missing cells, a small cross-source conflict rate, consistent accounts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from innoregion.data.catalogue import load_catalogue, load_region
from innoregion.data.creditcode import is_valid

from .conftest import read_department

YEARS = list(range(2021, 2026))


def _clean(frame: pl.DataFrame, year: int, numeric: list[str], counts: list[str]) -> pl.DataFrame:
    """Rows a careful importer would keep: valid code, right year, first of duplicates, numbers parsed,
    no negative counts."""
    frame = frame.filter(pl.col("credit_code").map_elements(is_valid, return_dtype=pl.Boolean)
                         & (pl.col("year") == str(year))).unique(subset=["credit_code"], keep="first",
                                                                 maintain_order=True)
    frame = frame.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in numeric)
    if counts:
        frame = frame.filter(~pl.any_horizontal([pl.col(c).fill_null(0) < 0 for c in counts]))
    return frame


@pytest.fixture(scope="module")
def panel(demo) -> dict[str, pl.DataFrame]:
    out, _ = demo
    cat = load_catalogue()
    registry = pl.read_csv(out / "registry.csv", infer_schema_length=0)
    tables = {}
    for dept in ("tax", "ip", "hr", "stats", "self"):
        codes = [i.code for i in cat.for_source(dept)]
        counts = [i.code for i in cat.for_source(dept) if i.type == "count"]
        parts = []
        for year in YEARS:
            suffix = "xlsx" if dept == "hr" else "csv"
            parts.append(_clean(read_department(out / f"{dept}_{year}.{suffix}"), year, codes, counts))
        frame = pl.concat(parts).with_columns(pl.col("year").cast(pl.Int64))
        tables[dept] = frame.join(registry.select("credit_code", "cluster"), on="credit_code", how="inner")
    return tables


def test_revenue_is_heavy_tailed(panel):
    revenue = panel["tax"].filter(pl.col("year") == 2025)["revenue"].drop_nulls().to_numpy()
    skew = ((revenue - revenue.mean()) ** 3).mean() / revenue.std() ** 3
    assert skew > 3
    assert revenue.mean() > 2 * np.median(revenue)
    assert np.quantile(revenue, 0.99) > 50 * np.quantile(revenue, 0.25)


def test_most_firms_have_no_invention_patent_and_patents_follow_rd(panel):
    ip = panel["ip"].filter(pl.col("year") == 2025)
    patents = ip["invention_patents"].drop_nulls().to_numpy()
    assert (patents == 0).mean() > 0.6
    assert patents.max() >= 50  # some firms have many
    both = ip.join(panel["tax"].filter(pl.col("year") == 2025), on="credit_code").drop_nulls(
        ["invention_patents", "rd_expense"])
    rank_p = both["invention_patents"].rank().to_numpy()
    rank_r = both["rd_expense"].rank().to_numpy()
    assert np.corrcoef(rank_p, rank_r)[0, 1] > 0.3
    assert (ip["high_value_patents"] <= ip["invention_patents"]).all()


def test_rd_intensity_by_cluster(panel):
    tax = panel["tax"].filter((pl.col("revenue") > 0) & (pl.col("rd_expense") > 0))
    med = tax.group_by("cluster").agg((pl.col("rd_expense") / pl.col("revenue")).median().alias("m"))
    ranges = {c["code"]: c["rd_intensity"] for c in load_region()["clusters"]}
    for cluster, m in med.iter_rows():
        lo, hi = ranges[cluster]
        assert lo * 0.8 <= m <= hi * 1.3, (cluster, m)
    by = dict(med.iter_rows())
    assert by["future-industries"] > by["new-materials"]


def test_accounts_are_consistent(panel):
    tax = panel["tax"]
    checks = {
        "main": pl.col("main_business_revenue") <= pl.col("revenue"),
        "high_tech": pl.col("high_tech_revenue") <= pl.col("revenue"),
        "domestic": pl.col("rd_expense_domestic") <= pl.col("rd_expense"),
        "liabilities": pl.col("total_liabilities") <= pl.col("total_assets") * 1.0001,
    }
    for name, expr in checks.items():
        assert tax.select(expr.drop_nulls().all()).item(), name
    losses = tax.select((pl.col("net_profit") < 0).mean()).item()
    assert 0.05 < losses < 0.5


def test_staff_ratios(panel):
    hr = panel["hr"].drop_nulls(["employees", "tech_staff", "rd_staff", "graduate_staff"])
    assert hr.select((pl.col("tech_staff") <= pl.col("employees")).all()).item()
    assert hr.select((pl.col("rd_staff") <= pl.col("tech_staff")).all()).item()
    assert hr.select((pl.col("graduate_staff") <= pl.col("employees")).all()).item()
    share = hr.select((pl.col("tech_staff") / pl.col("employees")).median()).item()
    assert 0.1 < share < 0.6


def test_growth_classes(panel, demo):
    out, manifest = demo
    registry = pl.read_csv(out / "registry.csv", infer_schema_length=0)
    settled = registry.filter(pl.col("founded") < "2020-01-01")["credit_code"].to_list()  # past start-up ramp
    rev = panel["tax"].filter(pl.col("year").is_in([2022, 2025]) & pl.col("credit_code").is_in(settled))
    rev = rev.drop_nulls("revenue")
    wide = rev.pivot(on="year", index="credit_code", values="revenue").drop_nulls()
    cagr = ((wide["2025"] / wide["2022"]) ** (1 / 3) - 1).to_numpy()
    assert 0.01 < (cagr > 0.20).mean() < 0.12  # gazelles
    assert 0.05 < (cagr < 0).mean() < 0.35     # shrinking
    assert 0.0 < np.median(cagr) < 0.15        # most grow modestly
    assert manifest["counts"]["unicorn_candidates"] == 2
    self_ = panel["self"]
    unicorns = self_.filter(pl.col("valuation_usd") >= 1e9)["credit_code"].unique()
    assert 1 <= unicorns.len() <= 2
    assert self_.filter(pl.col("credit_code").is_in(unicorns.to_list()))["equity_financing"].max() > 1e8


def test_about_five_percent_missing(demo):
    out, _ = demo
    blank = total = 0
    # certificate details are blank by design for firms without a valid HNTE certificate
    not_applicable = ["hnte_recognised_year", "hnte_first_year", "hnte_field"]
    for dept, suffix in (("tax", "csv"), ("ip", "csv"), ("hr", "xlsx")):
        frame = read_department(out / f"{dept}_2024.{suffix}").drop("credit_code", "year")
        frame = frame.drop([c for c in not_applicable if c in frame.columns])
        blank += sum(frame[c].null_count() for c in frame.columns)
        total += frame.height * frame.width
    assert 0.04 < blank / total < 0.06


def test_cross_source_conflict_rate(panel, demo):
    _, manifest = demo
    cat = load_catalogue()
    stats = panel["stats"]
    rates = []
    for code, auth in (("revenue", "tax"), ("rd_expense", "tax"), ("employees", "hr")):
        tol = cat.indicators[code].tolerance
        both = stats.select("credit_code", "year", pl.col(code).alias("s")).join(
            panel[auth].select("credit_code", "year", pl.col(code).alias("a")), on=["credit_code", "year"]
        ).drop_nulls()
        s_, a_ = both["s"].to_numpy(), both["a"].to_numpy()
        diff = np.abs(s_ - a_) / np.maximum(np.maximum(np.abs(s_), np.abs(a_)), 1e-9)
        conflicts = int((diff > tol).sum())
        equal = int((diff == 0).sum())
        assert equal + conflicts == both.height  # never a small, tolerated difference
        rates.append(conflicts / both.height)
        planted = sum(v[code] for v in manifest["conflicts"].values())
        assert abs(conflicts - planted) <= 0.1 * planted + 3
    assert all(0.005 < r < 0.03 for r in rates), rates


def test_stats_survey_covers_large_firms(panel):
    tax25 = panel["tax"].filter(pl.col("year") == 2025)
    big = tax25.filter(pl.col("revenue") >= 2e7)["credit_code"]
    surveyed = set(panel["stats"].filter(pl.col("year") == 2025)["credit_code"])
    assert np.mean([c in surveyed for c in big]) > 0.9
    assert len(surveyed) < tax25.height


def test_certificates_lists_and_recognitions_are_consistent(panel, demo):
    _, manifest = demo
    tax, ip, stats, self_ = panel["tax"], panel["ip"], panel["stats"], panel["self"]
    n = tax.filter(pl.col("year") == 2025).height
    # HNTE certificate years: present only with a certificate, first <= current <= year, 3-year cycles
    cert = tax.drop_nulls(["hnte_certified", "hnte_recognised_year", "hnte_first_year"])
    assert cert.height > 0 and (cert["hnte_certified"] == 1).all()
    assert cert.select(((pl.col("hnte_first_year") <= pl.col("hnte_recognised_year"))
                        & (pl.col("hnte_recognised_year") <= pl.col("year"))
                        & ((pl.col("hnte_recognised_year") - pl.col("hnte_first_year")) % 3 == 0)).all()).item()
    uncertified = tax.filter(pl.col("hnte_certified") == 0)
    assert uncertified["hnte_recognised_year"].null_count() == uncertified.height
    assert uncertified["hnte_field"].null_count() == uncertified.height  # the schedule is not filed
    share = tax.filter(pl.col("year") == 2025)["hnte_certified"].mean()
    assert 0.05 < share < 0.4
    # rare negative lists, more often for shrinking firms; most firms privately funded
    y25 = tax.filter(pl.col("year") == 2025)
    assert 0 < y25["abnormal_operation"].sum() < 0.05 * n
    assert y25["private_funded"].mean() > 0.8
    assert 0 < y25["restricted_products"].sum() < 0.05 * n
    # in-house I-class IP never exceeds the I-class stock; S&T spending covers R&D
    both = ip.drop_nulls(["ip_class1_self", "invention_patents", "class1_other_ip"])
    assert (both["ip_class1_self"] <= both["invention_patents"] + both["class1_other_ip"]).all()
    assert both["ip_class1_self"].sum() > 0
    st = stats.drop_nulls(["st_activity_expense", "rd_expense"])
    assert (st["st_activity_expense"] >= st["rd_expense"] * 0.999).mean() > 0.97  # conflicts move rd_expense
    # platform recognitions are rare and come with a provincial or national R&D institution
    new = stats.filter((pl.col("new_national_platform") == 1) | (pl.col("new_provincial_platform") == 1))
    assert new.height < 0.02 * n
    assert (new["rd_institution_level"].drop_nulls() >= 2).all()
    # award flags agree with the declared award level
    s = self_.drop_nulls(["st_award_level", "award_top3_3y", "provincial_award_top3_3y", "national_award_top5_3y"])
    assert s.filter((pl.col("award_top3_3y") == 1) & (pl.col("st_award_level") == 0)).height == 0
    assert s.filter((pl.col("provincial_award_top3_3y") == 1) & (pl.col("st_award_level") != 1)).height == 0
    assert s.filter((pl.col("national_award_top5_3y") == 1) & (pl.col("st_award_level") != 2)).height == 0
    assert 0 < s["award_top3_3y"].sum() < s.filter(pl.col("st_award_level") > 0).height
    m = self_.drop_nulls(["maker_china_top50_3y", "maker_china_top500_3y"])
    assert (m["maker_china_top50_3y"] <= m["maker_china_top500_3y"]).all()
