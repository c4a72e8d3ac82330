"""Access pages: the enterprise portal (its consents and who read its data), a bank's API tokens,
and the audit log for officials."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innoregion.apps.access import services
from innoregion.apps.access.filtersets import (
    AuditFilter,
    BankConsentFilter,
    ConsentFilter,
    EnterpriseLogFilter,
    TokenFilter,
)
from innoregion.apps.access.forms import ConsentForm, TokenForm
from innoregion.apps.access.models import ApiToken, AuditEntry, Bank, Consent
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.access.tables import (
    AuditTable,
    BankConsentTable,
    ConsentTable,
    EnterpriseLogTable,
    TokenTable,
)
from innoregion.apps.region.models import Enterprise
from innoregion.site.lists import build_list, export_response, list_page


@requires("access.portal")
def portal(request):
    enterprise = get_object_or_404(restrict(Enterprise.objects.all(), request.user, "view"),
                                   pk=request.who.enterprise_id)
    banks = Bank.objects.restrict(request.user, "view")
    form = ConsentForm(request.POST or None, banks=banks)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        expires = timezone.make_aware(dt.datetime.combine(d["expires_on"], dt.time(23, 59, 59)))
        try:
            services.grant_consent(enterprise, d["bank"], d["scopes"], d["purpose"], expires, request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Consent granted to %(bank)s.") % {"bank": d["bank"].name})
            return redirect("access:portal")
    consents = build_list(request, prefix="consents-", export_name="consents",
                          queryset=Consent.objects.restrict(request.user, "view").select_related("bank")
                          .order_by("-granted_at", "-pk"),
                          table_class=ConsentTable, filterset_class=ConsentFilter, per_page=25)
    log = build_list(request, prefix="log-", export_name="access-log", per_page=25,
                     queryset=AuditEntry.objects.restrict(request.user, "view").select_related("bank"),
                     table_class=EnterpriseLogTable, filterset_class=EnterpriseLogFilter)
    return export_response(consents, log) or render(request, "access/portal.html", {
        "enterprise": enterprise, "form": form, "consents": consents, "log": log})


@require_POST
@requires("access.revoke_consent")
def revoke_consent(request, pk: int):
    consent = get_object_or_404(Consent.objects.restrict(request.user, "consent"), pk=pk)
    services.revoke_consent(consent, request.user)
    messages.success(request, _("Consent revoked."))
    return redirect("access:portal" if allowed(request.who, "access.portal") else "cockpit:home")


@requires("access.tokens")
def tokens(request):
    bank = get_object_or_404(Bank.objects.restrict(request.user, "view"), pk=request.who.bank_id)
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        _token, raw = services.create_api_token(bank, request.user, d["name"], d["scopes"], d["days"],
                                                actor=request.user)
        form = TokenForm()
    tokens = build_list(request, prefix="tokens-", export_name="api-tokens", per_page=25,
                        queryset=ApiToken.objects.restrict(request.user, "view")
                        .order_by("-created_at", "-pk"),
                        table_class=TokenTable, filterset_class=TokenFilter)
    consents = build_list(request, prefix="consents-", export_name="consents",
                          queryset=Consent.objects.restrict(request.user, "view").active()
                          .select_related("enterprise").order_by("-granted_at", "-pk"),
                          table_class=BankConsentTable, filterset_class=BankConsentFilter)
    return export_response(tokens, consents) or render(request, "access/tokens.html", {
        "bank": bank, "form": form, "raw": raw, "tokens": tokens, "consents": consents})


@require_POST
@requires("access.revoke_token")
def revoke_token(request, pk: int):
    token = get_object_or_404(ApiToken.objects.restrict(request.user, "change"), pk=pk)
    services.revoke_api_token(token, request.user)
    messages.success(request, _("Token revoked."))
    return redirect("access:tokens")


@requires("access.audit_log")
def audit_log(request):
    return list_page(request, "access/audit.html",
                     queryset=AuditEntry.objects.restrict(request.user, "view").select_related("bank"),
                     table_class=AuditTable, filterset_class=AuditFilter, export_name="audit-log")
