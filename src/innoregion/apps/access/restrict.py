"""The one choke point: ``restrict(queryset, user, action)``.

Every view and API endpoint reads through it. Rules are registered per model label; a model
without a rule is visible to administrators only (closed by default).

Actions: ``view`` (pages), ``change``, and for banks the consent scopes ``summary``,
``breakdown`` and ``filings`` (a bank sees an enterprise's object only under an active consent
that carries the scope).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone

from innoregion.apps.access.models import Role

BANK_ACTIONS = {"view": "summary", "summary": "summary", "breakdown": "breakdown", "filings": "filings"}

# model label -> function(user_context, action) -> Q | None (None: nothing), or True: everything
_RULES: dict[str, Callable] = {}


NO_PROFILE = object()  # stored on a user known to have no profile (``Who`` then does not look again)


class Who:
    """The role and bindings of a user, read once per request."""

    def __init__(self, user):
        self.user = user
        self.role = None
        self.enterprise_id = None
        self.bank_id = None
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return
        if user.is_superuser:
            self.role = Role.ADMIN
            return
        profile = getattr(user, "_innoregion_profile", None)
        if profile is None:
            from innoregion.apps.access.models import Profile

            profile = Profile.objects.filter(user=user).first() or NO_PROFILE
            user._innoregion_profile = profile
        if profile is not NO_PROFILE:
            self.role, self.enterprise_id, self.bank_id = profile.role, profile.enterprise_id, profile.bank_id


def role_of(user) -> str | None:
    return Who(user).role


def rule(label: str):
    def register(fn):
        _RULES[label] = fn
        return fn

    return register


def consented_enterprises_q(bank_id: int, scope: str, field: str = "pk") -> Q:
    """Q over rows whose enterprise (``field``) has an active consent to ``bank_id`` for ``scope``."""
    from innoregion.apps.access.models import Consent

    ids = Consent.objects.active().with_scope(scope).filter(bank_id=bank_id).values("enterprise_id")
    return Q(**{f"{field}__in": ids})


def _enterprise_rule(who: Who, action: str, field: str = "pk"):
    """Shared by the enterprise and everything that belongs to one enterprise through ``field``."""
    if who.role in (Role.ADMIN,):
        return True
    if who.role == Role.OFFICIAL:
        return True if action in ("view", "summary", "breakdown", "filings") else None
    if who.role == Role.ENTERPRISE:
        if action in ("view", "summary", "breakdown", "filings", "change", "consent"):
            return Q(**{field: who.enterprise_id})
        return None
    if who.role == Role.BANK:
        scope = BANK_ACTIONS.get(action)
        if scope is None:
            return None
        return consented_enterprises_q(who.bank_id, scope, field)
    return None


@rule("region.enterprise")
def _enterprise(who, action):
    return _enterprise_rule(who, action)


@rule("region.filing")
def _filing(who, action):
    if who.role == Role.BANK and action == "view":
        action = "filings"
    return _enterprise_rule(who, action, "enterprise_id")


@rule("region.filingconflict")
def _conflict(who, action):
    return _enterprise_rule(who, "filings" if action == "view" else action, "enterprise_id")


def _public_to_staff(who, action):
    """Reference data (zones, clusters, platforms, indicators): every signed-in role may view."""
    if who.role == Role.ADMIN:
        return True
    if who.role is not None and action == "view":
        return True
    return None


for _label in ("region.zone", "region.cluster", "region.platform", "region.indicator"):
    _RULES[_label] = _public_to_staff


def _officials(who, action):
    """Import batches, score runs, ladder runs: the bureau's working data."""
    if who.role in (Role.ADMIN, Role.OFFICIAL):
        return True
    return None


for _label in ("imports.importbatch", "imports.quarantinedrow", "points.scoringrun", "ladder.ladderrun",
               "ladder.benefitrun"):
    _RULES[_label] = _officials


def _per_enterprise(who, action):
    if who.role == Role.BANK and action == "view":
        action = "summary"
    return _enterprise_rule(who, action, "enterprise_id")


for _label in ("points.enterprisescore", "ladder.ladderoutcome", "ladder.benefitgrant"):
    _RULES[_label] = _per_enterprise


@rule("access.consent")
def _consent(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.OFFICIAL and action == "view":
        return True
    if who.role == Role.ENTERPRISE:
        return Q(enterprise_id=who.enterprise_id)
    if who.role == Role.BANK and action == "view":
        return Q(bank_id=who.bank_id)
    return None


@rule("access.auditentry")
def _audit(who, action):
    if action != "view":
        return None  # append-only: nobody changes audit rows
    if who.role in (Role.ADMIN, Role.OFFICIAL):
        return True
    if who.role == Role.ENTERPRISE:
        return Q(enterprise_id=who.enterprise_id)
    if who.role == Role.BANK:
        return Q(bank_id=who.bank_id)
    return None


@rule("access.apitoken")
def _token(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.BANK:
        return Q(bank_id=who.bank_id)
    return None


@rule("access.bank")
def _bank(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role in (Role.OFFICIAL, Role.ENTERPRISE) and action == "view":
        return True  # to choose a bank when granting consent
    if who.role == Role.BANK:
        return Q(pk=who.bank_id)
    return None


@rule("access.profile")
def _profile(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.user is not None and who.role is not None:
        return Q(user_id=who.user.pk)
    return None


def _finance_application(who, action):
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.OFFICIAL and action == "view":
        return True
    if who.role == Role.ENTERPRISE:
        return Q(enterprise_id=who.enterprise_id)
    if who.role == Role.BANK:
        return Q(bank_id=who.bank_id) & consented_enterprises_q(who.bank_id, "summary", "enterprise_id")
    return None


for _label in ("finance.creditapplication", "finance.pledgeapplication"):
    _RULES[_label] = _finance_application


def register_rule(label: str, fn: Callable) -> None:
    """For other apps: ``register_rule("talent.person", fn)`` where ``fn(who, action)`` returns
    ``True`` (all rows), ``None`` (no rows) or a ``Q``."""
    _RULES[label.lower()] = fn


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``; nothing for an unknown model/role."""
    who = user if isinstance(user, Who) else Who(user)
    fn = _RULES.get(queryset.model._meta.label_lower)
    if fn is None:
        verdict = True if who.role == Role.ADMIN else None
    else:
        verdict = fn(who, action)
    if verdict is True:
        return queryset
    if verdict is None or verdict is False:
        return queryset.none()
    return queryset.filter(verdict)


def now():
    return timezone.now()
