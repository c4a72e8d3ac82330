"""The one permission policy: every "may this user do X" and every queryset a user reads.

- ``allowed(user, action, obj=None)``: may ``user`` do ``action`` (to ``obj``)?
- ``ensure(user, action, obj=None)``: the same, raising ``PermissionDenied`` when not;
- ``restrict(queryset, user, action="view")``: the rows of ``queryset`` that ``user`` may ``action``;
- ``requires(action)``: the decorator in front of a page (login, then ``ensure``);
- the template filter ``may`` (``{% if user|may:"points.view_runs" %}``), in the ``access`` tag library.

Two kinds of rules, both registered by the app that owns them in its ``rules.py`` (loaded by the
app's ``ready()``), and both closed by default:

- **action rules** (``register_action``): named actions such as ``points.start_run``, granted to role
  groups, to holders of a Django permission, or to a role under a condition on the object;
- **row rules** (``register_rows``): per model label, ``fn(who, action)`` returning ``True`` (every
  row), ``None`` (no row) or a ``Q`` over the rows. A model without a row rule is visible to
  administrators only.

The role groups below are the only place roles are grouped; nothing outside this package and the
apps' ``rules.py`` compares roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from innoregion.apps.access.models import Role

ADMINS = frozenset({Role.ADMIN})
OFFICIALS = frozenset({Role.OFFICIAL, Role.ADMIN})
ENTERPRISES = frozenset({Role.ENTERPRISE})
BANKS = frozenset({Role.BANK})
SIGNED_IN = frozenset(Role)

NO_PROFILE = object()  # stored on a user known to have no profile (``Who`` then does not look again)


class Who:
    """The role and bindings of a user, read once per request (the profile is kept on the user)."""

    __slots__ = ("user", "role", "enterprise_id", "bank_id")

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

    def is_in(self, group: Iterable[str]) -> bool:
        return self.role is not None and self.role in group

    def has_perm(self, perm: str) -> bool:
        user = self.user
        return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_perm(perm))


def who_of(user) -> Who:
    if isinstance(user, Who):
        return user
    cached = getattr(user, "_innoregion_who", None)
    if cached is not None:
        return cached
    who = Who(user)
    if user is not None and getattr(user, "is_authenticated", False):
        user._innoregion_who = who
    return who


# ---------------------------------------------------------------- action rules
@dataclass(frozen=True)
class ActionRule:
    """``roles`` may always; ``perm`` (a Django permission) grants it to any holder; ``when`` grants
    it to a role under a condition on the object: ``{role: test(who, obj) -> bool}``."""

    action: str
    roles: frozenset = frozenset()
    perm: str | None = None
    when: dict = field(default_factory=dict)

    def grants(self, who: Who, obj) -> bool:
        if who.is_in(self.roles):
            return True
        if self.perm is not None and who.has_perm(self.perm):
            return True
        test = self.when.get(who.role) if who.role is not None else None
        return bool(test is not None and test(who, obj))


_ACTIONS: dict[str, ActionRule] = {}


def register_action(action: str, roles: Iterable[str] = (), *, perm: str | None = None,
                    when: dict | None = None) -> ActionRule:
    if action in _ACTIONS:
        raise ValueError(f"action {action!r} is registered twice")
    rule = ActionRule(action, frozenset(roles), perm, dict(when or {}))
    _ACTIONS[action] = rule
    return rule


def actions() -> dict[str, ActionRule]:
    """Every registered action rule (read-only use: the tests walk them)."""
    return dict(_ACTIONS)


def allowed(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action``? A registered action asks its rule; otherwise, with a model
    instance, ``action`` is a row action (``view``, ``change``, …) checked through ``restrict``.
    Anything else is denied."""
    who = who_of(user)
    rule = _ACTIONS.get(action)
    if rule is not None:
        return rule.grants(who, obj)
    if isinstance(obj, Model):
        return restrict(type(obj)._default_manager.filter(pk=obj.pk), who, action).exists()
    return False


def ensure(user, action: str, obj=None) -> None:
    if not allowed(user, action, obj):
        raise PermissionDenied


def requires(action: str):
    """The gate in front of a page: anonymous users go to the log-in page, others need ``action``.
    The view finds ``request.who`` set."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            who = who_of(request.user)
            ensure(who, action)
            request.who = who
            return view(request, *args, **kwargs)

        wrapped.innoregion_action = action
        return wrapped

    return decorate


# ---------------------------------------------------------------- row rules
RowRule = Callable[[Who, str], "bool | Q | None"]
_ROWS: dict[str, RowRule] = {}


def register_rows(*labels: str):
    """Decorator: ``@register_rows("region.enterprise")`` on ``fn(who, action)``."""

    def register(fn: RowRule) -> RowRule:
        for label in labels:
            key = label.lower()
            if key in _ROWS:
                raise ValueError(f"row rule for {key!r} is registered twice")
            _ROWS[key] = fn
        return fn

    return register


def row_rules() -> dict[str, RowRule]:
    return dict(_ROWS)


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``; nothing for an unknown model or role."""
    who = who_of(user)
    fn = _ROWS.get(queryset.model._meta.label_lower)
    verdict = (True if who.role == Role.ADMIN else None) if fn is None else fn(who, action)
    if verdict is True:
        return queryset
    if verdict is None or verdict is False:
        return queryset.none()
    return queryset.filter(verdict)


# ---------------------------------------------------------------- building blocks for the apps' rules
BANK_SCOPES = {"view": "summary", "summary": "summary", "breakdown": "breakdown", "filings": "filings"}
ENTERPRISE_READS = ("view", "summary", "breakdown", "filings")


def consented_enterprises_q(bank_id: int, scope: str, field: str = "pk") -> Q:
    """Q over rows whose enterprise (``field``) has an active consent to ``bank_id`` for ``scope``."""
    from innoregion.apps.access.models import Consent

    ids = Consent.objects.active().with_scope(scope).filter(bank_id=bank_id).values("enterprise_id")
    return Q(**{f"{field}__in": ids})


def enterprise_rows(who: Who, action: str, field: str = "pk"):
    """The enterprise and everything that belongs to one enterprise through ``field``: officials
    read all, an enterprise user reads and changes its own, a bank reads under consent by scope."""
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.OFFICIAL:
        return True if action in ENTERPRISE_READS else None
    if who.role == Role.ENTERPRISE:
        if action in (*ENTERPRISE_READS, "change", "consent"):
            return Q(**{field: who.enterprise_id})
        return None
    if who.role == Role.BANK:
        scope = BANK_SCOPES.get(action)
        return None if scope is None else consented_enterprises_q(who.bank_id, scope, field)
    return None


def officials_rows(who: Who, action: str):
    """The bureau's working data (imports, runs, jobs): officials and administrators."""
    return True if who.is_in(OFFICIALS) else None


def reference_rows(who: Who, action: str):
    """Reference data (zones, clusters, platforms, indicators): every signed-in role views it."""
    if who.role == Role.ADMIN:
        return True
    return True if who.role is not None and action == "view" else None


def own_enterprise(who: Who, obj) -> bool:
    """Condition for ``when``: ``obj`` is the user's enterprise (an Enterprise, or its id)."""
    pk = obj.pk if isinstance(obj, Model) else obj
    return who.enterprise_id is not None and who.enterprise_id == pk


def owner_enterprise(who: Who, obj) -> bool:
    """Condition for ``when``: ``obj`` (a row with ``enterprise_id``) belongs to the user's enterprise."""
    return who.enterprise_id is not None and getattr(obj, "enterprise_id", None) == who.enterprise_id


def own_bank(who: Who, obj) -> bool:
    """Condition for ``when``: ``obj`` (a row with ``bank_id``) belongs to the user's bank."""
    return who.bank_id is not None and getattr(obj, "bank_id", None) == who.bank_id

