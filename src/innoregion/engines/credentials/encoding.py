"""Compact binary codec for credentials and presentations, and their text form for a QR code.

Layout (all integers big-endian; ``str8`` is a one-byte length then UTF-8; ``bytes8`` likewise)::

    credential   = "C" version:u8 alg:u8 kid:str8 subject:str8 tier:str8 catalogue:str8
                   issued_at:u32 expires_at:u32 status_list:str8 status_index:u32
                   device_alg:u8 device_key:bytes8 || signature:bytes8
    presentation = "P" version:u8 credential:bytes16 timestamp:u32 nonce:bytes8 challenge:bytes8
                   || device_signature:bytes8

The issuer signs ``CREDENTIAL_CONTEXT + credential-before-signature``; the holder's device signs
``PRESENTATION_CONTEXT + presentation-before-signature``, which includes the whole signed credential.
The context strings keep a signature made for one purpose from being accepted for the other.

Text form: ``TC1:`` followed by unpadded RFC 4648 base32. Base32 uses only QR "alphanumeric" characters
(upper-case letters, digits and ``:``), which a QR code packs in 5.5 bits per character instead of 8,
so the symbol is smaller than with base64 text.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, field

CREDENTIAL_CONTEXT = b"innoregion/talent-credential/v1\x00"
PRESENTATION_CONTEXT = b"innoregion/talent-presentation/v1\x00"
TEXT_PREFIX = "TC1:"
VERSION = 1
U32_MAX = 2**32 - 1


class FormatError(ValueError):
    """The bytes or text are not a well-formed credential or presentation."""


class _Writer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def raw(self, data: bytes) -> None:
        self.parts.append(data)

    def u8(self, value: int) -> None:
        self.parts.append(struct.pack(">B", value))

    def u32(self, value: int) -> None:
        if not 0 <= value <= U32_MAX:
            raise FormatError(f"value {value} does not fit 32 bits")
        self.parts.append(struct.pack(">I", value))

    def bytes8(self, data: bytes) -> None:
        if len(data) > 255:
            raise FormatError("field longer than 255 bytes")
        self.u8(len(data))
        self.parts.append(data)

    def bytes16(self, data: bytes) -> None:
        if len(data) > 65535:
            raise FormatError("field longer than 65535 bytes")
        self.parts.append(struct.pack(">H", len(data)))
        self.parts.append(data)

    def str8(self, text: str) -> None:
        self.bytes8(text.encode("utf-8"))

    def value(self) -> bytes:
        return b"".join(self.parts)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise FormatError("truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def bytes8(self) -> bytes:
        return self.take(self.u8())

    def bytes16(self) -> bytes:
        return self.take(struct.unpack(">H", self.take(2))[0])

    def str8(self) -> str:
        try:
            return self.bytes8().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError("text field is not UTF-8") from exc

    def end(self) -> None:
        if self.pos != len(self.data):
            raise FormatError("trailing bytes")


@dataclass(frozen=True)
class Credential:
    """What the issuer vouches for. No name, no national ID number: a pseudonymous subject id."""

    subject: str
    tier: str
    catalogue: str
    issued_at: int
    expires_at: int
    status_list: str
    status_index: int
    kid: str
    device_key: bytes
    alg_id: int = 1
    device_alg_id: int = 1
    signature: bytes = b""

    def body(self) -> bytes:
        w = _Writer()
        w.raw(b"C")
        w.u8(VERSION)
        w.u8(self.alg_id)
        w.str8(self.kid)
        w.str8(self.subject)
        w.str8(self.tier)
        w.str8(self.catalogue)
        w.u32(self.issued_at)
        w.u32(self.expires_at)
        w.str8(self.status_list)
        w.u32(self.status_index)
        w.u8(self.device_alg_id)
        w.bytes8(self.device_key)
        return w.value()

    def signing_input(self) -> bytes:
        return CREDENTIAL_CONTEXT + self.body()

    def to_bytes(self) -> bytes:
        w = _Writer()
        w.raw(self.body())
        w.bytes8(self.signature)
        return w.value()

    @classmethod
    def from_bytes(cls, data: bytes) -> Credential:
        r = _Reader(data)
        if r.take(1) != b"C":
            raise FormatError("not a credential")
        if r.u8() != VERSION:
            raise FormatError("unsupported credential version")
        alg_id = r.u8()
        kid = r.str8()
        subject = r.str8()
        tier = r.str8()
        catalogue = r.str8()
        issued_at = r.u32()
        expires_at = r.u32()
        status_list = r.str8()
        status_index = r.u32()
        device_alg_id = r.u8()
        device_key = r.bytes8()
        signature = r.bytes8()
        r.end()
        return cls(subject=subject, tier=tier, catalogue=catalogue, issued_at=issued_at,
                   expires_at=expires_at, status_list=status_list, status_index=status_index, kid=kid,
                   device_key=device_key, alg_id=alg_id, device_alg_id=device_alg_id, signature=signature)


@dataclass(frozen=True)
class Presentation:
    """A fresh, device-signed wrapper around one credential: what the QR code carries."""

    credential_bytes: bytes
    timestamp: int
    nonce: bytes
    challenge: bytes = b""
    signature: bytes = b""
    credential: Credential = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "credential", Credential.from_bytes(self.credential_bytes))

    def body(self) -> bytes:
        w = _Writer()
        w.raw(b"P")
        w.u8(VERSION)
        w.bytes16(self.credential_bytes)
        w.u32(self.timestamp)
        w.bytes8(self.nonce)
        w.bytes8(self.challenge)
        return w.value()

    def signing_input(self) -> bytes:
        return PRESENTATION_CONTEXT + self.body()

    def to_bytes(self) -> bytes:
        w = _Writer()
        w.raw(self.body())
        w.bytes8(self.signature)
        return w.value()

    @classmethod
    def from_bytes(cls, data: bytes) -> Presentation:
        r = _Reader(data)
        if r.take(1) != b"P":
            raise FormatError("not a presentation")
        if r.u8() != VERSION:
            raise FormatError("unsupported presentation version")
        credential_bytes = r.bytes16()
        timestamp = r.u32()
        nonce = r.bytes8()
        challenge = r.bytes8()
        signature = r.bytes8()
        r.end()
        return cls(credential_bytes=credential_bytes, timestamp=timestamp, nonce=nonce,
                   challenge=challenge, signature=signature)

    def to_text(self) -> str:
        return to_text(self.to_bytes())

    @classmethod
    def from_text(cls, text: str) -> Presentation:
        return cls.from_bytes(from_text(text))


def to_text(data: bytes) -> str:
    return TEXT_PREFIX + base64.b32encode(data).decode("ascii").rstrip("=")


_B32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_TO_INT_DIGITS = str.maketrans(_B32_ALPHABET, "0123456789abcdefghijklmnopqrstuv")


def from_text(text: str) -> bytes:
    cleaned = "".join(text.split()).upper()
    if not cleaned.startswith(TEXT_PREFIX):
        raise FormatError(f"text does not start with {TEXT_PREFIX}")
    body = cleaned[len(TEXT_PREFIX) :].rstrip("=")
    if not body or body.strip(_B32_ALPHABET):
        raise FormatError("text is not base32")
    # base32 digits map one-to-one onto Python's base-32 integer digits, so int() decodes in C;
    # much faster than base64.b32decode, which is pure Python
    nbytes, spare = divmod(5 * len(body), 8)
    if spare >= 5:
        raise FormatError("base32 text has an impossible length")
    value = int(body.translate(_B32_TO_INT_DIGITS), 32)
    if value & ((1 << spare) - 1):
        raise FormatError("base32 text has non-zero padding bits")
    return (value >> spare).to_bytes(nbytes, "big")
