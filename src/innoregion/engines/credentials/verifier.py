"""Offline verification of a presented talent code.

Everything a service point needs is local: the trusted issuer key ring, the last status list it fetched
(checked against the same ring and refused past its max age), the tier catalogues, and a cache of the
nonces it has seen. The result lists every check and, only when all pass, the services the tier unlocks.
It carries the pseudonymous subject id, never a name.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from innoregion.engines.credentials import algorithms
from innoregion.engines.credentials.catalogue import Catalogue
from innoregion.engines.credentials.encoding import Credential, FormatError, Presentation
from innoregion.engines.credentials.keyring import KeyRing, TrustedKey
from innoregion.engines.credentials.statuslist import (
    STATUS_NAMES,
    VALID,
    SignedStatusList,
    parse_status_list,
)

DEFAULT_FRESHNESS = 60  # seconds a presentation stays acceptable (the device refreshes every 30 s)
DEFAULT_CLOCK_SKEW = 10  # seconds a device clock may run ahead of the verifier's

CHECK_NAMES = ("format", "issuer_key", "issuer_signature", "validity", "status", "device_signature",
               "freshness", "challenge", "replay", "catalogue")


@dataclass
class Check:
    name: str
    ok: bool | None  # None: could not be run because an earlier check failed
    detail: str = ""

    @property
    def state(self) -> str:
        return "pass" if self.ok else ("not run" if self.ok is None else "fail")


@dataclass
class VerificationResult:
    valid: bool
    checks: list[Check]
    subject: str | None = None
    tier: str | None = None
    tier_label: str | None = None
    catalogue: str | None = None
    expires_at: int | None = None
    kid: str | None = None
    services: list[dict] = field(default_factory=list)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if c.ok is False]

    def to_dict(self) -> dict:
        data = asdict(self)
        for c in data["checks"]:
            c["state"] = "pass" if c["ok"] else ("not run" if c["ok"] is None else "fail")
        return data


class NonceCache:
    """Remembers (device key, nonce) pairs until the presentation could no longer be fresh anyway."""

    def __init__(self, max_entries: int = 200_000) -> None:
        self.max_entries = max_entries
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def _prune(self, now: float) -> None:
        while self._seen:
            key, until = next(iter(self._seen.items()))
            if until >= now and len(self._seen) <= self.max_entries:
                break
            self._seen.popitem(last=False)

    def check_and_add(self, key: bytes, keep_until: float, now: float) -> bool:
        """Return True when ``key`` was seen before (a replay); remember it otherwise."""
        self._prune(now)
        if key in self._seen:
            return True
        self._seen[key] = keep_until
        return False

    def __len__(self) -> int:
        return len(self._seen)


class Verifier:
    def __init__(self, keys: KeyRing, catalogues: dict[str, Catalogue], *,
                 freshness: int = DEFAULT_FRESHNESS, clock_skew: int = DEFAULT_CLOCK_SKEW,
                 nonce_cache: NonceCache | None = None, signature_cache_size: int = 10_000) -> None:
        self.keys = keys
        self.catalogues = catalogues
        self.freshness = freshness
        self.clock_skew = clock_skew
        self.nonces = nonce_cache if nonce_cache is not None else NonceCache()
        self.status_lists: dict[str, SignedStatusList] = {}
        # issuer signatures already checked, keyed by (public key, signed credential): the same
        # credential comes back every 30 s in a new presentation; only successes are remembered
        self._good_credentials: OrderedDict[tuple[bytes, bytes], None] = OrderedDict()
        self._signature_cache_size = signature_cache_size

    def load_status_list(self, token: str) -> SignedStatusList:
        """Check a status list token's signature and cache it (replacing an older one of the same id)."""
        signed = parse_status_list(token, self.keys)
        current = self.status_lists.get(signed.list_id)
        if current is None or signed.issued_at >= current.issued_at:
            self.status_lists[signed.list_id] = signed
        return signed

    def verify(self, presented: str | bytes | Presentation, *, now: float | None = None,
               challenge: bytes | None = None, language: str = "en") -> VerificationResult:
        now = time.time() if now is None else now
        checks = {name: Check(name, None) for name in CHECK_NAMES}
        result = VerificationResult(valid=False, checks=list(checks.values()))

        try:
            if isinstance(presented, Presentation):
                pres = presented
            elif isinstance(presented, bytes):
                pres = Presentation.from_bytes(presented)
            else:
                pres = Presentation.from_text(presented)
        except FormatError as exc:
            checks["format"].ok, checks["format"].detail = False, str(exc)
            return result
        checks["format"].ok = True
        cred = pres.credential
        result.subject, result.tier, result.catalogue = cred.subject, cred.tier, cred.catalogue
        result.expires_at, result.kid = cred.expires_at, cred.kid

        key = self.keys.get(cred.kid)
        checks["issuer_key"].ok, checks["issuer_key"].detail = _issuer_key_check(key, cred, now)
        if key is not None and key.alg_id == cred.alg_id:
            good = self._issuer_signature_ok(key.public_key, cred, pres.credential_bytes)
            checks["issuer_signature"].ok = good
            checks["issuer_signature"].detail = "" if good else "credential altered or not signed by this issuer key"
        checks["validity"].ok, checks["validity"].detail = self._validity_check(cred, now)
        checks["status"].ok, checks["status"].detail = self._status(cred.status_list, cred.status_index, now)
        device_ok = _device_signature_ok(cred, pres)
        checks["device_signature"].ok = device_ok
        if not device_ok:
            checks["device_signature"].detail = ("presentation not signed by the device key bound in the "
                                                 "credential (copied credential or altered presentation)")
        checks["freshness"].ok, checks["freshness"].detail = self._freshness_check(now - pres.timestamp)
        if challenge is None:
            checks["challenge"].ok, checks["challenge"].detail = True, "no challenge requested"
        else:
            checks["challenge"].ok = pres.challenge == challenge
            checks["challenge"].detail = "" if checks["challenge"].ok else "challenge does not match"

        # only a correctly device-signed, fresh presentation is remembered, so a forged copy cannot
        # burn the nonce of a genuine one
        if device_ok and checks["freshness"].ok:
            replay = self.nonces.check_and_add(cred.device_key + pres.nonce,
                                               pres.timestamp + self.freshness + self.clock_skew, now)
            checks["replay"].ok = not replay
            checks["replay"].detail = "nonce already seen: replayed presentation" if replay else ""

        catalogue = self.catalogues.get(cred.catalogue)
        checks["catalogue"].ok, checks["catalogue"].detail = _catalogue_check(catalogue, cred)
        if checks["catalogue"].ok:
            result.tier_label = catalogue.tier_label(cred.tier, language)

        result.valid = all(c.ok is True for c in result.checks)
        if result.valid:
            result.services = catalogue.services_for(cred.tier, language)
        return result

    def _validity_check(self, cred: Credential, now: float) -> tuple[bool, str]:
        if cred.issued_at > now + self.clock_skew:
            return False, "issued in the future"
        if now > cred.expires_at:
            return False, f"expired at {cred.expires_at}"
        return True, ""

    def _freshness_check(self, age: float) -> tuple[bool, str]:
        """``age``: seconds since the presentation was signed."""
        if age < -self.clock_skew:
            return False, f"timestamp {-age:.0f} s in the future"
        if age > self.freshness:
            return False, f"presented {age:.0f} s ago (limit {self.freshness} s): stale or a screenshot"
        return True, f"{max(age, 0):.0f} s old"

    def _issuer_signature_ok(self, public_key: bytes, cred, credential_bytes: bytes) -> bool:
        cache_key = (public_key, credential_bytes)
        if cache_key in self._good_credentials:
            self._good_credentials.move_to_end(cache_key)
            return True
        good = algorithms.by_id(cred.alg_id).verify(public_key, cred.signature, cred.signing_input())
        if good and self._signature_cache_size:
            self._good_credentials[cache_key] = None
            if len(self._good_credentials) > self._signature_cache_size:
                self._good_credentials.popitem(last=False)
        return good

    def _status(self, list_id: str, index: int, now: float) -> tuple[bool, str]:
        signed = self.status_lists.get(list_id)
        if signed is None:
            return False, f"no status list {list_id!r} cached"
        if not signed.is_fresh(now):
            return False, f"status list {list_id!r} older than its max age ({signed.ttl} s): refresh it"
        key = self.keys.get(signed.kid)
        if key is None or not key.trusted_at(now):
            return False, f"status list key {signed.kid!r} no longer trusted"
        try:
            status = signed.status(index)
        except IndexError:
            return False, f"index {index} outside status list {list_id!r}"
        return status == VALID, STATUS_NAMES[status]


def _issuer_key_check(key: TrustedKey | None, cred: Credential, now: float) -> tuple[bool, str]:
    """The issuer key: known by id, same algorithm, trusted now and when the credential was issued."""
    if key is None:
        return False, f"unknown issuer key {cred.kid!r}"
    if key.alg_id != cred.alg_id:
        return False, "algorithm does not match the key"
    if not key.trusted_at(now):
        return False, f"issuer key {cred.kid!r} is retired (trusted until {key.verify_until})"
    if not key.trusted_at(cred.issued_at):
        return False, "issued outside the key's validity"
    return True, cred.kid


def _device_signature_ok(cred: Credential, pres: Presentation) -> bool:
    try:
        device_alg = algorithms.by_id(cred.device_alg_id)
        return device_alg.verify(cred.device_key, pres.signature, pres.signing_input())
    except algorithms.UnknownAlgorithm:
        return False


def _catalogue_check(catalogue: Catalogue | None, cred: Credential) -> tuple[bool, str]:
    if catalogue is None:
        return False, f"unknown catalogue {cred.catalogue!r}"
    if catalogue.tier(cred.tier) is None:
        return False, f"tier {cred.tier!r} not in {catalogue.id}"
    return True, ""
