"""The access pages' lists: the audit log (officials) and an enterprise's access log, its consents,
a bank's API tokens and the consents it holds."""

from __future__ import annotations

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.templatetags.innoregion import action_label
from innoregion.site.lists import ListTable


def _revoke_button(table, url_name: str, pk: int):
    """A POST form with the CSRF token of the request the table was made for."""
    return format_html('<form method="post" action="{}" class="inline">'
                       '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                       '<button type="submit">{}</button></form>',
                       reverse(url_name, args=[pk]), get_token(table.request), gettext("Revoke"))


class AuditTable(ListTable):
    at = tables.DateTimeColumn(verbose_name=_("When"), format="SHORT_DATETIME_FORMAT", order_by=("at", "id"))
    who = tables.Column(_("Who"), accessor="actor_label", order_by=("actor_label", "-at", "-id"))
    bank = tables.Column(_("Bank"), accessor="bank__name", order_by=("bank__name", "-at", "-id"), default="—")
    action = tables.Column(_("Action"), order_by=("action", "-at", "-id"))
    object = tables.Column(_("Object"), accessor="object_type", orderable=False)
    consent = tables.Column(_("Under consent"), accessor="consent_id", orderable=False, default="—")

    class Meta(ListTable.Meta):
        sequence = ("at", "who", "action", "object", "bank", "consent")
        order_by = ("-at",)
        empty_text = _("Nothing recorded yet.")

    def render_action(self, value):
        return format_html('<span title="{}">{}</span>', value, action_label(value))

    def value_action(self, value):
        return str(action_label(value))

    def render_object(self, value, record):
        return f"{value} {record.object_id}".strip()

    def render_consent(self, value):
        return str(value)

    def value_consent(self, value):
        return value

    def value_at(self, value):
        return value


class EnterpriseLogTable(AuditTable):
    """An enterprise's own access log (the portal): who read or changed its data."""

    class Meta(AuditTable.Meta):
        sequence = ("at", "who", "bank", "action", "consent")
        exclude = ("object",)


class ConsentTable(ListTable):
    """The consents an enterprise gave (the portal), with the revoke button."""

    bank = tables.Column(_("Bank"), accessor="bank__name", order_by=("bank__name", "-granted_at"))
    scopes = tables.Column(_("Scopes"), accessor="pk", orderable=False)
    purpose = tables.Column(_("Purpose"), order_by=("purpose", "-granted_at"))
    expires = tables.DateTimeColumn(verbose_name=_("Valid until"), accessor="expires_at",
                                    format="SHORT_DATE_FORMAT", order_by=("expires_at", "pk"))
    state = tables.Column(_("State"), accessor="pk", orderable=False)

    class Meta(ListTable.Meta):
        empty_text = _("No consent given.")

    def __init__(self, *args, **kwargs):
        self.now = timezone.now()
        super().__init__(*args, **kwargs)

    def render_scopes(self, record):
        return ", ".join(record.scopes)

    def value_expires(self, value):
        return value

    def _state(self, record) -> str:
        if record.revoked_at:
            return gettext("revoked")
        if record.expires_at <= self.now:
            return gettext("expired")
        return ""

    def render_state(self, record):
        return self._state(record) or _revoke_button(self, "access:revoke-consent", record.pk)

    def value_state(self, record):
        return self._state(record) or pgettext("state of a consent or an API token", "active")


class BankConsentTable(ListTable):
    """The active consents a bank holds (its token page)."""

    enterprise = tables.Column(_("Enterprise"), accessor="enterprise__name",
                               order_by=("enterprise__name_zh", "pk"))
    code = tables.Column(_("Credit code"), accessor="enterprise__credit_code",
                         order_by=("enterprise__credit_code",))
    scopes = tables.Column(_("Scopes"), accessor="pk", orderable=False)
    expires = tables.DateTimeColumn(verbose_name=_("Valid until"), accessor="expires_at",
                                    format="SHORT_DATE_FORMAT", order_by=("expires_at", "pk"))

    class Meta(ListTable.Meta):
        empty_text = _("No active consent.")

    def render_scopes(self, record):
        return ", ".join(record.scopes)

    def value_expires(self, value):
        return value


class TokenTable(ListTable):
    name = tables.Column(_("Name"), order_by=("name", "-created_at"))
    prefix = tables.Column(_("Prefix"), orderable=False)
    scopes = tables.Column(_("Scopes"), orderable=False)
    expires = tables.DateTimeColumn(verbose_name=_("Valid until"), accessor="expires_at",
                                    format="SHORT_DATE_FORMAT", order_by=("expires_at", "pk"))
    state = tables.Column(_("State"), accessor="pk", orderable=False)

    class Meta(ListTable.Meta):
        empty_text = _("No token yet.")

    def render_prefix(self, value):
        return format_html("<code>{}…</code>", value)

    def value_prefix(self, value):
        return value

    def render_scopes(self, value):
        return ", ".join(value)

    def value_expires(self, value):
        return value

    def render_state(self, record):
        if record.revoked_at:
            return gettext("revoked")
        return _revoke_button(self, "access:revoke-token", record.pk)

    def value_state(self, record):
        if record.revoked_at:
            return gettext("revoked")
        return pgettext("state of a consent or an API token", "active")
