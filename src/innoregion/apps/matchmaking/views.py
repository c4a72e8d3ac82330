"""Pages: the public scenario and capability lists, officials publishing scenarios, enterprises
submitting capabilities, caseworkers (officials) reviewing proposed matches. Reads go through
``restrict``; changes are recorded in the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innoregion.apps.access import audit
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.matchmaking import services
from innoregion.apps.matchmaking.filtersets import CapabilityFilter, MatchFilter, ScenarioFilter
from innoregion.apps.matchmaking.forms import CapabilityForm, DecisionForm, ScenarioForm
from innoregion.apps.matchmaking.models import Capability, Match, RerankerModel, Scenario
from innoregion.apps.matchmaking.tables import CapabilityTable, MatchTable, ScenarioTable
from innoregion.engines.matching import MatchingError
from innoregion.site.lists import list_page


def scenario_list(request):
    can_publish = allowed(request.user, "matchmaking.manage")
    return list_page(request, "matchmaking/scenario_list.html",
                     queryset=restrict(Scenario.objects.select_related("cluster", "zone"), request.user,
                                       "view"),
                     table_class=ScenarioTable, filterset_class=ScenarioFilter, per_page=25,
                     export_name="scenarios",
                     table_kwargs={"exclude": () if can_publish else ("status",)},
                     extra_context={"can_publish": can_publish})


def scenario_detail(request, pk: int):
    scenario = get_object_or_404(restrict(Scenario.objects.select_related("cluster", "zone"), request.user,
                                          "view"), pk=pk)
    matches = restrict(scenario.matches.select_related("capability__enterprise"), request.user, "view")
    return render(request, "matchmaking/scenario_detail.html", {
        "scenario": scenario, "matches": matches, "is_staff": allowed(request.user, "matchmaking.manage")})


@requires("matchmaking.manage")
def scenario_edit(request, pk: int | None = None):
    scenario = get_object_or_404(restrict(Scenario.objects, request.user, "change"), pk=pk) if pk else None
    form = ScenarioForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        before = audit.snapshot(scenario) if scenario else None
        obj = form.save(commit=False)
        if obj.created_by_id is None:
            obj.created_by = request.user
        obj.save()
        audit.record(request.user, "matchmaking.scenario.save", obj, before=before, after=audit.snapshot(obj))
        if obj.status == Scenario.Status.PUBLISHED:
            try:
                proposed = services.propose_matches(obj)
                messages.success(request, _("Published; %(n)d matches proposed.") % {"n": len(proposed)})
            except MatchingError as exc:
                messages.warning(request, _("Saved, but no matches could be proposed: %(e)s") % {"e": exc})
        else:
            messages.success(request, _("Saved."))
        return redirect("matchmaking:scenario", pk=obj.pk)
    return render(request, "matchmaking/scenario_form.html", {"form": form, "scenario": scenario})


@require_POST
@requires("matchmaking.manage")
def scenario_propose(request, pk: int):
    scenario = get_object_or_404(restrict(Scenario.objects, request.user, "change"), pk=pk)
    try:
        proposed = services.propose_matches(scenario)
        messages.success(request, _("%(n)d matches proposed.") % {"n": len(proposed)})
    except MatchingError as exc:
        messages.error(request, _("No matches could be proposed: %(e)s") % {"e": exc})
    return redirect("matchmaking:scenario", pk=pk)


def capability_list(request):
    return list_page(request, "matchmaking/capability_list.html",
                     queryset=restrict(Capability.objects.select_related("enterprise"), request.user, "view"),
                     table_class=CapabilityTable, filterset_class=CapabilityFilter, per_page=25,
                     export_name="capabilities",
                     extra_context={"can_submit": allowed(request.user, "matchmaking.submit_capability")})


def capability_detail(request, pk: int):
    cap = get_object_or_404(restrict(Capability.objects.select_related("enterprise"), request.user, "view"), pk=pk)
    matches = restrict(cap.matches.select_related("scenario"), request.user, "view")
    return render(request, "matchmaking/capability_detail.html", {"capability": cap, "matches": matches})


@requires("matchmaking.submit_capability")
def capability_edit(request, pk: int | None = None):
    who = request.who
    cap = get_object_or_404(restrict(Capability.objects, request.user, "change"), pk=pk) if pk else None
    form = CapabilityForm(request.POST or None, instance=cap)
    if request.method == "POST" and form.is_valid():
        before = audit.snapshot(cap) if cap else None
        obj = form.save(commit=False)
        obj.enterprise_id = who.enterprise_id
        if obj.submitted_by_id is None:
            obj.submitted_by = request.user
        obj.save()
        audit.record(request.user, "matchmaking.capability.save", obj, before=before, after=audit.snapshot(obj))
        messages.success(request, _("Capability saved."))
        return redirect("matchmaking:capability", pk=obj.pk)
    return render(request, "matchmaking/capability_form.html", {"form": form, "capability": cap})


@requires("matchmaking.manage")
def review(request):
    qs = restrict(Match.objects.select_related("scenario", "capability__enterprise", "decided_by"),
                  request.user, "view").order_by("scenario_id", "rank", "pk")
    return list_page(request, "matchmaking/review.html", queryset=qs, table_class=MatchTable,
                     filterset_class=MatchFilter, per_page=30, export_name="matches",
                     extra_context={"rerankers": RerankerModel.objects.all()[:5]})


@require_POST
@requires("matchmaking.manage")
def decide(request, pk: int):
    match = get_object_or_404(restrict(Match.objects, request.user, "change"), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        before = audit.snapshot(match, ["status"])
        services.decide(match, request.user, form.cleaned_data["decision"] == "accept", form.cleaned_data["note"])
        audit.record(request.user, "matchmaking.match.decide", match, before=before,
                     after=audit.snapshot(match, ["status", "note"]), enterprise=match.capability.enterprise_id)
        messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Invalid decision."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "matchmaking:review"
    return redirect(target)


@require_POST
@requires("matchmaking.manage")
def train(request):
    row = services.train_reranker()
    audit.record(request.user, "matchmaking.reranker.train", row, after=row.report)
    if row.active:
        messages.success(request, _("The re-ranker helps on held-out scenarios and is now in use: %(r)s")
                         % {"r": row.report.get("reason", "")})
    else:
        messages.info(request, _("The re-ranker is not used: %(r)s") % {"r": row.report.get("reason", "")})
    return redirect("matchmaking:review")
