"""A bad pack is refused, naming the key and the reason."""

import copy

import pytest
import yaml

from innoregion.engines.rules import PackError, load_packs, parse_pack

GOOD = {
    "id": "demo", "name": {"zh": "示例", "ko": "예시", "en": "Demo"}, "version": "1", "year": 2024,
    "region": "CN", "valid_from": 2024, "valid_to": None,
    "citation": {"document": "Some document"}, "source": "confirmed",
    "eligibility": [{"id": "size", "label": {"zh": "人数", "ko": "인원", "en": "Staff"}, "cite": "Art. 1",
                     "test": {"le": ["employees", 500]}}],
    "groups": [{"id": "g", "label": {"zh": "组", "ko": "그룹", "en": "Group"}}],
    "total": {"ge": 10},
    "indicators": [{"id": "share", "label": {"zh": "占比", "ko": "비중", "en": "Share"}, "cite": "Art. 2",
                    "group": "g", "max": 20, "value": {"ratio": ["tech_staff", "employees"]},
                    "bands": [{"ge": 0.3, "points": 20}, {"lt": 0.3, "points": 0}]}],
}


def test_good_pack_parses():
    assert parse_pack(GOOD).id == "demo"


def bad(path, value):
    data = copy.deepcopy(GOOD)
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        node = node[int(k)] if k.isdigit() else node[k]
    last = keys[-1]
    if value is DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


DELETE = object()

CASES = [
    ("id", DELETE, "id", "required"),
    ("citation", {"document": ""}, "citation.document", "required"),
    ("source", "rumour", "source", "expected 'confirmed' or 'weak'"),
    ("valid_to", 2020, "valid_to", "before valid_from"),
    ("name", {"zh": "x", "en": "y"}, "name.ko", "missing text"),
    ("colour", "red", "pack.colour", "unknown key"),
    ("eligibility.0.test", {"le": ["staff_count", 500]}, "eligibility[0].test.le[0]", "unknown facts column"),
    ("eligibility.0.test", {"between": ["employees", 1, 2]}, "eligibility[0].test", "unknown operator"),
    ("eligibility.0.test", {"ratio": ["employees", "revenue"]}, "eligibility[0].test", "expected a condition"),
    ("eligibility.0.test", "__import__('os')", "eligibility[0].test", "unknown facts column"),
    ("eligibility.0.cite", "", "eligibility[0].cite", "article cited"),
    ("eligibility.0.gap", {"zh": "{value}", "ko": "{value}", "en": "{nope}"}, "eligibility[0].gap.en",
     "unknown placeholder"),
    ("indicators.0.bands.0.points", 60, "indicators[0].bands[0].points", "exceeds the indicator's max 20"),
    ("indicators.0.bands.0", {"ge": 0.3, "gt": 0.2, "points": 1}, "indicators[0].bands[0]", "not both"),
    ("indicators.0.group", "nope", "indicators[0].group", "unknown group"),
    ("indicators.0.id", "size", "eligibility[0].id", "duplicate id"),  # indicators are read first
    ("indicators.0.value", {"ratio": ["tech_staff", "$missing_param"]}, "indicators[0].value.ratio[1]",
     "unknown parameter"),
    ("total", {"ge": 10, "gt": 5}, "total", "exactly one"),
    ("source", "weak", "weak_items", "weak source"),
]


@pytest.mark.parametrize("path,value,where,reason", CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_bad_pack(path, value, where, reason):
    with pytest.raises(PackError) as exc:
        parse_pack(bad(path, value))
    assert exc.value.path == where
    assert reason in exc.value.reason


def test_weak_item_inside_needs_weak_items():
    data = bad("indicators.0.source", "weak")
    with pytest.raises(PackError, match="weak_items"):
        parse_pack(data)
    data["weak_items"] = ["the share bands come from one secondary source"]
    assert parse_pack(data).weak_items


def test_overlapping_versions_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(dict(GOOD, version="2", valid_from=2025)), encoding="utf-8")
    with pytest.raises(PackError, match="overlap"):
        load_packs(tmp_path)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(dict(GOOD, valid_to=2024)), encoding="utf-8")
    assert [p.version for p in load_packs(tmp_path)] == ["1", "2"]


def test_file_name_in_error(tmp_path):
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(bad("indicators.0.max", -1)), encoding="utf-8")
    with pytest.raises(PackError) as exc:
        load_packs(tmp_path)
    assert exc.value.path == "broken.yaml: indicators[0].max"


def test_shipped_packs_cite_every_rule():
    packs = load_packs()
    assert {p.id for p in packs} >= {"tech_sme", "hnte", "innovative_sme", "srdi_sme", "little_giant",
                                     "high_growth", "gazelle", "gazelle_torch", "unicorn", "potential_unicorn"}
    for p in packs:
        assert p.citation["document"]
        for item in [*p.eligibility, *p.criteria, *p.routes, *p.indicators]:
            assert item.cite.strip(), (p.id, item.id)
    weak = {(p.id, p.version) for p in packs if p.source == "weak"}
    assert weak == {("little_giant", "2025"), ("gazelle_torch", "2017")}
