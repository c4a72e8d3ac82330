"""The one permission policy (``innoregion.apps.access.policy``): every registered action rule and
every row rule, for every role and action, against a declared table; every deny branch; the
decorator, the template filter and the menu.

The tables below are the specification: a new action or row rule fails here until its expected
answers are written down."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from innoregion.apps.access import policy
from innoregion.apps.access.models import Role

pytestmark = pytest.mark.django_db

ROLES = ("admin", "official", "ent_a", "bank", "noprofile", "anonymous")
EVERYONE = set(ROLES) - {"noprofile", "anonymous"}
OFFICIALS = {"admin", "official"}

# action -> the roles allowed without an object (conditions on objects are checked further down)
ACTIONS = {
    "access.portal": {"ent_a"},
    "access.grant_consent": {"admin"},
    "access.revoke_consent": {"ent_a", "admin"},
    "access.withdraw_consent": {"admin"},
    "access.tokens": {"bank"},
    "access.revoke_token": {"bank", "admin"},
    "access.audit_log": OFFICIALS,
    "access.admin_site": {"admin"},
    "access.api_docs": {"bank"},
    "cockpit.view": OFFICIALS,
    "region.list_enterprises": OFFICIALS,
    "region.view_enterprise_page": OFFICIALS | {"ent_a"},
    "region.audit_page_reads": {"official"},
    "imports.manage": OFFICIALS,
    "points.view_methodology": OFFICIALS | {"ent_a"},
    "points.view_runs": OFFICIALS,
    "points.start_run": OFFICIALS,
    "ladder.view": OFFICIALS,
    "ladder.export_benefits": OFFICIALS,
    "ladder.start_run": OFFICIALS,
    "finance.view_applications": EVERYONE,
    "finance.apply": {"admin"},
    "finance.decide_application": {"admin"},
    "finance.use_bank_api": {"bank"},
    "matchmaking.manage": OFFICIALS,
    "matchmaking.submit_capability": {"ent_a"},
    "talent.view": OFFICIALS,
    "talent.issue": OFFICIALS,
    "talent.verify": OFFICIALS,
    "talent.view_personal_data": {"admin"},
    "jobs.view": OFFICIALS,
    "jobs.start": OFFICIALS,
    "jobs.view_traceback": {"admin"},
}
# actions granted to a role for its own object only: action -> (role, own object, someone else's)
CONDITIONAL = {
    "access.grant_consent": ("ent_a", lambda w: w["a"], lambda w: w["b"]),
    "access.withdraw_consent": ("ent_a", lambda w: w["consent"], lambda w: _Row(enterprise_id=w["b"].pk)),
    "finance.apply": ("ent_a", lambda w: w["a"].pk, lambda w: w["b"]),
    "finance.decide_application": ("bank", lambda w: _Row(bank_id=w["bank"].pk),
                                   lambda w: _Row(bank_id=w["bank2"].pk)),
}
# Django permissions that grant an action to a user without a platform role
PERMS = {"talent.view": "view_talent", "talent.issue": "issue_credential", "talent.verify": "verify_credential",
         "talent.view_personal_data": "view_talentpersonaldata"}


class _Row:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.fixture
def users(world):
    u = dict(world["users"])
    u["noprofile"] = User.objects.create_user("noprofile", password="x")
    u["anonymous"] = AnonymousUser()
    return u


def _fresh(user):
    """The user as a new request would load it (nothing cached on the object)."""
    if isinstance(user, AnonymousUser):
        return user
    return User.objects.get(pk=user.pk)


def test_every_registered_action_is_declared():
    assert set(policy.actions()) == set(ACTIONS), "declare the roles of every action in ACTIONS"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_action_for_every_role(users, action):
    for role in ROLES:
        got = policy.allowed(_fresh(users[role]), action)
        assert got == (role in ACTIONS[action]), f"{role} {action}: {got}"


@pytest.mark.parametrize("action", sorted(CONDITIONAL))
def test_conditional_actions_hold_for_own_objects_only(world, users, action):
    role, own, other = CONDITIONAL[action]
    user = _fresh(users[role])
    assert policy.allowed(user, action, own(world))
    assert not policy.allowed(user, action, other(world))
    assert not policy.allowed(user, action, None)
    for stranger in set(ROLES) - {role, "admin"}:
        assert not policy.allowed(_fresh(users[stranger]), action, own(world)), stranger


@pytest.mark.parametrize("action", sorted(PERMS))
def test_django_permission_grants_the_action_without_a_role(users, action):
    user = users["noprofile"]
    assert not policy.allowed(_fresh(user), action)
    user.user_permissions.add(Permission.objects.get(codename=PERMS[action], content_type__app_label="talent"))
    assert policy.allowed(_fresh(user), action)


def test_unknown_action_and_inactive_user_are_denied(users):
    assert not policy.allowed(users["admin"], "no.such_action")
    assert not policy.allowed(users["admin"], "view")  # a row action needs an object
    off = _fresh(users["official"])
    off.is_active = False
    assert policy.who_of(off).role is None
    assert not policy.allowed(off, "cockpit.view")


def test_ensure_raises_only_when_denied(users):
    policy.ensure(users["official"], "cockpit.view")
    with pytest.raises(PermissionDenied):
        policy.ensure(users["bank"], "cockpit.view")


def test_allowed_on_a_model_instance_asks_the_row_rules(world, users):
    a, b = world["a"], world["b"]
    assert policy.allowed(_fresh(users["ent_a"]), "view", a)
    assert not policy.allowed(_fresh(users["ent_a"]), "view", b)
    assert policy.allowed(_fresh(users["bank"]), "breakdown", a)  # consented scope
    assert not policy.allowed(_fresh(users["bank"]), "filings", a)  # scope not consented
    assert not policy.allowed(users["anonymous"], "view", a)


def test_registering_twice_is_refused():
    with pytest.raises(ValueError):
        policy.register_action("cockpit.view", policy.OFFICIALS)
    with pytest.raises(ValueError):
        policy.register_rows("region.enterprise")(policy.officials_rows)


# ---------------------------------------------------------------- row rules
ROW_ACTIONS = ("view", "change", "summary", "breakdown", "filings", "consent", "issue")
ENTERPRISE_READS = {"view", "summary", "breakdown", "filings"}


def _enterprise_like():
    return {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", ENTERPRISE_READS),
            "ent_a": ("q", ENTERPRISE_READS | {"change", "consent"}), "bank": ("q", ENTERPRISE_READS)}


def _officials_only():
    return {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", set(ROW_ACTIONS))}


def _reference():
    return {"admin": ("all", set(ROW_ACTIONS)), **{r: ("all", {"view"}) for r in ("official", "ent_a", "bank")}}


# label -> {role: (kind, actions)}; every other (role, action) must give no rows. "both" means the
# role gets everything for some actions and a Q for others: {role: [("all", ...), ("q", ...)]}
ROWS = {
    "region.enterprise": _enterprise_like(),
    "region.filing": _enterprise_like(),
    "region.filingconflict": _enterprise_like(),
    "points.enterprisescore": _enterprise_like(),
    "ladder.ladderoutcome": _enterprise_like(),
    "ladder.benefitgrant": _enterprise_like(),
    "region.zone": _reference(), "region.cluster": _reference(), "region.platform": _reference(),
    "region.indicator": _reference(),
    "imports.importbatch": _officials_only(), "imports.quarantinedrow": _officials_only(),
    "points.scoringrun": _officials_only(), "ladder.ladderrun": _officials_only(),
    "ladder.benefitrun": _officials_only(), "matchmaking.rerankermodel": _officials_only(),
    "jobs.job": _officials_only(),
    "access.consent": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", {"view"}),
                       "ent_a": ("q", set(ROW_ACTIONS)), "bank": ("q", {"view"})},
    "access.auditentry": {"admin": ("all", {"view"}), "official": ("all", {"view"}), "ent_a": ("q", {"view"}),
                          "bank": ("q", {"view"})},
    "access.apitoken": {"admin": ("all", set(ROW_ACTIONS)), "bank": ("q", set(ROW_ACTIONS))},
    "access.bank": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", {"view"}), "ent_a": ("all", {"view"}),
                    "bank": ("q", set(ROW_ACTIONS))},
    "access.profile": {"admin": ("all", set(ROW_ACTIONS)), "official": ("q", set(ROW_ACTIONS)),
                       "ent_a": ("q", set(ROW_ACTIONS)), "bank": ("q", set(ROW_ACTIONS))},
    "finance.creditapplication": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", {"view"}),
                                  "ent_a": ("q", set(ROW_ACTIONS)), "bank": ("q", set(ROW_ACTIONS))},
    "finance.pledgeapplication": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", {"view"}),
                                  "ent_a": ("q", set(ROW_ACTIONS)), "bank": ("q", set(ROW_ACTIONS))},
    "matchmaking.scenario": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", set(ROW_ACTIONS)),
                             "ent_a": ("q", {"view"}), "bank": ("q", {"view"}), "noprofile": ("q", {"view"}),
                             "anonymous": ("q", {"view"})},
    "matchmaking.capability": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", set(ROW_ACTIONS)),
                               "ent_a": ("q", {"view", "change"}), "bank": ("q", {"view"}),
                               "noprofile": ("q", {"view"}), "anonymous": ("q", {"view"})},
    "matchmaking.match": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", set(ROW_ACTIONS)),
                          "ent_a": ("q", {"view"})},
    "talent.talent": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", set(ROW_ACTIONS)),
                      "ent_a": ("q", {"view"}), "bank": ("q", {"view"}), "noprofile": ("q", {"view"})},
    "talent.talentcredential": {"admin": ("all", set(ROW_ACTIONS)), "official": ("all", set(ROW_ACTIONS)),
                                "ent_a": ("q", {"view"}), "bank": ("q", {"view"}), "noprofile": ("q", {"view"})},
    "talent.talentimportbatch": _officials_only(), "talent.talentquarantinedrow": _officials_only(),
}


def _kind(verdict) -> str:
    if verdict is True:
        return "all"
    if isinstance(verdict, Q):
        return "q"
    assert verdict is None or verdict is False, verdict
    return "none"


def test_every_row_rule_is_declared():
    assert set(policy.row_rules()) == set(ROWS), "declare every row rule in ROWS"


@pytest.mark.parametrize("label", sorted(ROWS))
def test_row_rule_for_every_role_and_action(users, label):
    fn = policy.row_rules()[label]
    for role in ROLES:
        who = policy.Who(_fresh(users[role]))
        kind, granted = ROWS[label].get(role, ("none", set()))
        for action in ROW_ACTIONS:
            want = kind if action in granted else "none"
            assert _kind(fn(who, action)) == want, f"{label}: {role} {action}"


def test_talent_permissions_widen_the_talent_rows(users):
    user = users["noprofile"]
    for codename in ("view_talent", "issue_credential"):
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="talent"))
    who = policy.Who(_fresh(user))
    rules = policy.row_rules()
    assert rules["talent.talent"](who, "view") is True
    assert rules["talent.talent"](who, "issue") is True
    assert rules["talent.talentimportbatch"](who, "view") is True
    assert rules["talent.talentimportbatch"](who, "change") is None


def test_restrict_filters_and_closes_by_default(world, users):
    from innoregion.apps.region.models import Enterprise

    qs = Enterprise.objects.all()
    assert set(policy.restrict(qs, users["ent_a"])) == {world["a"]}
    assert policy.restrict(qs, users["official"]).count() == 2
    assert not policy.restrict(qs, users["official"], "change").exists()
    assert not policy.restrict(qs, users["anonymous"]).exists()
    # a model without a row rule: administrators only
    assert policy.restrict(User.objects.all(), users["admin"]).exists()
    assert not policy.restrict(User.objects.all(), users["official"]).exists()


def test_bank_consent_expires_out_of_the_rows(world, users):
    from django.utils import timezone

    from innoregion.apps.region.models import Enterprise

    assert policy.restrict(Enterprise.objects.all(), users["bank"], "breakdown").count() == 1
    world["consent"].expires_at = timezone.now()
    world["consent"].save()
    assert not policy.restrict(Enterprise.objects.all(), _fresh(users["bank"]), "breakdown").exists()
    assert not policy.restrict(Enterprise.objects.all(), users["bank2"], "summary").exists()


# ---------------------------------------------------------------- Who, the decorator, templates
def test_who_reads_the_profile_once_and_remembers_users_without_one(users, django_assert_num_queries):
    user = _fresh(users["noprofile"])
    with django_assert_num_queries(1):
        assert policy.Who(user).role is None
        assert policy.Who(user).role is None  # NO_PROFILE remembered on the user
    admin = _fresh(users["admin"])
    with django_assert_num_queries(0):
        assert policy.Who(admin).role == Role.ADMIN  # a superuser needs no profile
    official = _fresh(users["official"])
    first = policy.who_of(official)
    assert policy.who_of(official) is first and policy.who_of(first) is first
    assert first.is_in(policy.OFFICIALS) and not first.is_in(policy.BANKS)
    assert not policy.Who(None).has_perm("talent.view_talent")


def test_requires_redirects_anonymous_refuses_others_and_sets_who(users):
    @policy.requires("cockpit.view")
    def view(request):
        return HttpResponse(request.who.role)

    assert view.innoregion_action == "cockpit.view"
    rf = RequestFactory()
    request = rf.get("/x/")
    request.user = users["anonymous"]
    resp = view(request)
    assert resp.status_code == 302 and "login" in resp["Location"]
    request.user = _fresh(users["bank"])
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = _fresh(users["official"])
    assert view(request).content == b"official"


def test_template_filter_role_label_and_menu(users, settings):
    from django.utils import translation

    tpl = Template('{% load innoregion %}{% if user|may:"cockpit.view" %}yes{% else %}no{% endif %}'
                   '|{% role_label user %}')
    with translation.override("en"):
        assert tpl.render(Context({"user": _fresh(users["official"])})) == "yes|official (S&amp;T bureau)"
        assert tpl.render(Context({"user": _fresh(users["bank"])})) == "no|bank user"
        assert tpl.render(Context({"user": users["anonymous"]})) == "no|"
    menu = Template("{% load innoregion %}{% main_nav %}")
    settings.INNOREGION_POINTER_CACHE_SECONDS = 60
    with translation.override("en"):
        official = menu.render(Context({"user": _fresh(users["official"])}))
        bank = menu.render(Context({"user": _fresh(users["bank"])}))
        nobody = menu.render(Context({"user": _fresh(users["noprofile"])}))
    assert "Cockpit" in official and "Audit log" in official and "API tokens" not in official
    assert "API tokens" in bank and "Cockpit" not in bank
    assert "Cockpit" not in nobody and "<a " not in nobody
