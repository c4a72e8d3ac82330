"""Issuer keys: the verifier's trusted key ring and the issuer's private key files.

Rotation: every key has an id (``kid``) carried in each credential and status list. A new key is added
to the ring and takes over signing; the old one stays in the ring with a ``verify_until`` date, so the
codes it signed keep verifying until then (set it to at least the old key's last expiry date). After
that date, or at once for a compromised key, anything it signed is rejected.

Private keys never go into the database: :func:`save_private_key` writes one JSON file per key, mode
0600 in a 0700 folder, optionally encrypted under a passphrase (scrypt-derived Fernet key).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from innoregion.engines.credentials import algorithms


class KeyFileError(LookupError):
    pass


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    public_key: bytes
    alg_id: int = 1
    not_before: int | None = None
    verify_until: int | None = None

    def trusted_at(self, when: float) -> bool:
        if self.not_before is not None and when < self.not_before:
            return False
        return self.verify_until is None or when <= self.verify_until

    def to_dict(self) -> dict:
        return {"kid": self.kid, "alg": algorithms.by_id(self.alg_id).name,
                "public_key": base64.urlsafe_b64encode(self.public_key).decode().rstrip("="),
                "not_before": self.not_before, "verify_until": self.verify_until}

    @classmethod
    def from_dict(cls, data: dict) -> TrustedKey:
        pub = data["public_key"]
        return cls(kid=data["kid"], alg_id=algorithms.by_name(data.get("alg", "Ed25519")).alg_id,
                   public_key=base64.urlsafe_b64decode(pub + "=" * (-len(pub) % 4)),
                   not_before=data.get("not_before"), verify_until=data.get("verify_until"))


@dataclass
class KeyRing:
    """The set of issuer public keys a verifier trusts, by key id."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)

    def add(self, key: TrustedKey) -> None:
        self.keys[key.kid] = key

    def get(self, kid: str) -> TrustedKey | None:
        return self.keys.get(kid)

    def to_json(self) -> str:
        return json.dumps({"keys": [k.to_dict() for k in self.keys.values()]}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        return cls({d["kid"]: TrustedKey.from_dict(d) for d in json.loads(text)["keys"]})


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    kdf = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))


def save_private_key(folder: Path, kid: str, signer: algorithms.Signer, passphrase: str | None = None) -> Path:
    """Write a private key file ``<folder>/<kid>.key.json`` (0600); refuse to overwrite one."""
    if not kid or "/" in kid or kid.startswith("."):
        raise ValueError(f"bad key id {kid!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    raw = signer.private_key_bytes()
    record: dict = {"kid": kid, "alg": algorithms.by_id(signer.alg_id).name,
                    "public_key": base64.b64encode(signer.public_key_bytes()).decode()}
    if passphrase:
        salt = os.urandom(16)
        record.update(encryption="scrypt-fernet", salt=base64.b64encode(salt).decode(),
                      private_key=_fernet(passphrase, salt).encrypt(raw).decode())
    else:
        record.update(encryption="none", private_key=base64.b64encode(raw).decode())
    path = folder / f"{kid}.key.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(record, fh)
    return path


def load_private_key(folder: Path, kid: str, passphrase: str | None = None) -> algorithms.Signer:
    path = Path(folder) / f"{kid}.key.json"
    if not path.exists():
        raise KeyFileError(f"no private key file for {kid!r} in {folder}")
    if os.stat(path).st_mode & 0o077:
        raise KeyFileError(f"{path} is readable by others; chmod 600 it")
    record = json.loads(path.read_text())
    alg = algorithms.by_name(record["alg"])
    if record.get("encryption") == "scrypt-fernet":
        if not passphrase:
            raise KeyFileError(f"{path} is encrypted; a passphrase is needed")
        try:
            raw = _fernet(passphrase, base64.b64decode(record["salt"])).decrypt(record["private_key"].encode())
        except InvalidToken as exc:
            raise KeyFileError("wrong passphrase for the issuer key") from exc
    else:
        raw = base64.b64decode(record["private_key"])
    return alg.load_private(raw)
