"""Revocation and suspension: a signed, compressed bitstring status list.

In the spirit of the IETF OAuth "Token Status List" draft: each credential carries a list id and an
index; the list is a byte array with ``bits`` (here 2) bits per credential, index 0 in the least
significant bits of byte 0, compressed with DEFLATE in the zlib format and base64url-encoded. Values:
``0`` valid, ``1`` revoked (the draft's INVALID), ``2`` suspended. ``3`` is reserved.

The list travels as a JWT-shaped token ``header.payload.signature`` signed by an issuer key
(``alg`` from the key's algorithm, ``kid`` the key id). A verifier keeps the last list it fetched and
refuses to use it once it is older than its ``ttl`` (max age) or past ``exp``.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass

from innoregion.engines.credentials import algorithms

VALID, REVOKED, SUSPENDED = 0, 1, 2
STATUS_NAMES = {VALID: "valid", REVOKED: "revoked", SUSPENDED: "suspended", 3: "reserved"}
STATUS_CODES = {name: code for code, name in STATUS_NAMES.items()}


class StatusListError(ValueError):
    pass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, base64.binascii.Error) as exc:
        raise StatusListError("bad base64url") from exc


class StatusList:
    """A mutable bitstring of ``size`` entries, ``bits`` bits each."""

    def __init__(self, size: int, bits: int = 2, data: bytes | None = None) -> None:
        if bits not in (1, 2, 4, 8):
            raise StatusListError("bits must be 1, 2, 4 or 8")
        self.bits = bits
        self.size = size
        nbytes = (size * bits + 7) // 8
        if data is None:
            self.data = bytearray(nbytes)
        else:
            if len(data) < nbytes:
                raise StatusListError("status list shorter than its size")
            self.data = bytearray(data)
            self.size = len(data) * 8 // bits

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(f"status index {index} outside the list (size {self.size})")
        bit = index * self.bits
        return bit // 8, bit % 8

    def get(self, index: int) -> int:
        byte, shift = self._locate(index)
        return (self.data[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, index: int, status: int) -> None:
        if not 0 <= status < (1 << self.bits):
            raise StatusListError(f"status {status} does not fit {self.bits} bits")
        byte, shift = self._locate(index)
        mask = ((1 << self.bits) - 1) << shift
        self.data[byte] = (self.data[byte] & ~mask & 0xFF) | (status << shift)

    def compressed(self) -> bytes:
        return zlib.compress(bytes(self.data), 9)

    @classmethod
    def from_compressed(cls, blob: bytes, bits: int) -> StatusList:
        try:
            raw = zlib.decompress(blob)
        except zlib.error as exc:
            raise StatusListError("status list is not zlib data") from exc
        return cls(size=len(raw) * 8 // bits, bits=bits, data=raw)


@dataclass(frozen=True)
class SignedStatusList:
    """A status list whose token signature has been checked."""

    list_id: str
    issued_at: int
    expires_at: int
    ttl: int
    kid: str
    statuses: StatusList

    def is_fresh(self, now: float) -> bool:
        return now <= self.expires_at and now - self.issued_at <= self.ttl

    def status(self, index: int) -> int:
        return self.statuses.get(index)


def sign_status_list(statuses: StatusList, *, list_id: str, signer: algorithms.Signer, kid: str,
                     issued_at: int, ttl: int = 3600, valid_for: int | None = None) -> str:
    """Return the list as a signed token. ``ttl``: how long a verifier may cache it."""
    alg = algorithms.by_id(signer.alg_id)
    header = {"alg": alg.jose_name, "kid": kid, "typ": "statuslist+jwt"}
    payload = {
        "sub": list_id,
        "iat": issued_at,
        "exp": issued_at + (valid_for if valid_for is not None else ttl),
        "ttl": ttl,
        "status_list": {"bits": statuses.bits, "lst": b64url(statuses.compressed())},
    }
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":"), sort_keys=True).encode()) for part in (header, payload)
    )
    return signing_input + "." + b64url(signer.sign(signing_input.encode("ascii")))


def parse_status_list(token: str, keys) -> SignedStatusList:
    """Check the token's signature against a :class:`~.keyring.KeyRing` and return the list.

    Raises :class:`StatusListError` when the token is malformed, its key is unknown or no longer
    trusted, or the signature does not match. Freshness is the caller's business (``is_fresh``).
    """
    try:
        header_b64, payload_b64, sig_b64 = token.strip().split(".")
    except ValueError as exc:
        raise StatusListError("status list token must have three parts") from exc
    try:
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StatusListError("status list token is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise StatusListError("status list token is not a JSON object")
    kid = header.get("kid")
    iat = payload.get("iat")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise StatusListError(f"status list signed by an unknown key {kid!r}")
    if not isinstance(iat, int) or not key.trusted_at(iat):
        raise StatusListError(f"status list key {kid!r} was not trusted when the list was issued")
    try:
        alg = algorithms.by_name(str(header.get("alg")))
    except algorithms.UnknownAlgorithm as exc:
        raise StatusListError(str(exc)) from exc
    if alg.alg_id != key.alg_id:
        raise StatusListError("status list algorithm does not match its key")
    if not alg.verify(key.public_key, b64url_decode(sig_b64), f"{header_b64}.{payload_b64}".encode("ascii")):
        raise StatusListError("status list signature does not verify")
    try:
        lst = payload["status_list"]
        statuses = StatusList.from_compressed(b64url_decode(lst["lst"]), int(lst["bits"]))
        return SignedStatusList(list_id=str(payload["sub"]), issued_at=int(iat), expires_at=int(payload["exp"]),
                                ttl=int(payload["ttl"]), kid=kid, statuses=statuses)
    except (KeyError, TypeError, ValueError) as exc:
        raise StatusListError(f"status list payload malformed: {exc}") from exc
