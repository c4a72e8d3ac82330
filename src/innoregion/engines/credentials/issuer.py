"""Issuing credentials (the official side) and presenting them (the holder's device)."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import replace

from innoregion.engines.credentials import algorithms
from innoregion.engines.credentials.encoding import Credential, Presentation

DEFAULT_VALIDITY = 365 * 24 * 3600
REFRESH_SECONDS = 30
NONCE_BYTES = 12


def new_subject_id() -> str:
    """A random pseudonymous id (80 bits, 16 base32 characters): it says nothing about the person."""
    return base64.b32encode(os.urandom(10)).decode("ascii")


def issue_credential(*, signer: algorithms.Signer, kid: str, subject: str, tier: str, catalogue: str,
                     device_key: bytes, status_list: str, status_index: int, issued_at: int | None = None,
                     expires_at: int | None = None, device_alg_id: int = 1) -> Credential:
    issued = int(time.time()) if issued_at is None else int(issued_at)
    expires = issued + DEFAULT_VALIDITY if expires_at is None else int(expires_at)
    if expires <= issued:
        raise ValueError("a credential must expire after it is issued")
    algorithms.by_id(device_alg_id)  # the device algorithm must be known
    unsigned = Credential(subject=subject, tier=tier, catalogue=catalogue, issued_at=issued, expires_at=expires,
                          status_list=status_list, status_index=status_index, kid=kid, device_key=device_key,
                          alg_id=signer.alg_id, device_alg_id=device_alg_id)
    return replace(unsigned, signature=signer.sign(unsigned.signing_input()))


class Holder:
    """The holder's device: keeps the device private key and re-signs a presentation on demand.

    On a phone the key would be made in the secure element and never leave it; in the web demo the
    server plays this part (docs/talent-code.md).
    """

    def __init__(self, credential: Credential | bytes, device: algorithms.Signer) -> None:
        self.credential_bytes = credential if isinstance(credential, bytes) else credential.to_bytes()
        self.device = device

    def present(self, now: float | None = None, challenge: bytes = b"", nonce: bytes | None = None) -> Presentation:
        timestamp = int(time.time() if now is None else now)
        unsigned = Presentation(credential_bytes=self.credential_bytes, timestamp=timestamp,
                                nonce=os.urandom(NONCE_BYTES) if nonce is None else nonce, challenge=challenge)
        return replace(unsigned, signature=self.device.sign(unsigned.signing_input()))
