"""The talent code engine: every check must catch the attack it is there for."""

from __future__ import annotations

import dataclasses

import pytest

from innoregion.engines.credentials import (
    ED25519,
    REVOKED,
    SUSPENDED,
    Credential,
    FormatError,
    Holder,
    KeyRing,
    Presentation,
    StatusList,
    StatusListError,
    TrustedKey,
    Verifier,
    issue_credential,
    load_catalogue,
    parse_status_list,
    sign_status_list,
)
from innoregion.engines.credentials.statuslist import b64url, b64url_decode

T0 = 1_780_000_000  # a fixed "now" (2026-05-28)
DAY = 86_400
LIST = "talent-1"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


class World:
    """An issuer with one key, a device, a credential, a status list and a verifier."""

    def __init__(self, catalogue, *, tier="B1", index=42, expires=T0 + 365 * DAY):
        self.catalogue = catalogue
        self.issuer = ED25519.generate()
        self.device = ED25519.generate()
        self.ring = KeyRing()
        self.ring.add(TrustedKey("k1", self.issuer.public_key_bytes(), not_before=T0 - DAY))
        self.index = index
        self.credential = issue_credential(signer=self.issuer, kid="k1", subject="SUBJECTPSEUDO001", tier=tier,
                                           catalogue=catalogue.id, device_key=self.device.public_key_bytes(),
                                           status_list=LIST, status_index=index, issued_at=T0, expires_at=expires)
        self.holder = Holder(self.credential, self.device)
        self.statuses = StatusList(1024)
        self.verifier = self.new_verifier()

    def new_verifier(self, **kwargs):
        v = Verifier(self.ring, {self.catalogue.id: self.catalogue}, **kwargs)
        v.load_status_list(self.status_token())
        return v

    def status_token(self, issued_at=T0, ttl=3600):
        return sign_status_list(self.statuses, list_id=LIST, signer=self.issuer, kid="k1", issued_at=issued_at, ttl=ttl)


@pytest.fixture
def world(catalogue):
    return World(catalogue)


def test_genuine_presentation_passes_and_lists_services(world):
    result = world.verifier.verify(world.holder.present(now=T0 + 5).to_text(), now=T0 + 10)
    assert result.valid, result.failed
    assert [c.state for c in result.checks] == ["pass"] * len(result.checks)
    assert result.tier == "B1" and result.subject == "SUBJECTPSEUDO001"
    codes = {s["code"] for s in result.services}
    assert {"housing_purchase_subsidy", "medical_fast_track", "children_schooling", "startup_support"} <= codes
    # the result never carries personal data: only the pseudonymous id
    assert "name" not in result.to_dict()


def test_codec_round_trip_and_rejects_garbage(world):
    pres = world.holder.present(now=T0)
    again = Presentation.from_text(pres.to_text().lower())  # case-insensitive base32
    assert again == pres and again.credential == world.credential
    assert Credential.from_bytes(world.credential.to_bytes()) == world.credential
    with pytest.raises(FormatError):
        Presentation.from_bytes(pres.to_bytes() + b"\x00")
    with pytest.raises(FormatError):
        Presentation.from_text("hello")
    result = world.verifier.verify("TC1:AAAA", now=T0)
    assert not result.valid and result.check("format").state == "fail"
    assert result.check("issuer_signature").state == "not run"


def test_tampered_tier_is_rejected(world):
    forged_cred = dataclasses.replace(world.credential, tier="A")  # keeps the issuer's old signature
    # the holder re-signs the presentation, so only the issuer signature can catch it
    forged = Holder(forged_cred, world.device).present(now=T0)
    result = world.verifier.verify(forged.to_bytes(), now=T0)
    assert not result.valid
    assert result.failed == ["issuer_signature"]
    assert result.services == []


def test_credential_signed_by_another_issuer_key_is_rejected(world, catalogue):
    rogue = ED25519.generate()
    cred = issue_credential(signer=rogue, kid="k1", subject="X", tier="A", catalogue=catalogue.id,
                            device_key=world.device.public_key_bytes(), status_list=LIST, status_index=1,
                            issued_at=T0, expires_at=T0 + DAY)
    result = world.verifier.verify(Holder(cred, world.device).present(now=T0).to_text(), now=T0)
    assert result.failed == ["issuer_signature"]
    cred2 = issue_credential(signer=rogue, kid="rogue", subject="X", tier="A", catalogue=catalogue.id,
                             device_key=world.device.public_key_bytes(), status_list=LIST, status_index=1,
                             issued_at=T0, expires_at=T0 + DAY)
    result = world.verifier.verify(Holder(cred2, world.device).present(now=T0).to_text(), now=T0)
    assert "issuer_key" in result.failed and not result.valid


def test_expired_credential_is_rejected(catalogue):
    w = World(catalogue, expires=T0 + DAY)
    w.verifier.load_status_list(w.status_token(issued_at=T0 + DAY - 60))
    assert w.verifier.verify(w.holder.present(now=T0 + DAY - 10).to_text(), now=T0 + DAY - 5).valid
    later = T0 + DAY + 100
    w.verifier.load_status_list(w.status_token(issued_at=later))
    result = w.verifier.verify(w.holder.present(now=later).to_text(), now=later)
    assert result.failed == ["validity"] and "expired" in result.check("validity").detail


@pytest.mark.parametrize("status,name", [(REVOKED, "revoked"), (SUSPENDED, "suspended")])
def test_revoked_and_suspended_codes_are_rejected(world, status, name):
    world.statuses.set(world.index, status)
    world.verifier.load_status_list(world.status_token(issued_at=T0 + 1))
    result = world.verifier.verify(world.holder.present(now=T0 + 2).to_text(), now=T0 + 3)
    assert result.failed == ["status"] and result.check("status").detail == name
    # neighbours are untouched, and reinstating works (suspension is reversible)
    assert world.statuses.get(world.index - 1) == 0 and world.statuses.get(world.index + 1) == 0
    world.statuses.set(world.index, 0)
    world.verifier.load_status_list(world.status_token(issued_at=T0 + 4))
    assert world.verifier.verify(world.holder.present(now=T0 + 5).to_text(), now=T0 + 5).valid


def test_stale_status_list_and_missing_list_fail_closed(world):
    world.verifier.load_status_list(world.status_token(issued_at=T0, ttl=600))
    result = world.verifier.verify(world.holder.present(now=T0 + 700).to_text(), now=T0 + 700)
    assert result.failed == ["status"] and "max age" in result.check("status").detail
    bare = Verifier(world.ring, {world.catalogue.id: world.catalogue})
    assert bare.verify(world.holder.present(now=T0).to_text(), now=T0).failed == ["status"]


def test_stale_presentation_is_rejected(world):
    pres = world.holder.present(now=T0).to_text()  # a screenshot taken at T0
    assert world.new_verifier().verify(pres, now=T0 + 59).valid
    result = world.new_verifier().verify(pres, now=T0 + 61)
    assert result.failed == ["freshness"]
    future = world.holder.present(now=T0 + 30).to_text()  # device clock 30 s ahead
    assert world.new_verifier().verify(future, now=T0).failed == ["freshness"]
    slight = world.holder.present(now=T0 + 5).to_text()  # within the allowed skew
    assert world.new_verifier().verify(slight, now=T0).valid


def test_replayed_presentation_is_rejected(world):
    text = world.holder.present(now=T0).to_text()
    assert world.verifier.verify(text, now=T0 + 1).valid
    result = world.verifier.verify(text, now=T0 + 2)
    assert result.failed == ["replay"]
    # a fresh presentation of the same credential is fine
    assert world.verifier.verify(world.holder.present(now=T0 + 3).to_text(), now=T0 + 3).valid


def test_presentation_signed_by_another_device_is_rejected(world):
    thief = ED25519.generate()
    copied = Holder(world.credential, thief).present(now=T0)  # credential copied to another phone
    result = world.verifier.verify(copied.to_text(), now=T0)
    assert result.failed == ["device_signature"]
    # the forged copy must not burn the genuine holder's nonce
    genuine = world.holder.present(now=T0, nonce=copied.nonce)
    assert world.verifier.verify(genuine.to_text(), now=T0).valid


def test_tampered_presentation_timestamp_is_rejected(world):
    pres = world.holder.present(now=T0)
    moved = dataclasses.replace(pres, timestamp=T0 + 300)  # try to refresh a screenshot
    result = world.verifier.verify(moved.to_bytes(), now=T0 + 300)
    assert result.failed == ["device_signature"]


def test_challenge_binding(world):
    challenge = b"counter-7-0931"
    good = world.holder.present(now=T0, challenge=challenge)
    assert world.verifier.verify(good.to_text(), now=T0, challenge=challenge).valid
    other = world.holder.present(now=T0, challenge=b"other")
    assert world.verifier.verify(other.to_text(), now=T0, challenge=challenge).failed == ["challenge"]


def test_key_rotation_keeps_old_codes_until_retirement(world, catalogue):
    # rotate: k2 signs from now on, k1 stays trusted for verification until T0 + 30 days
    new = ED25519.generate()
    world.ring.add(TrustedKey("k1", world.issuer.public_key_bytes(), not_before=T0 - DAY, verify_until=T0 + 30 * DAY))
    world.ring.add(TrustedKey("k2", new.public_key_bytes(), not_before=T0))
    new_cred = issue_credential(signer=new, kid="k2", subject="NEWSUBJECT", tier="C1", catalogue=catalogue.id,
                                device_key=world.device.public_key_bytes(), status_list=LIST, status_index=7,
                                issued_at=T0 + DAY, expires_at=T0 + 400 * DAY)
    new_holder = Holder(new_cred, world.device)
    t = T0 + 10 * DAY
    status = sign_status_list(world.statuses, list_id=LIST, signer=new, kid="k2", issued_at=t)
    v = Verifier(world.ring, {catalogue.id: catalogue})
    v.load_status_list(status)
    assert v.verify(world.holder.present(now=t).to_text(), now=t).valid  # old key, still trusted
    assert v.verify(new_holder.present(now=t).to_text(), now=t).valid
    t = T0 + 31 * DAY  # after k1's retirement date
    v.load_status_list(sign_status_list(world.statuses, list_id=LIST, signer=new, kid="k2", issued_at=t))
    result = v.verify(world.holder.present(now=t).to_text(), now=t)
    assert result.failed == ["issuer_key"] and "retired" in result.check("issuer_key").detail
    assert v.verify(new_holder.present(now=t + 1).to_text(), now=t + 1).valid
    # a status list signed by the retired key is refused too
    with pytest.raises(StatusListError):
        v.load_status_list(world.status_token(issued_at=t))


def test_status_list_tampering_is_detected(world):
    world.statuses.set(world.index, REVOKED)
    token = world.status_token(issued_at=T0 + 1)
    header, payload, sig = token.split(".")
    # flip the revoked entry back to valid inside the payload and keep the signature
    import json
    import zlib

    body = json.loads(b64url_decode(payload))
    raw = bytearray(zlib.decompress(b64url_decode(body["status_list"]["lst"])))
    raw[world.index * 2 // 8] = 0
    body["status_list"]["lst"] = b64url(zlib.compress(bytes(raw)))
    forged = ".".join([header, b64url(json.dumps(body, separators=(",", ":"), sort_keys=True).encode()), sig])
    with pytest.raises(StatusListError, match="signature"):
        parse_status_list(forged, world.ring)
    with pytest.raises(StatusListError):
        parse_status_list(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"), world.ring)
    # signed by a key that is not in the ring
    rogue = ED25519.generate()
    with pytest.raises(StatusListError, match="unknown key"):
        parse_status_list(sign_status_list(world.statuses, list_id=LIST, signer=rogue, kid="rogue", issued_at=T0),
                          world.ring)
    # the genuine token still parses and says revoked
    assert parse_status_list(token, world.ring).status(world.index) == REVOKED


def test_status_list_bit_layout_matches_token_status_list():
    sl = StatusList(16, bits=2)
    sl.set(0, 1)
    sl.set(1, 2)
    sl.set(3, 3)
    sl.set(4, 1)
    # index 0 in the least significant bits of byte 0
    assert sl.data[0] == 0b11_00_10_01 and sl.data[1] == 0b01
    again = StatusList.from_compressed(sl.compressed(), bits=2)
    assert [again.get(i) for i in range(6)] == [1, 2, 0, 3, 1, 0]
    with pytest.raises(IndexError):
        sl.get(16)


def test_unknown_catalogue_version_unlocks_nothing(world, catalogue):
    cred = issue_credential(signer=world.issuer, kid="k1", subject="S", tier="B1", catalogue="elsewhere/1999",
                            device_key=world.device.public_key_bytes(), status_list=LIST, status_index=5,
                            issued_at=T0, expires_at=T0 + DAY)
    result = world.verifier.verify(Holder(cred, world.device).present(now=T0).to_text(), now=T0)
    assert result.failed == ["catalogue"] and result.services == []


def test_presentation_fits_a_small_qr_code(world):
    from innoregion.engines.credentials import qr

    text = world.holder.present(now=T0).to_text()
    symbol = qr.make_qr(text)
    assert symbol.mode == "alphanumeric"
    assert symbol.version <= 13 and symbol.error == "M"
