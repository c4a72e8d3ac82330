"""Access services: every change to users, banks, tokens and consents goes through here and is
audited."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innoregion.apps.access import audit
from innoregion.apps.access.models import ApiToken, Bank, Consent, Profile, Role, hash_token
from innoregion.apps.access.policy import allowed, who_of

TOKEN_PREFIX = "irk_"
SCOPES = ("summary", "breakdown", "filings")


@transaction.atomic
def create_bank(name: str, code: str, actor=None) -> Bank:
    bank = Bank.objects.create(name=name, code=code)
    audit.record(actor, "bank.create", bank, after=audit.snapshot(bank))
    return bank


@transaction.atomic
def create_user(username: str, password: str, role: str, *, enterprise=None, bank=None, actor=None,
                email: str = ""):
    """Create (or reset) a login with its role; returns the user."""
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    before = None if created else audit.snapshot(getattr(user, "profile", None))
    user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"role": role, "enterprise": enterprise if role == Role.ENTERPRISE else None,
                             "bank": bank if role == Role.BANK else None})
    audit.record(actor, "user.create" if created else "user.reset", profile,
                 enterprise=profile.enterprise_id, bank=profile.bank_id, before=before,
                 after=audit.snapshot(profile))
    return user


@transaction.atomic
def create_api_token(bank: Bank, user, name: str, scopes=SCOPES, days: int = 90, actor=None):
    """Returns ``(token, raw)``; ``raw`` is shown once and never stored (only its SHA-256)."""
    scopes = [s for s in SCOPES if s in set(scopes)]
    if not scopes:
        raise ValidationError(_("Choose at least one scope."))
    if who_of(user).bank_id != bank.pk:
        raise PermissionDenied("the token's user must belong to the bank")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(bank=bank, user=user, name=name, prefix=raw[:10], digest=hash_token(raw),
                                    scopes=scopes, expires_at=timezone.now() + dt.timedelta(days=days))
    audit.record(actor or user, "token.create", token, bank=bank,
                 after={"name": name, "prefix": token.prefix, "scopes": scopes,
                        "expires_at": token.expires_at.isoformat()})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "token.revoke", token, bank=token.bank_id, after={"revoked_at": token.revoked_at})
    return token


_TOKEN_COLUMNS = ("id", "bank_id", "user_id", "prefix", "digest", "scopes", "expires_at", "revoked_at",
                  "last_used_at", "user__id", "user__username", "user__is_active", "user__is_superuser",
                  "user__profile__id", "user__profile__user_id", "user__profile__role",
                  "user__profile__enterprise_id", "user__profile__bank_id")


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token whose SHA-256 matches ``raw`` (constant-time compare of the digests)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(raw)
    # one query, only the columns a request needs (not the user's password hash, names or e-mail), and
    # no ORDER BY (the digest is unique)
    found = (ApiToken.objects.select_related("user", "user__profile").only(*_TOKEN_COLUMNS)
             .filter(digest=digest).order_by()[:1])
    token = next(iter(found), None)
    if token is None or not secrets.compare_digest(token.digest, digest) or not token.is_active():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def grant_consent(enterprise, bank: Bank, scopes, purpose: str, expires_at: dt.datetime, actor) -> Consent:
    """The enterprise (its user, or an administrator) lets ``bank`` read ``scopes`` until ``expires_at``."""
    if not allowed(actor, "access.grant_consent", enterprise):
        raise PermissionDenied(_("Only the enterprise itself can grant consent."))
    scopes = set(scopes)
    if not scopes or not scopes <= set(SCOPES):
        raise ValidationError(_("Choose at least one scope."))
    if expires_at <= timezone.now():
        raise ValidationError(_("The expiry must be in the future."))
    consent = Consent.objects.create(
        enterprise=enterprise, bank=bank, purpose=purpose, expires_at=expires_at, granted_by=actor,
        scope_summary="summary" in scopes, scope_breakdown="breakdown" in scopes,
        scope_filings="filings" in scopes)
    audit.record(actor, "consent.grant", consent, enterprise=enterprise, bank=bank, consent=consent,
                 after=consent.as_dict())
    return consent


@transaction.atomic
def revoke_consent(consent: Consent, actor) -> Consent:
    if not allowed(actor, "access.withdraw_consent", consent):
        raise PermissionDenied(_("Only the enterprise itself can revoke consent."))
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is None:
        before = consent.as_dict()
        consent.revoked_at = timezone.now()
        consent.revoked_by = actor
        consent.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(actor, "consent.revoke", consent, enterprise=consent.enterprise_id, bank=consent.bank_id,
                     consent=consent, before=before, after=consent.as_dict())
    return consent


def create_demo_users(enterprise=None, *, stdout=print) -> dict:
    """Demo logins: an official, an administrator, a bank with a user and one API token, and an
    enterprise user (bound to ``enterprise`` or the first enterprise). Passwords are random and
    printed once; running it again resets them. Returns the credentials."""
    from innoregion.apps.region.models import Enterprise

    def pw() -> str:
        return secrets.token_urlsafe(12)

    creds: dict = {}
    with transaction.atomic():
        for username, role in (("official", Role.OFFICIAL), ("admin", Role.ADMIN)):
            creds[username] = {"username": username, "password": pw(), "role": role.value}
            create_user(username, creds[username]["password"], role)
        bank = Bank.objects.filter(code="demo-bank").first() or create_bank("Demo Bank", "demo-bank")
        creds["bank"] = {"username": "bank", "password": pw(), "role": Role.BANK.value, "bank": bank.name}
        bank_user = create_user("bank", creds["bank"]["password"], Role.BANK, bank=bank)
        _token, raw = create_api_token(bank, bank_user, "demo", SCOPES, days=30)
        creds["bank"]["api_token"] = raw
        enterprise = enterprise or Enterprise.objects.order_by("pk").first()
        if enterprise is not None:
            creds["enterprise"] = {"username": "enterprise", "password": pw(), "role": Role.ENTERPRISE.value,
                                   "enterprise": enterprise.credit_code}
            create_user("enterprise", creds["enterprise"]["password"], Role.ENTERPRISE, enterprise=enterprise)
    if stdout is not None:
        stdout("Demo users (passwords are random; shown once):")
        for c in creds.values():
            extra = ", ".join(f"{k}={v}" for k, v in c.items() if k not in ("username", "password", "role"))
            stdout(f"  {c['role']:<10} user={c['username']:<10} password={c['password']}"
                   + (f"  {extra}" if extra else ""))
        if "enterprise" not in creds:
            stdout("  (no enterprise in the database yet: no enterprise user created)")
    return creds
