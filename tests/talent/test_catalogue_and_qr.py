"""Tier placement rules, the catalogue data, the QR image round trip and the key files."""

from __future__ import annotations

import io
import os
import stat

import pytest
import yaml
from PIL import Image

from innoregion.engines.credentials import (
    ED25519,
    CatalogueError,
    Holder,
    KeyRing,
    StatusList,
    TrustedKey,
    Verifier,
    issue_credential,
    load_catalogue,
    load_private_key,
    place_in_tier,
    qr,
    save_private_key,
    shipped_catalogues,
    sign_status_list,
)
from innoregion.engines.credentials.catalogue import parse_catalogue
from innoregion.engines.credentials.keyring import KeyFileError


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_catalogue_is_versioned_illustrative_data(cat):
    assert cat.id == "changchun-new-area/2025.1"
    assert cat.status == "illustrative"
    assert [t.group for t in cat.tiers] == ["A", "B", "B", "C", "C", "D", "D", "E", "E"]
    assert cat.id in shipped_catalogues()
    for tier in cat.tiers:
        assert tier.services, tier.code
        assert set(tier.label) >= {"en", "zh", "ko"}
    # fast tracks are for the upper tiers only
    assert "medical_fast_track" in cat.tier("B1").services and "medical_fast_track" not in cat.tier("E2").services
    assert "transport_fast_track" in cat.tier("A").services and "transport_fast_track" not in cat.tier("D1").services


@pytest.mark.parametrize("facts,tier,rule", [
    ({"titles": ["academician_cae"]}, "A", "A-academician"),
    ({"awards": ["national_top_science_award"], "degree": "doctorate"}, "A", "A-top-award"),
    ({"titles": ["distinguished_young_scholar", "full_senior_title"]}, "B1", "B1-national-programme"),
    ({"positions": ["chief_scientist_national_project"]}, "B2", "B2-national-project"),
    ({"titles": ["provincial_leading_talent"]}, "C1", "C1-provincial-talent"),
    ({"positions": ["core_technical_lead"], "annual_salary_cny": 1_200_000}, "C2", "C2-technical-lead-salary"),
    ({"positions": ["core_technical_lead"], "annual_salary_cny": 600_000}, "D1", "D1-senior-manager-salary"),
    ({"degree": "doctorate", "age": 45}, "D2", "D2-doctorate"),
    ({"degree": "master", "age": 35}, "E1", "E1-young-master"),
    ({"degree": "bachelor", "age": 33, "flags": ["startup_founder"]}, "E1", "E1-young-founder"),
    ({"degree": "bachelor", "age": 29}, "E2", "E2-young-bachelor"),
])
def test_place_in_tier(cat, facts, tier, rule):
    placement = place_in_tier(facts, cat)
    assert (placement.tier, placement.rule) == (tier, rule)
    assert placement.catalogue == cat.id
    assert placement.explanation and f"tier {tier} by rule {rule}" in placement.explanation[0]


def test_placement_limits_and_explanations(cat):
    assert place_in_tier({"degree": "master", "age": 36}, cat).tier is None  # too old for E1
    assert place_in_tier({"degree": "master"}, cat).tier is None  # unknown age never satisfies max_age
    low_salary = place_in_tier({"positions": ["core_technical_lead"], "annual_salary_cny": 100_000}, cat)
    assert low_salary.tier is None and "no rule" in low_salary.explanation[-1]
    both = place_in_tier({"titles": ["full_senior_title"], "degree": "doctorate", "age": 40}, cat)
    assert both.tier == "D1" and both.matched_rules == ["D1-city-talent", "D2-doctorate"]
    assert "highest applies" in both.explanation[-1]
    odd = place_in_tier({"titles": ["made_up_title"], "degree": "bachelor", "age": 25}, cat)
    assert odd.tier == "E2" and "made_up_title" in odd.explanation[0]


def test_catalogue_validation_rejects_bad_data(cat):
    from importlib import resources

    text = (resources.files("innoregion.engines.credentials") / "catalogues" / "changchun-new-area-2025.yaml").read_text()
    data = yaml.safe_load(text)
    data["tiers"][0]["rules"][0]["conditions"] = {"titles_any": ["not_in_vocabulary"]}
    with pytest.raises(CatalogueError, match="vocabulary"):
        parse_catalogue(data)
    data = yaml.safe_load(text)
    data["tiers"][1]["services"]["free_lunch"] = {}
    with pytest.raises(CatalogueError, match="free_lunch"):
        parse_catalogue(data)
    data = yaml.safe_load(text)
    data["tiers"][2]["code"] = "A"
    with pytest.raises(CatalogueError, match="twice"):
        parse_catalogue(data)
    data = yaml.safe_load(text)
    data["tiers"][2]["rules"][0]["conditions"]["min_height"] = 2
    with pytest.raises(CatalogueError, match="unknown conditions"):
        parse_catalogue(data)


def test_services_are_labelled_in_three_languages(cat):
    zh = {s["code"]: s["label"] for s in cat.services_for("B1", "zh-hans")}
    ko = {s["code"]: s["label"] for s in cat.services_for("B1", "ko")}
    assert zh["medical_fast_track"] == "就医绿色通道" and ko["medical_fast_track"] == "의료 패스트트랙"
    assert cat.services_for("Z9") == []


def test_qr_image_round_trip_then_verify(cat):
    issuer, device = ED25519.generate(), ED25519.generate()
    ring = KeyRing({"k1": TrustedKey("k1", issuer.public_key_bytes())})
    cred = issue_credential(signer=issuer, kid="k1", subject="QRROUNDTRIP00001", tier="C1", catalogue=cat.id,
                            device_key=device.public_key_bytes(), status_list="talent-1", status_index=99,
                            issued_at=1_780_000_000, expires_at=1_800_000_000)
    text = Holder(cred, device).present(now=1_780_000_100).to_text()
    png = qr.to_png(text, scale=3)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # as a service point would receive it: a photo, a bit larger and in JPEG
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((img.width * 2, img.height * 2))
    jpeg = io.BytesIO()
    img.save(jpeg, format="JPEG", quality=85)
    for blob in (png, jpeg.getvalue()):
        decoded = qr.decode_image(blob)
        assert decoded == text
    v = Verifier(ring, {cat.id: cat})
    v.load_status_list(sign_status_list(StatusList(1024), list_id="talent-1", signer=issuer, kid="k1",
                                        issued_at=1_780_000_000))
    result = v.verify(qr.decode_image(png), now=1_780_000_110)
    assert result.valid and result.tier == "C1"


def test_qr_decode_rejects_non_codes():
    with pytest.raises(qr.QRDecodeError):
        qr.decode_image(b"not an image at all")
    other = io.BytesIO()
    qr.make_qr("HELLO WORLD").save(other, kind="png", scale=4)
    with pytest.raises(qr.QRDecodeError, match="no talent code"):
        qr.decode_image(other.getvalue())


@pytest.mark.parametrize("passphrase", [None, "correct horse"])
def test_private_key_files_are_0600_and_round_trip(tmp_path, passphrase):
    signer = ED25519.generate()
    path = save_private_key(tmp_path / "keys", "k1", signer, passphrase)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "keys").st_mode) == 0o700
    raw_b64 = __import__("base64").b64encode(signer.private_key_bytes()).decode()
    assert (raw_b64 in path.read_text()) is (passphrase is None)
    loaded = load_private_key(tmp_path / "keys", "k1", passphrase)
    assert loaded.public_key_bytes() == signer.public_key_bytes()
    with pytest.raises(FileExistsError):
        save_private_key(tmp_path / "keys", "k1", signer)
    if passphrase:
        with pytest.raises(KeyFileError):
            load_private_key(tmp_path / "keys", "k1", "wrong")
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="readable by others"):
        load_private_key(tmp_path / "keys", "k1", passphrase)


def test_key_ring_json_round_trip():
    ring = KeyRing()
    ring.add(TrustedKey("a", b"\x01" * 32, not_before=5, verify_until=10))
    ring.add(TrustedKey("b", b"\x02" * 32))
    again = KeyRing.from_json(ring.to_json())
    assert again.keys == ring.keys
    assert again.get("a").trusted_at(7) and not again.get("a").trusted_at(11) and not again.get("a").trusted_at(4)
