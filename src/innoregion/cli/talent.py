"""``innoregion talent``: issuer keys, codes, status lists and offline verification.

All sub-commands are pure (files in, files out) except ``keygen --register``, which also records the
key in the platform database and makes it the active issuer key, and ``import``, which imports the talent
office's file into the platform's registry.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path

import click


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _passphrase_option(f):
    return click.option("--passphrase-env", default="INNOREGION_TALENT_KEY_PASSPHRASE", show_default=True,
                        help="Environment variable holding the key file passphrase (unset: no encryption).")(f)


def _passphrase(env: str) -> str | None:
    import os

    return os.environ.get(env) or None


@click.group(name="talent")
def command() -> None:
    """The New Area talent code: keys, issuing, status lists, offline verification."""


@command.command()
@click.option("--key-dir", type=click.Path(path_type=Path), required=True, help="Folder for private key files.")
@click.option("--kid", default=None, help="Key id (default: k<date>-<random>).")
@click.option("--keyring", "keyring_path", type=click.Path(path_type=Path), default=None,
              help="Trusted key ring JSON to add the public key to (created if missing).")
@click.option("--register", is_flag=True, help="Also make it the platform's active issuer key (database).")
@_passphrase_option
def keygen(key_dir: Path, kid: str | None, keyring_path: Path | None, register: bool, passphrase_env: str) -> None:
    """Make an Ed25519 issuer key: private file (0600) and public key-ring entry."""
    import secrets

    from innoregion.engines.credentials import ED25519, KeyRing, TrustedKey, save_private_key

    if register:
        from innoregion.cli import setup_django

        setup_django()
        from innoregion.apps.talent import services

        key = services.create_issuer_key(kid=kid, actor="cli")
        click.echo(json.dumps({"kid": key.kid, "public_key": key.public_key, "key_dir": str(services.keys_dir())}))
        return
    kid = kid or f"k{time.strftime('%Y%m%d')}-{secrets.token_hex(3)}"
    signer = ED25519.generate()
    path = save_private_key(key_dir, kid, signer, _passphrase(passphrase_env))
    entry = TrustedKey(kid=kid, public_key=signer.public_key_bytes(), not_before=int(time.time()) - 60)
    if keyring_path is not None:
        ring = KeyRing.from_json(keyring_path.read_text()) if keyring_path.exists() else KeyRing()
        ring.add(entry)
        keyring_path.write_text(ring.to_json())
    click.echo(json.dumps({"kid": kid, "private_key_file": str(path), **entry.to_dict()}))


@command.command()
@click.option("--key-dir", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--kid", required=True, help="Issuer key id.")
@click.option("--subject", default=None, help="Pseudonymous id (default: a new random one).")
@click.option("--tier", required=True)
@click.option("--catalogue", "catalogue_name", default="changchun-new-area-2025", show_default=True)
@click.option("--status-list", "status_list_id", default="talent-1", show_default=True)
@click.option("--index", "status_index", type=int, required=True, help="Slot in the status list.")
@click.option("--days", type=int, default=365, show_default=True, help="Validity in days.")
@click.option("--holder-out", type=click.Path(path_type=Path), required=True,
              help="Holder file to write: the credential and the device private key (keep it 0600).")
@_passphrase_option
def issue(key_dir: Path, kid: str, subject: str | None, tier: str, catalogue_name: str, status_list_id: str,
          status_index: int, days: int, holder_out: Path, passphrase_env: str) -> None:
    """Issue a credential bound to a new device key; write the holder file."""
    import os

    from innoregion.engines.credentials import ED25519, issue_credential, load_catalogue, load_private_key
    from innoregion.engines.credentials.issuer import new_subject_id

    cat = load_catalogue(catalogue_name)
    if cat.tier(tier) is None:
        raise click.BadParameter(f"tier {tier!r} is not in {cat.id}", param_hint="--tier")
    signer = load_private_key(key_dir, kid, _passphrase(passphrase_env))
    device = ED25519.generate()
    now = int(time.time())
    cred = issue_credential(signer=signer, kid=kid, subject=subject or new_subject_id(), tier=tier,
                            catalogue=cat.id, device_key=device.public_key_bytes(), status_list=status_list_id,
                            status_index=status_index, issued_at=now, expires_at=now + days * 86400)
    fd = os.open(holder_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"credential": _b64(cred.to_bytes()), "device_private_key": _b64(device.private_key_bytes())}, fh)
    click.echo(json.dumps({"subject": cred.subject, "tier": tier, "catalogue": cat.id, "kid": kid,
                           "expires_at": cred.expires_at, "holder_file": str(holder_out)}))


@command.command()
@click.option("--holder", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--png", type=click.Path(path_type=Path), default=None, help="Also write the QR code as PNG.")
def present(holder: Path, png: Path | None) -> None:
    """Sign a fresh presentation (what the phone shows) and print its text."""
    from innoregion.engines.credentials import ED25519, Holder, qr

    data = json.loads(holder.read_text())
    text = Holder(_unb64(data["credential"]), ED25519.load_private(_unb64(data["device_private_key"]))).present().to_text()
    if png is not None:
        png.write_bytes(qr.to_png(text))
    click.echo(text)


@command.command(name="status-list")
@click.option("--key-dir", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--kid", required=True)
@click.option("--list-id", default="talent-1", show_default=True)
@click.option("--size", type=int, default=2**17, show_default=True)
@click.option("--revoke", type=int, multiple=True, help="Index to mark revoked (repeatable).")
@click.option("--suspend", type=int, multiple=True, help="Index to mark suspended (repeatable).")
@click.option("--ttl", type=int, default=3600, show_default=True, help="Max age verifiers may cache it (s).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True)
@_passphrase_option
def status_list(key_dir: Path, kid: str, list_id: str, size: int, revoke: tuple[int, ...], suspend: tuple[int, ...],
                ttl: int, out: Path, passphrase_env: str) -> None:
    """Write a signed, compressed status list token."""
    from innoregion.engines.credentials import (
        REVOKED,
        SUSPENDED,
        StatusList,
        load_private_key,
        sign_status_list,
    )

    statuses = StatusList(size, bits=2)
    for i in revoke:
        statuses.set(i, REVOKED)
    for i in suspend:
        statuses.set(i, SUSPENDED)
    token = sign_status_list(statuses, list_id=list_id, signer=load_private_key(key_dir, kid, _passphrase(passphrase_env)),
                             kid=kid, issued_at=int(time.time()), ttl=ttl)
    out.write_text(token)
    click.echo(f"{out}: {len(token)} characters, {size} entries")


@command.command()
@click.argument("payload", required=False)
@click.option("--image", type=click.Path(path_type=Path, exists=True), default=None, help="Read the QR code from an image.")
@click.option("--keyring", "keyring_path", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--status-list", "status_paths", type=click.Path(path_type=Path, exists=True), multiple=True,
              help="Signed status list token file(s).")
@click.option("--freshness", type=int, default=60, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def verify(payload: str | None, image: Path | None, keyring_path: Path, status_paths: tuple[Path, ...],
           freshness: int, as_json: bool) -> None:
    """Verify a presentation offline (text argument, stdin with '-', or --image). Exit 1 when not valid."""
    from innoregion.engines.credentials import KeyRing, StatusListError, Verifier, qr, shipped_catalogues

    if image is not None:
        try:
            payload = qr.decode_image(image)
        except qr.QRDecodeError as exc:
            raise click.ClickException(str(exc)) from exc
    elif payload in (None, "-"):
        payload = sys.stdin.read()
    verifier = Verifier(KeyRing.from_json(keyring_path.read_text()), shipped_catalogues(), freshness=freshness)
    for path in status_paths:
        try:
            verifier.load_status_list(path.read_text())
        except StatusListError as exc:
            raise click.ClickException(f"{path}: {exc}") from exc
    result = verifier.verify(payload.strip())
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(f"{'VALID' if result.valid else 'NOT VALID'}  subject={result.subject} tier={result.tier} "
                   f"catalogue={result.catalogue}")
        for c in result.checks:
            click.echo(f"  {c.state:8} {c.name:17} {c.detail}")
        for s in result.services:
            click.echo(f"  service: {s['code']} {s['label']}")
    sys.exit(0 if result.valid else 1)


@command.command()
@click.argument("facts_file", type=click.Path(path_type=Path, exists=True))
@click.option("--catalogue", "catalogue_name", default="changchun-new-area-2025", show_default=True)
def place(facts_file: Path, catalogue_name: str) -> None:
    """Place a person (facts as JSON: titles, awards, positions, flags, degree, age, annual_salary_cny)."""
    from innoregion.engines.credentials import load_catalogue, place_in_tier

    placement = place_in_tier(json.loads(facts_file.read_text()), load_catalogue(catalogue_name))
    click.echo(json.dumps({"tier": placement.tier, "rule": placement.rule, "catalogue": placement.catalogue,
                           "explanation": placement.explanation}, ensure_ascii=False, indent=1))


@command.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--quarantine-csv", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the quarantined rows (row, column, value, reason) to this CSV file.")
def import_(file: Path, quarantine_csv: Path | None) -> None:
    """Import a talents file (talents.csv: docs/data/department-files.md) into the registry and place
    each new or changed talent in a tier. Exit 1 when the file is rejected."""
    from innoregion.cli import setup_django

    setup_django()
    from innoregion.apps.imports.services import export_quarantine_csv
    from innoregion.apps.talent.importing import format_report, import_talents_csv
    from innoregion.apps.talent.models import TalentImportBatch

    batch = import_talents_csv(file, user="cli")
    click.echo(format_report(batch), nl=False)
    if quarantine_csv is not None and batch.status == TalentImportBatch.Status.IMPORTED:
        export_quarantine_csv(batch, quarantine_csv)
        click.echo(f"quarantine written to {quarantine_csv}")
    sys.exit(1 if batch.status == TalentImportBatch.Status.REJECTED else 0)
