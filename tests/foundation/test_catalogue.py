import math

import pytest

from innoregion.data.catalogue import SOURCES, load_catalogue, load_region


def test_every_department_but_the_register_files_indicators():
    cat = load_catalogue()
    for source in SOURCES:
        if source == "registry":
            assert cat.for_source(source) == []
        else:
            assert cat.for_source(source), source


def test_names_in_three_languages_and_sane_ranges():
    for ind in load_catalogue().indicators.values():
        assert set(ind.names) == {"zh", "ko", "en"}, ind.code
        assert all(ind.names.values()), ind.code
        assert ind.upper > ind.min, ind.code


def test_header_map_accepts_codes_chinese_names_and_aliases():
    mapping = load_catalogue().header_map("tax")
    assert mapping["revenue"] == "revenue"
    assert mapping["营业收入"] == "revenue"
    assert mapping["研究开发费用"] == "rd_expense"
    assert mapping["统一社会信用代码"] == "credit_code"
    assert "有效发明专利" not in mapping  # an IP-office column is not a tax column


@pytest.mark.parametrize(
    ("code", "value", "problem"),
    [
        ("invention_patents", -1, "outside the valid range"),
        ("invention_patents", 2.5, "whole number"),
        ("national_market_share", 1.2, "outside the valid range"),
        ("own_brand", 1, None),
        ("net_profit", -5e6, None),
        ("revenue", math.nan, "not a number"),
        ("rd_institution_level", 4, "outside the valid range"),
    ],
)
def test_indicator_checks(code, value, problem):
    result = load_catalogue().indicators[code].check(value)
    if problem is None:
        assert result is None
    else:
        assert problem in result


def test_region_reference_data_names_the_seed_places():
    region = load_region()
    assert {z["kind"] for z in region["zones"]} == {"zone", "core", "circle"}
    assert len([z for z in region["zones"] if z["kind"] == "zone"]) == 3
    assert len(region["clusters"]) == 5
    names = " ".join(p["names"]["en"] for p in region["platforms"])
    for expected in ["Polymer", "Jilin-1", "Hongqi", "Rare Earth", "Starlight", "Beihu Fund Town",
                     "Proof-of-concept"]:
        assert expected in names
    for zone in region["zones"]:
        ring = zone["polygon"]
        assert ring[0] == ring[-1] and len(ring) >= 4


def test_absent_means_marks_list_derived_indicators():
    from innoregion.data.catalogue import CatalogueError, _parse_catalogue

    cat = load_catalogue()
    lists = set(cat.absent_means_zero)
    assert {"abnormal_operation", "safety_incident", "dishonest_debtor", "research_misconduct", "innovation_title",
            "maker_china_top50_3y", "new_provincial_platform", "tech_transfer_level"} <= lists
    assert all(cat.indicators[c].type in ("flag", "level", "count") for c in lists)
    assert cat.indicators["revenue"].absent_means is None and "revenue" not in lists
    item = {"code": "x", "type": "flag", "sources": ["tax"], "authoritative": "tax", "names": {"zh": "x", "ko": "x",
                                                                                            "en": "x"}}
    raw = {"version": "t", "departments": {}, "key_columns": {}, "registry_columns": {}}
    assert _parse_catalogue({**raw, "indicators": [{**item, "absent_means": 0}]}).absent_means_zero == ("x",)
    for bad in ({**item, "absent_means": 1}, {**item, "type": "money", "absent_means": 0}):
        with pytest.raises(CatalogueError, match="absent_means"):
            _parse_catalogue({**raw, "indicators": [bad]})


def test_year_indicators_have_a_year_range():
    cat = load_catalogue()
    for code in ("hnte_recognised_year", "hnte_first_year"):
        ind = cat.indicators[code]
        assert ind.type == "number" and ind.check(2024) is None and ind.check(1890) is not None
