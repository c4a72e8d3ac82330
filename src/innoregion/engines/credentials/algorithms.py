"""Signature algorithms behind a small interface.

A credential names its algorithm by a one-byte id (and a JOSE name for the status-list token), so a
second algorithm can be added without touching the codec or the verifier:

1. write a class with the :class:`Algorithm` shape (``alg_id``, ``jose_name``, ``generate``,
   ``load_private``, ``verify``) whose ``generate``/``load_private`` return a :class:`Signer`;
2. call :func:`register` with it at import time of the module that provides it.

An SM2 signer (Chinese national cryptography, GB/T 32918, with SM3 and the default user id) would take
``alg_id = 2`` and ``jose_name = "SM2"``; ``gmssl`` provides the primitives. It is not shipped here (see
docs/talent-code.md, "Other algorithms").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class Signer(Protocol):
    """Holds a private key; signs bytes."""

    alg_id: int

    def sign(self, data: bytes) -> bytes: ...

    def public_key_bytes(self) -> bytes: ...

    def private_key_bytes(self) -> bytes: ...


class Algorithm(Protocol):
    alg_id: int
    jose_name: str
    name: str

    def generate(self) -> Signer: ...

    def load_private(self, raw: bytes) -> Signer: ...

    def verify(self, public_key: bytes, signature: bytes, data: bytes) -> bool: ...


class UnknownAlgorithm(ValueError):
    pass


@dataclass
class Ed25519Signer:
    key: Ed25519PrivateKey
    alg_id: int = 1

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def public_key_bytes(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def private_key_bytes(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )


class Ed25519Algorithm:
    alg_id = 1
    jose_name = "EdDSA"
    name = "Ed25519"

    def generate(self) -> Ed25519Signer:
        return Ed25519Signer(Ed25519PrivateKey.generate())

    def load_private(self, raw: bytes) -> Ed25519Signer:
        return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(raw))

    def verify(self, public_key: bytes, signature: bytes, data: bytes) -> bool:
        if len(public_key) != 32 or len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True


_BY_ID: dict[int, Algorithm] = {}
_BY_NAME: dict[str, Algorithm] = {}


def register(algorithm: Algorithm) -> None:
    """Make an algorithm known to the codec, the issuer and the verifier."""
    _BY_ID[algorithm.alg_id] = algorithm
    _BY_NAME[algorithm.name.lower()] = algorithm
    _BY_NAME[algorithm.jose_name.lower()] = algorithm


def by_id(alg_id: int) -> Algorithm:
    try:
        return _BY_ID[alg_id]
    except KeyError:
        raise UnknownAlgorithm(f"unknown signature algorithm id {alg_id}") from None


def by_name(name: str) -> Algorithm:
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise UnknownAlgorithm(f"unknown signature algorithm {name!r}") from None


ED25519 = Ed25519Algorithm()
register(ED25519)
