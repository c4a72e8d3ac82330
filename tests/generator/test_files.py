"""Every file of a delivery decodes in its declared encoding and follows docs/data/department-files.md;
credit codes are valid except the planted bad ones, whose counts match the manifest."""

from __future__ import annotations

import hashlib
import json
import re

import polars as pl
import pytest
from openpyxl import load_workbook

from innoregion.data.catalogue import load_catalogue, load_region
from innoregion.data.creditcode import is_valid
from innoregion.generator.model import INDUSTRY_CLASSES

from .conftest import read_department

YEARS = range(2021, 2026)


def test_file_list_and_hashes(demo):
    out, manifest = demo
    names = {f["name"] for f in manifest["files"]}
    expected = {"registry.csv", "platforms.csv", "talents.csv"}
    for year in YEARS:
        expected |= {f"tax_{year}.csv", f"ip_{year}.csv", f"hr_{year}.xlsx", f"stats_{year}.csv",
                     f"self_{year}.csv"}
    assert expected <= names
    for entry in manifest["files"]:
        data = (out / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
        assert len(data) == entry["bytes"]
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["seed"] == 7 and on_disk["enterprises"] == 3000 and on_disk["years"] == list(YEARS)


def test_encodings(demo):
    out, _ = demo
    for year in YEARS:
        tax = (out / f"tax_{year}.csv").read_bytes()
        with pytest.raises(UnicodeDecodeError):
            tax.decode("utf-8")  # Chinese header in GB18030 is not UTF-8
        assert tax.decode("gb18030").startswith("统一社会信用代码,年度,营业收入,")
        ip = (out / f"ip_{year}.csv").read_bytes()
        assert ip.startswith(b"\xef\xbb\xbfcredit_code,year,invention_patents,")
        ip.decode("utf-8")
        for name, start in ((f"stats_{year}.csv", "credit_code,year,revenue,"),
                            (f"self_{year}.csv", "统一社会信用代码,年度,当年股权融资额,")):
            text = (out / name).read_bytes().decode("utf-8")
            assert text.startswith(start), name
        wb = load_workbook(out / f"hr_{year}.xlsx", read_only=True)
        assert wb.sheetnames == ["参保职工"]
        header = next(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        assert header[:3] == ("统一社会信用代码", "年度", "参保人数")
    for name in ("registry.csv", "platforms.csv", "talents.csv"):
        raw = (out / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")


def test_headers_cover_the_catalogue(demo):
    out, _ = demo
    cat = load_catalogue()
    for dept in ("tax", "ip", "hr", "stats", "self"):
        suffix = "xlsx" if dept == "hr" else "csv"
        frame = read_department(out / f"{dept}_2023.{suffix}")
        assert frame.columns == ["credit_code", "year", *[i.code for i in cat.for_source(dept)]]


def test_registry(demo):
    out, manifest = demo
    reg = pl.read_csv(out / "registry.csv", infer_schema_length=0)
    assert reg.columns == list(load_catalogue().registry_columns)
    assert reg.height == 3000 == manifest["counts"]["enterprises"]
    assert reg["credit_code"].n_unique() == 3000 and all(is_valid(c) for c in reg["credit_code"])
    assert reg["name_zh"].n_unique() == 3000
    assert all(re.fullmatch(r"长春\w+(有限公司|有限责任公司)", n) for n in reg["name_zh"])
    assert 0.25 < reg["name_ko"].is_not_null().mean() < 0.35
    assert 0.55 < reg["name_en"].is_not_null().mean() < 0.65
    region = load_region()
    clusters = {c["code"]: c["industries"] for c in region["clusters"]}
    zones = {z["code"] for z in region["zones"]}
    for row in reg.iter_rows(named=True):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["founded"])
        assert any(row["industry"] in INDUSTRY_CLASSES[p] and row["industry"].startswith(p)
                   for p in clusters[row["cluster"]]), row
        assert re.fullmatch(r"[A-T]\d{4}", row["industry"])
        assert row["zone"] in zones
        assert row["listed"] in ("0", "1") and row["status"] in ("active", "suspended", "deregistered")


def _planted_in(frame: pl.DataFrame, year: int, registry: set[str], dept: str) -> dict[str, int]:
    cat = load_catalogue()
    inds = cat.for_source(dept)
    valid = frame["credit_code"].map_elements(is_valid, return_dtype=pl.Boolean)
    found = {
        "invalid_credit_code": int((~valid).sum()),
        "unknown_enterprise": int((valid & ~frame["credit_code"].is_in(list(registry))).sum()),
        "duplicate_row": frame.height - frame.unique().height,
        "year_mismatch": int((frame["year"] != str(year)).sum()),
    }
    money = [i.code for i in inds if i.type == "money"]
    counts = [i.code for i in inds if i.type == "count"]
    ratios = [i.code for i in inds if i.type == "ratio"]
    if money:
        text = [pl.col(c).is_not_null() & pl.col(c).cast(pl.Float64, strict=False).is_null() for c in money]
        found["text_in_money"] = int(frame.select(pl.any_horizontal(text)).to_series().sum())
        for c in money:
            texts = frame.filter(pl.col(c).is_not_null() & pl.col(c).cast(pl.Float64, strict=False).is_null())[c]
            assert texts.str.contains(r"^约\d+万$").all(), texts.to_list()
    if counts:
        negative = [pl.col(c).cast(pl.Float64, strict=False) < 0 for c in counts]
        found["negative_count"] = int(frame.select(pl.any_horizontal(negative)).to_series().sum())
    if ratios:
        above = [pl.col(c).cast(pl.Float64, strict=False) > 1 for c in ratios]
        found["ratio_above_one"] = int(frame.select(pl.any_horizontal(above)).to_series().sum())
    return found


def test_planted_bad_rows_match_manifest(demo):
    out, manifest = demo
    registry = set(pl.read_csv(out / "registry.csv", infer_schema_length=0)["credit_code"])
    total_rows = total_bad = 0
    for entry in manifest["files"]:
        if entry["department"] in (None, "registry"):
            continue
        frame = read_department(out / entry["name"])
        assert frame.height == entry["rows"], entry["name"]
        found = _planted_in(frame, entry["year"], registry, entry["department"])
        planted = manifest["bad_rows"][entry["name"]]
        assert found == planted, entry["name"]
        assert all(v >= 1 for v in planted.values()), entry["name"]  # every kind shows up
        total_rows += frame.height
        total_bad += sum(planted.values())
    assert 0.001 < total_bad / total_rows < 0.006


def test_every_other_code_is_valid_and_registered(demo):
    out, manifest = demo
    registry = set(pl.read_csv(out / "registry.csv", infer_schema_length=0)["credit_code"])
    for name in ("talents.csv", "platforms.csv"):
        frame = pl.read_csv(out / name, infer_schema_length=0)
        column = "affiliation_credit_code" if name == "talents.csv" else "host_credit_code"
        codes = frame[column].drop_nulls()
        assert codes.len() > 0 and all(c in registry for c in codes), name
    talents = pl.read_csv(out / "talents.csv", infer_schema_length=0)
    assert talents.height == 300 and talents["talent_id"].n_unique() == 300
    assert {"0", "1"} == set(talents["two_way_post"]) == set(talents["startup_founder"])
    platforms = pl.read_csv(out / "platforms.csv", infer_schema_length=0)
    seed_codes = [p["code"] for p in load_region()["platforms"]]
    assert platforms["code"].head(len(seed_codes)).to_list() == seed_codes
    kinds = set(load_region()["platform_kinds"])
    assert set(platforms["kind"]) <= kinds and "incubator" in set(platforms["kind"])
    assert platforms["name_zh"].n_unique() == platforms.height
