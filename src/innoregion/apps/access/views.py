"""Access pages: the enterprise portal (its consents and who read its data), a bank's API tokens,
and the audit log for officials."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innoregion.apps.access import services
from innoregion.apps.access.forms import ConsentForm, TokenForm
from innoregion.apps.access.models import ApiToken, AuditEntry, Bank, Consent
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.region.models import Enterprise


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
    consents = Consent.objects.restrict(request.user, "view").select_related("bank").order_by("-granted_at")
    log = AuditEntry.objects.restrict(request.user, "view").select_related("bank")
    page = Paginator(log, 25).get_page(request.GET.get("page"))
    return render(request, "access/portal.html", {"enterprise": enterprise, "form": form, "consents": consents,
                                                  "log": page, "now": timezone.now()})


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
    return render(request, "access/tokens.html", {
        "bank": bank, "form": form, "raw": raw, "now": timezone.now(),
        "tokens": ApiToken.objects.restrict(request.user, "view"),
        "consents": Consent.objects.restrict(request.user, "view").active().select_related("enterprise"),
    })


@require_POST
@requires("access.revoke_token")
def revoke_token(request, pk: int):
    token = get_object_or_404(ApiToken.objects.restrict(request.user, "change"), pk=pk)
    services.revoke_api_token(token, request.user)
    messages.success(request, _("Token revoked."))
    return redirect("access:tokens")


@requires("access.audit_log")
def audit_log(request):
    qs = AuditEntry.objects.restrict(request.user, "view").select_related("bank")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "access/audit.html", {"log": page, "action": action})
