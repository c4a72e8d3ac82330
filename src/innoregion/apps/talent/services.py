"""Talent services: issuer keys, placement, issuing and status changes (audited), the signed status list,
the web demo's holder, verification at a service point, and the region counts the cockpit shows."""

from __future__ import annotations

import base64
import os
import secrets
import threading
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from innoregion.apps.access import audit as audit_log
from innoregion.apps.talent.models import IssuerKey, Talent, TalentCredential
from innoregion.engines.credentials import (
    ED25519,
    REVOKED,
    SUSPENDED,
    Holder,
    KeyRing,
    NonceCache,
    StatusList,
    TrustedKey,
    VerificationResult,
    Verifier,
    algorithms,
    issue_credential,
    load_catalogue,
    load_private_key,
    place_in_tier,
    save_private_key,
    shipped_catalogues,
    sign_status_list,
)

STATUS_LIST_ID = "talent-1"
STATUS_LIST_SIZE = 2**17  # 131,072 slots, 32 KiB before compression
STATUS_LIST_TTL = int(os.environ.get("INNOREGION_TALENT_STATUS_TTL", "300"))
DEFAULT_CATALOGUE = "changchun-new-area-2025"
DEFAULT_VALIDITY_DAYS = 365


class TalentError(ValueError):
    pass


# --- helpers ---------------------------------------------------------------------------------------

def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ts(dt: datetime | None) -> int | None:
    return None if dt is None else int(dt.timestamp())


def keys_dir():
    return settings.DATA_DIR / "talent-keys"


def _passphrase() -> str | None:
    return os.environ.get("INNOREGION_TALENT_KEY_PASSPHRASE") or None


def _device_fernet() -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"innoregion-talent", info=b"device-keys")
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode("utf-8"))))


def audit(actor, action: str, obj=None, before: dict | None = None, after: dict | None = None,
          object_type: str | None = None):
    """Append one entry to the platform's audit log (innoregion.apps.access). ``actor`` may be a user,
    None (system) or a label such as "cli"."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is None and isinstance(actor, str):
        after = {**(after or {}), "via": actor}
    return audit_log.record(user, action, obj, object_type=object_type, before=before, after=after)


# --- issuer keys -----------------------------------------------------------------------------------

@transaction.atomic
def create_issuer_key(kid: str | None = None, actor=None, verify_grace_days: int = DEFAULT_VALIDITY_DAYS) -> IssuerKey:
    """Make a new signing key (file 0600 in the data folder) and retire the current one.

    The retired key stays trusted for verification until its last code expires (at least
    ``verify_grace_days`` from now), so rotating never invalidates codes already handed out.
    """
    now = timezone.now()
    kid = kid or f"k{now:%Y%m%d}-{secrets.token_hex(3)}"
    signer = ED25519.generate()
    save_private_key(keys_dir(), kid, signer, _passphrase())
    for old in IssuerKey.objects.select_for_update().filter(status=IssuerKey.Status.ACTIVE):
        last = old.credentials.order_by("-expires_at").values_list("expires_at", flat=True).first()
        old.status, old.retired_at = IssuerKey.Status.RETIRED, now
        old.verify_until = max(filter(None, [last, now + timedelta(days=verify_grace_days)]))
        old.save()
        audit(actor, "talent.key.retire", old, after={"kid": old.kid, "verify_until": old.verify_until.isoformat()})
    key = IssuerKey.objects.create(kid=kid, algorithm=ED25519.name, public_key=b64u(signer.public_key_bytes()),
                                   created_at=now)
    audit(actor, "talent.key.create", key, after={"kid": kid})
    return key


def active_issuer(create: bool = True) -> tuple[IssuerKey, algorithms.Signer]:
    key = IssuerKey.objects.filter(status=IssuerKey.Status.ACTIVE).order_by("-created_at").first()
    if key is None:
        if not create:
            raise TalentError("no active issuer key: run `innoregion talent keygen` or create one")
        key = create_issuer_key()
    cache_key = (str(keys_dir()), key.kid, key.public_key)
    signer = _signers.get(cache_key)
    if signer is None:  # decrypting a key file costs a scrypt run: once per process and key
        signer = load_private_key(keys_dir(), key.kid, _passphrase())
        if b64u(signer.public_key_bytes()) != key.public_key:
            raise TalentError(f"the key file of {key.kid} does not match its public key")
        _signers[cache_key] = signer
    return key, signer


_signers: dict[tuple[str, str, str], algorithms.Signer] = {}


def key_ring() -> KeyRing:
    ring = KeyRing()
    for key in IssuerKey.objects.exclude(status=IssuerKey.Status.COMPROMISED):
        ring.add(TrustedKey(kid=key.kid, public_key=unb64u(key.public_key),
                            alg_id=algorithms.by_name(key.algorithm).alg_id,
                            not_before=_ts(key.created_at) - 60, verify_until=_ts(key.verify_until)))
    return ring


# --- placement and issuing -------------------------------------------------------------------------

def catalogue():
    return load_catalogue(getattr(settings, "TALENT_CATALOGUE", DEFAULT_CATALOGUE))


@transaction.atomic
def place(talent: Talent, actor=None):
    placement = place_in_tier(talent.facts(), catalogue())
    before = {"tier": talent.tier, "catalogue": talent.catalogue_version}
    talent.tier = placement.tier or ""
    talent.catalogue_version = placement.catalogue
    talent.placement_explanation = placement.explanation
    talent.placed_at = timezone.now()
    talent.save()
    audit(actor, "talent.place", talent, before=before,
          after={"tier": talent.tier, "catalogue": talent.catalogue_version, "rule": placement.rule})
    return placement


def _free_index(list_id: str) -> int:
    used = set(TalentCredential.objects.filter(status_list=list_id).values_list("status_index", flat=True))
    if len(used) >= STATUS_LIST_SIZE:
        raise TalentError(f"status list {list_id} is full")
    while True:  # random slots, so neighbouring indexes say nothing about issue order
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if index not in used:
            return index


@transaction.atomic
def issue(talent: Talent, actor=None, validity_days: int = DEFAULT_VALIDITY_DAYS) -> TalentCredential:
    """Issue a new code for the talent's current tier; earlier valid or suspended codes are revoked."""
    if not talent.tier:
        raise TalentError("the talent has no tier: place them first")
    key, signer = active_issuer()
    device = ED25519.generate()  # web demo: the server plays the holder's device
    now = timezone.now().replace(microsecond=0)
    expires = now + timedelta(days=validity_days)
    for old in talent.credentials.exclude(status=TalentCredential.Status.REVOKED):
        set_status(old, TalentCredential.Status.REVOKED, actor, reason="superseded by a new code")
    index = _free_index(STATUS_LIST_ID)
    cred = issue_credential(signer=signer, kid=key.kid, subject=talent.pseudonymous_id, tier=talent.tier,
                            catalogue=talent.catalogue_version, device_key=device.public_key_bytes(),
                            status_list=STATUS_LIST_ID, status_index=index, issued_at=_ts(now),
                            expires_at=_ts(expires))
    row = TalentCredential.objects.create(
        talent=talent, issuer_key=key, status_list=STATUS_LIST_ID, status_index=index, tier=talent.tier,
        catalogue_version=talent.catalogue_version, issued_at=now, expires_at=expires,
        credential=b64u(cred.to_bytes()), device_public_key=b64u(device.public_key_bytes()),
        device_private_key=_device_fernet().encrypt(device.private_key_bytes()).decode("ascii"),
        issued_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit(actor, "talent.credential.issue", row,
          after={"talent": talent.pseudonymous_id, "tier": row.tier, "kid": key.kid, "index": index,
                 "expires_at": expires.isoformat()})
    return row


def issue_missing(actor=None, validity_days: int = DEFAULT_VALIDITY_DAYS) -> int:
    """Issue a code to every placed talent that has none in force; returns how many were issued.

    In force: a valid code not yet expired. A talent whose code is suspended gets nothing (issuing would
    revoke the suspended code and undo the suspension); one whose code expired or was revoked gets a new one.
    """
    now = timezone.now()
    in_force = TalentCredential.objects.filter(talent=OuterRef("pk")).filter(
        Q(status=TalentCredential.Status.SUSPENDED) | Q(status=TalentCredential.Status.VALID, expires_at__gt=now))
    todo = Talent.objects.exclude(tier="").exclude(Exists(in_force)).order_by("pk")
    issued = 0
    with transaction.atomic():
        for talent in todo.iterator(chunk_size=1000):
            issue(talent, actor=actor, validity_days=validity_days)
            issued += 1
    return issued


TRANSITIONS = {
    TalentCredential.Status.VALID: {TalentCredential.Status.SUSPENDED, TalentCredential.Status.REVOKED},
    TalentCredential.Status.SUSPENDED: {TalentCredential.Status.VALID, TalentCredential.Status.REVOKED},
    TalentCredential.Status.REVOKED: set(),
}


@transaction.atomic
def set_status(credential: TalentCredential, status: str, actor=None, reason: str = "") -> TalentCredential:
    if status not in TRANSITIONS[credential.status]:
        raise TalentError(f"a {credential.status} code cannot become {status}")
    before = {"status": credential.status}
    credential.status = status
    credential.status_reason = reason[:300]
    credential.status_changed_at = timezone.now()
    credential.save(update_fields=["status", "status_reason", "status_changed_at"])
    action = {"valid": "reinstate", "suspended": "suspend", "revoked": "revoke"}[status]
    audit(actor, f"talent.credential.{action}", credential, before=before,
          after={"status": status, "reason": reason, "talent": credential.talent.pseudonymous_id})
    return credential


# --- status list, holder, verifier ---------------------------------------------------------------

def status_list_token(list_id: str = STATUS_LIST_ID, now: datetime | None = None) -> str:
    statuses = StatusList(STATUS_LIST_SIZE, bits=2)
    code = {TalentCredential.Status.REVOKED: REVOKED, TalentCredential.Status.SUSPENDED: SUSPENDED}
    rows = TalentCredential.objects.filter(status_list=list_id).exclude(status=TalentCredential.Status.VALID)
    for index, status in rows.values_list("status_index", "status"):
        statuses.set(index, code[status])
    key, signer = active_issuer()
    issued = _ts(now or timezone.now())
    return sign_status_list(statuses, list_id=list_id, signer=signer, kid=key.kid, issued_at=issued,
                            ttl=STATUS_LIST_TTL)


def presentation_for(credential: TalentCredential, now: float | None = None) -> str:
    """The web demo's holder: sign a fresh presentation with the device key the server keeps."""
    if not credential.device_private_key:
        raise TalentError("this code's device key is not held by the server")
    device = ED25519.load_private(_device_fernet().decrypt(credential.device_private_key.encode("ascii")))
    return Holder(unb64u(credential.credential), device).present(now=now).to_text()


def current_credential(talent: Talent) -> TalentCredential | None:
    return talent.credentials.exclude(status=TalentCredential.Status.REVOKED).order_by("-issued_at").first()


_nonces = NonceCache()  # per process: a service point that runs several processes shares nothing here
_nonce_lock = threading.Lock()


def verifier(now: datetime | None = None) -> Verifier:
    v = Verifier(key_ring(), shipped_catalogues(), nonce_cache=_nonces)
    v.load_status_list(status_list_token(now=now))
    return v


def verify_text(text: str, actor=None, language: str = "en") -> VerificationResult:
    with _nonce_lock:
        result = verifier().verify(text.strip(), language=language)
    audit(actor, "talent.credential.verify", object_type="talent.presentation",
          after={"subject": result.subject, "valid": result.valid, "failed": result.failed})
    return result

