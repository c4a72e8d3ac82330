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
from innoregion.engines.credentials.encoding import FormatError, Presentation
from innoregion.engines.credentials.keyring import KeyRing
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

        # issuer key: known by id, same algorithm, trusted now and when the credential was issued
        key = self.keys.get(cred.kid)
        if key is None:
            checks["issuer_key"].ok, checks["issuer_key"].detail = False, f"unknown issuer key {cred.kid!r}"
        elif key.alg_id != cred.alg_id:
            checks["issuer_key"].ok, checks["issuer_key"].detail = False, "algorithm does not match the key"
        elif not key.trusted_at(now):
            checks["issuer_key"].ok = False
            checks["issuer_key"].detail = f"issuer key {cred.kid!r} is retired (trusted until {key.verify_until})"
        elif not key.trusted_at(cred.issued_at):
            checks["issuer_key"].ok, checks["issuer_key"].detail = False, "issued outside the key's validity"
        else:
            checks["issuer_key"].ok, checks["issuer_key"].detail = True, cred.kid

        if key is not None and key.alg_id == cred.alg_id:
            good = self._issuer_signature_ok(key.public_key, cred, pres.credential_bytes)
            checks["issuer_signature"].ok = good
            checks["issuer_signature"].detail = "" if good else "credential altered or not signed by this issuer key"

        if cred.issued_at > now + self.clock_skew:
            checks["validity"].ok, checks["validity"].detail = False, "issued in the future"
        elif now > cred.expires_at:
            checks["validity"].ok, checks["validity"].detail = False, f"expired at {cred.expires_at}"
        else:
            checks["validity"].ok = True

        checks["status"].ok, checks["status"].detail = self._status(cred.status_list, cred.status_index, now)

        try:
            device_alg = algorithms.by_id(cred.device_alg_id)
            device_ok = device_alg.verify(cred.device_key, pres.signature, pres.signing_input())
        except algorithms.UnknownAlgorithm:
            device_ok = False
        checks["device_signature"].ok = device_ok
        if not device_ok:
            checks["device_signature"].detail = ("presentation not signed by the device key bound in the "
                                                 "credential (copied credential or altered presentation)")

        age = now - pres.timestamp
        if age < -self.clock_skew:
            checks["freshness"].ok, checks["freshness"].detail = False, f"timestamp {-age:.0f} s in the future"
        elif age > self.freshness:
            checks["freshness"].ok = False
            checks["freshness"].detail = f"presented {age:.0f} s ago (limit {self.freshness} s): stale or a screenshot"
        else:
            checks["freshness"].ok, checks["freshness"].detail = True, f"{max(age, 0):.0f} s old"

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
        if catalogue is None:
            checks["catalogue"].ok, checks["catalogue"].detail = False, f"unknown catalogue {cred.catalogue!r}"
        elif catalogue.tier(cred.tier) is None:
            checks["catalogue"].ok, checks["catalogue"].detail = False, f"tier {cred.tier!r} not in {catalogue.id}"
        else:
            checks["catalogue"].ok = True
            result.tier_label = catalogue.tier_label(cred.tier, language)

        result.valid = all(c.ok is True for c in result.checks)
        if result.valid:
            result.services = catalogue.services_for(cred.tier, language)
        return result

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
