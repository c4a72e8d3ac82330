from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.models import Role
from innoregion.apps.access.policy import allowed, who_of
from innoregion.site.cache import remembered

register = template.Library()


@register.filter
def may(user, action: str) -> bool:
    """``{% if user|may:"points.view_runs" %}``: the policy's answer, for menus and buttons."""
    return allowed(user, action)


@register.simple_tag
def role_label(user) -> str:
    """The user's role in the reader's language (``""`` without one)."""
    role = who_of(user).role
    return str(Role(role).label) if role else ""


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


ACTION_LABELS = {
    "consent.grant": _("consent granted"),
    "consent.revoke": _("consent revoked"),
    "bank.read.summary": _("bank read the summary"),
    "bank.read.breakdown": _("bank read the points breakdown"),
    "bank.read.filings": _("bank read the filings"),
    "bank.export.whitelist": _("bank exported the white list"),
    "bank.create": _("bank created"),
    "user.create": _("login created"),
    "user.reset": _("login reset"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "page.read.enterprise": _("official opened the enterprise page"),
    "page.whatif": _("what-if computed"),
    "imports.upload": _("department file imported"),
    "finance.credit.submit": _("credit application submitted"),
    "finance.pledge.submit": _("pledge application submitted"),
    "finance.application.update": _("application updated by the bank"),
    "list.export": _("list downloaded"),
}


@register.filter
def action_label(code: str) -> str:
    """The audit action in the reader's language (the code itself when unknown)."""
    return ACTION_LABELS.get(code, code)


@register.simple_tag(takes_context=True)
def main_nav(context):
    """The main menu: every entry the policy allows this user. It depends only on the role, the
    language and (for an enterprise user) the enterprise, so it is rendered once per process for each
    (innoregion.site.cache); a user with Django permissions but no role is rendered every time."""
    user = context.get("user")
    who = who_of(user)

    def render() -> str:
        return render_to_string("_nav.html", {"user": user, "enterprise_id": who.enterprise_id})

    if who.role is None:
        return mark_safe(render())
    return mark_safe(remembered(f"nav:{who.role}:{who.enterprise_id}:{get_language()}", render))
