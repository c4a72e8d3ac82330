"""Talent pages: my code (the talent), verify (a service point), the registry (officials)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.talent import selectors, services
from innoregion.apps.talent.filtersets import TalentFilter
from innoregion.apps.talent.models import Talent, TalentCredential
from innoregion.apps.talent.tables import TalentTable
from innoregion.engines.credentials import qr
from innoregion.site.lists import list_page

MAX_UPLOAD = 5 * 1024 * 1024


def index(request):
    return render(request, "talent/index.html", {})


def _my_credential(request) -> TalentCredential:
    talent = getattr(request.user, "talent", None)
    if talent is None:
        raise Http404(_("No talent record is linked to this login."))
    credential = services.current_credential(talent)
    if credential is None:
        raise Http404(_("No talent code has been issued to you yet."))
    return credential


@login_required
@never_cache
def my_code(request):
    talent = getattr(request.user, "talent", None)
    credential = services.current_credential(talent) if talent else None
    context = {"talent": talent, "credential": credential, "services": [], "tier_label": ""}
    if credential is not None:
        cat = services.shipped_catalogues().get(credential.catalogue_version)
        if cat is not None:
            context["services"] = cat.services_for(credential.tier, get_language() or "en")
            context["tier_label"] = cat.tier_label(credential.tier, get_language() or "en")
        context["payload"] = services.presentation_for(credential)
    return render(request, "talent/my_code.html", context)


@login_required
@never_cache
def my_code_png(request):
    credential = _my_credential(request)
    if credential.status != TalentCredential.Status.VALID:
        raise Http404(_("Your talent code is suspended."))
    response = HttpResponse(qr.to_png(services.presentation_for(credential), scale=5), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def my_code_text(request):
    credential = _my_credential(request)
    if credential.status != TalentCredential.Status.VALID:
        raise Http404(_("Your talent code is suspended."))
    return HttpResponse(services.presentation_for(credential), content_type="text/plain; charset=utf-8")


@requires("talent.verify")
def verify(request):
    result = None
    error = ""
    if request.method == "POST":
        text = request.POST.get("payload", "").strip()
        upload = request.FILES.get("image")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                error = _("The image is too large.")
            else:
                try:
                    text = qr.decode_image(upload.read())
                except qr.QRDecodeError as exc:
                    error = _("No talent code could be read from the image: %(reason)s") % {"reason": exc}
        if text and not error:
            result = services.verify_text(text, actor=request.user, language=get_language() or "en")
        elif not error:
            error = _("Paste a talent code or upload a photo of one.")
    return render(request, "talent/verify.html", {"result": result, "error": error})


@requires("talent.view")
def registry(request):
    counts = selectors.region_counts()
    return list_page(request, "talent/registry.html",
                     queryset=restrict(Talent.objects.select_related("cluster"), request.user),
                     table_class=TalentTable, filterset_class=TalentFilter, export_name="talents",
                     filterset_kwargs={"tiers": sorted(counts["by_tier"])},  # the tiers the page counts
                     extra_context={"counts": counts})


@requires("talent.view")
def talent_detail(request, pseudonymous_id: str):
    talent = get_object_or_404(restrict(Talent.objects.select_related("affiliation", "cluster"), request.user),
                               pseudonymous_id=pseudonymous_id)
    show_personal = allowed(request.user, "talent.view_personal_data")
    personal = getattr(talent, "personal", None) if show_personal else None
    if show_personal and personal is not None:
        services.audit(request.user, "talent.personal.view", talent)
    return render(request, "talent/detail.html", {
        "talent": talent, "personal": personal, "show_personal": show_personal,
        "credentials": talent.credentials.select_related("issuer_key"),
        "can_issue": allowed(request.user, "talent.issue"),
    })


@require_POST
@requires("talent.issue")
def talent_action(request, pseudonymous_id: str):
    talent = get_object_or_404(restrict(Talent.objects.all(), request.user, "change"), pseudonymous_id=pseudonymous_id)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    try:
        if action == "place":
            placement = services.place(talent, actor=request.user)
            messages.info(request, _("Placed in tier %(tier)s.") % {"tier": placement.tier or "—"})
        elif action == "issue":
            services.issue(talent, actor=request.user)
            messages.info(request, _("A new talent code was issued."))
        elif action in ("suspend", "reinstate", "revoke"):
            credential = get_object_or_404(TalentCredential, pk=request.POST.get("credential"), talent=talent)
            status = {"suspend": "suspended", "reinstate": "valid", "revoke": "revoked"}[action]
            services.set_status(credential, status, actor=request.user, reason=reason)
            messages.info(request, _("The talent code is now %(status)s.") % {"status": credential.get_status_display()})
        else:
            messages.error(request, _("Unknown action."))
    except services.TalentError as exc:
        messages.error(request, str(exc))
    return redirect("talent:detail", pseudonymous_id=talent.pseudonymous_id)


def status_list(request, list_id: str):
    """The signed status list service points fetch and cache (no personal data in it)."""
    if list_id != services.STATUS_LIST_ID:
        raise Http404("unknown status list")
    response = HttpResponse(services.status_list_token(list_id), content_type="application/statuslist+jwt")
    response["Cache-Control"] = f"public, max-age={min(services.STATUS_LIST_TTL, 60)}"
    return response


def trusted_keys(request):
    """The issuer public keys, with their trust dates, for offline service points."""
    import json

    return JsonResponse(json.loads(services.key_ring().to_json()))


@requires("talent.view")
def counts(request):
    return JsonResponse(selectors.region_counts())
