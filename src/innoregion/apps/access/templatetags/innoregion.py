from django import template
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.restrict import Who

register = template.Library()


@register.simple_tag
def role_of(user):
    """The user's role (``official``, ``enterprise``, ``bank``, ``admin``) or ``""``."""
    return Who(user).role or ""


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
    "finance.application.withdraw": _("application withdrawn"),
}


@register.filter
def action_label(code: str) -> str:
    """The audit action in the reader's language (the code itself when unknown)."""
    return ACTION_LABELS.get(code, code)


# The main menu depends only on the role, the language and (for an enterprise user) the enterprise:
# rendered once per process for each, not on every page (ten URL reversals and translations).
_NAV_CACHE: dict[tuple, str] = {}


@register.simple_tag
def main_nav(user, role):
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    enterprise_id = Who(user).enterprise_id if role == "enterprise" else None
    key = (role, get_language(), enterprise_id)
    html = _NAV_CACHE.get(key)
    if html is None:
        html = render_to_string("_nav.html", {"role": role, "enterprise_id": enterprise_id})
        if len(_NAV_CACHE) > 10_000:  # enterprise users each have their own menu: keep it bounded
            _NAV_CACHE.clear()
        _NAV_CACHE[key] = html
    return mark_safe(html)
