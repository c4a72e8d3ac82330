"""The officials' cockpit of the eight tasks of the action plan. The cockpit reads the other apps'
selectors and models; no other app imports the cockpit."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoregion.apps.access.models import Consent
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.ladder import selectors as ladder_selectors
from innoregion.apps.matchmaking.models import Capability, Scenario
from innoregion.apps.points import selectors as points_selectors
from innoregion.apps.region.models import Cluster, Enterprise, Filing, FilingConflict, Platform, Zone
from innoregion.apps.talent.models import Talent, TalentCredential
from innoregion.apps.talent.selectors import region_counts
from innoregion.site import charts

TASKS = [
    ("platforms", gettext_lazy("Building platforms")),
    ("entities", gettext_lazy("Cultivating innovation entities")),
    ("factors", gettext_lazy("Agglomerating factors: talent, finance, data")),
    ("chains", gettext_lazy("Building innovation chains")),
    ("industry", gettext_lazy("Promoting industry clusters")),
    ("layout", gettext_lazy("Optimising the layout")),
    ("opening", gettext_lazy("Widening opening-up")),
    ("governance", gettext_lazy("Strengthening governance")),
]


# where each user starts: the first page of these that the policy allows
START_PAGES = [("cockpit.view", None), ("access.portal", "access:portal"), ("access.tokens", "access:tokens")]


def home(request):
    """``/``: officials get the cockpit; other roles go to their own start page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    for action, url_name in START_PAGES:
        if allowed(request.user, action):
            return cockpit(request) if url_name is None else redirect(url_name)
    raise PermissionDenied


@requires("cockpit.view")
def cockpit(request):
    user = request.user
    ents = restrict(Enterprise.objects.all(), user, "view")
    platforms = restrict(Platform.objects.all(), user, "view")
    filings = restrict(Filing.objects.filter(is_current=True), user, "view")
    zones = restrict(Zone.objects.all(), user, "view")
    clusters = restrict(Cluster.objects.all(), user, "view")

    total = ents.count()
    by_level = dict(platforms.values_list("level").annotate(n=Count("pk")))
    level_rows = [(str(label), by_level.get(code, 0)) for code, label in Platform.Level.choices]
    by_kind = dict(platforms.values_list("kind").annotate(n=Count("pk")))

    rungs = ladder_selectors.rung_counts()
    rung_rows = [(ladder_selectors.ladder_label(p), rungs.get(p, 0)) for p in ladder_selectors.ladder_packs()]
    rung_targets = {ladder_selectors.ladder_label(p): n for p, _op, n in ladder_selectors.ladder().targets}

    per_zone = dict(ents.values_list("zone").annotate(n=Count("pk")))
    zone_data = [{"code": z.code, "name": z.name, "kind": z.kind, "count": per_zone.get(z.pk, 0),
                  "coordinates": (z.geometry or {}).get("coordinates", [[]])[0]} for z in zones]
    per_cluster = dict(ents.values_list("cluster").annotate(n=Count("pk")))
    cluster_rows = [(c.name, per_cluster.get(c.pk, 0)) for c in clusters]

    run = points_selectors.latest_run()
    scores = points_selectors.scores_of_run(run) if run is not None else {}
    visible = set(ents.values_list("pk", flat=True)) if scores else set()
    scores = {k: v for k, v in scores.items() if k in visible}
    by_stage: dict[str, list[float]] = {}
    by_cluster_pts: dict[str, list[float]] = {}
    cluster_of = dict(ents.values_list("pk", "cluster__code")) if scores else {}
    for eid, s in scores.items():
        if s["points"] is None:
            continue
        by_stage.setdefault(s["stage"] or "-", []).append(s["points"])
        by_cluster_pts.setdefault(cluster_of.get(eid) or "-", []).append(s["points"])
    cluster_names = {c.code: c.name for c in clusters}
    mean_by_cluster = [(cluster_names.get(k, k), sum(v) / len(v)) for k, v in sorted(by_cluster_pts.items())]

    years_filings = list(filings.values_list("year").annotate(n=Count("enterprise", distinct=True)).order_by("year"))
    founded = list(ents.values_list("founded__year").annotate(n=Count("pk")).order_by("founded__year"))
    founded = [(y, n) for y, n in founded if y and y >= 2000]
    latest_year = filings.aggregate(y=Max("year"))["y"]

    def total_of(code):
        if latest_year is None:
            return 0
        return sum(filings.filter(year=latest_year, indicator__code=code).values_list("value", flat=True))

    talents = region_counts(restrict(Talent.objects.all(), user), restrict(TalentCredential.objects.all(), user))
    scenarios_published = restrict(Scenario.objects.filter(status=Scenario.Status.PUBLISHED), user).count()
    capabilities_published = restrict(Capability.objects.filter(status=Capability.Status.PUBLISHED), user).count()
    tasks = {
        "platforms": {"chart": charts.hbar(level_rows, title=_("Platforms by level")),
                      "chart_title": _("Platforms by level"),
                      "figures": [(_("platforms"), platforms.count()),
                                  (_("national platforms"), by_level.get("national", 0)),
                                  (_("new-type R&D institutions"), by_kind.get("new_rd_institution", 0))]},
        "entities": {"chart": charts.hbar(rung_rows, target=rung_targets, title=_("Enterprises per ladder rung")),
                     "chart_title": _("Enterprises per ladder rung"),
                     "figures": [(_("enterprises"), total)],
                     "note": _("Markers: the 2027 targets (> 1,200 technology-based SMEs, > 1,200 high and new "
                               "technology enterprises, > 850 specialised, refined, distinctive and novel SMEs).")},
        "factors": {"figures": [(_("talent platforms"), by_kind.get("talent_platform", 0)),
                                (_("joint colleges"), by_kind.get("joint_college", 0)),
                                (_("talents registered"), talents["total"]),
                                (_("valid talent codes"), talents["valid_codes"]),
                                (_("two-way posts"), talents["flags"]["two_way_post"]),
                                (_("active bank consents"), restrict(Consent.objects.active(), user, "view").count()),
                                (_("filed values (current)"), filings.count())],
                    "chart": charts.hbar(sorted((tier or "—", n) for tier, n in talents["by_tier"].items()),
                                         title=_("Talents by tier")) if talents["total"] else None,
                    "chart_title": _("Talents by tier")},
        "chains": {"figures": [(_("proof-of-concept centres"), by_kind.get("proof_of_concept", 0)),
                               (_("application scenarios published"), scenarios_published),
                               (_("capabilities published"), capabilities_published),
                               (_("valid invention patents (latest year)"), int(total_of("invention_patents"))),
                               (_("R&D expenditure, CNY (latest year)"), int(total_of("rd_expense")))]},
        "industry": {"chart": charts.hbar(cluster_rows, title=_("Enterprises per cluster")),
                     "chart_title": _("Enterprises per cluster"), "chart2_title": _("Mean points per cluster"),
                     "chart2": charts.hbar(mean_by_cluster, title=_("Mean points per cluster"), digits=1)
                     if mean_by_cluster else None},
        "layout": {"chart": charts.zones_map(zone_data, title=_("Zones map")),
                   "chart_title": _("Zones map: enterprises per zone")},
        "opening": {"chart_title": _("Enterprises founded by year"), "chart": charts.lines({_("enterprises founded"): founded}, title=_("Enterprises founded by year"))
                    if founded else None},
        "governance": {"chart_title": _("Points distribution by stage"),
                       "chart2_title": _("Enterprises with filings by year"), "chart": charts.histogram(by_stage, title=_("Points distribution by stage"))
                       if by_stage else None,
                       "chart2": charts.lines({_("enterprises with filings"): years_filings},
                                              title=_("Enterprises with filings by year")) if years_filings else None,
                       "figures": [(_("scored enterprises (latest run)"), len(scores)),
                                   (_("open filing conflicts"),
                                    restrict(FilingConflict.objects.filter(resolved=False), user, "view").count())]},
    }
    return render(request, "cockpit/cockpit.html", {
        "tasks": [(code, label, tasks[code]) for code, label in TASKS], "run": run, "latest_year": latest_year,
    })
