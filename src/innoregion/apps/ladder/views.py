"""The ladder pages for officials: outcomes per rule pack against the 2027 targets, and the benefit
runs with their XLSX export for the finance bureau. Every read goes through ``access.restrict``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from innoregion.apps.access import audit
from innoregion.apps.access.policy import requires, restrict
from innoregion.apps.ladder.filtersets import BenefitRunFilter
from innoregion.apps.ladder.models import BenefitGrant, BenefitRun, LadderOutcome, LadderRun
from innoregion.apps.ladder.selectors import benefit_workbook_table
from innoregion.apps.ladder.tables import BenefitRunTable
from innoregion.engines.rules.ladder import load_ladder
from innoregion.engines.rules.xlsx import write_xlsx
from innoregion.site.lists import build_list

OUTCOMES = ["met", "needs_review", "unknown", "not_met", "not_applicable"]


def _label(labels: dict) -> str:
    lang = (get_language() or "zh-hans")[:2]
    return labels.get({"zh": "zh", "ko": "ko"}.get(lang, "en")) or labels.get("en", "")


def pack_rows(run: LadderRun, user) -> list[dict]:
    """One row per pack of the ladder (rungs first, then side tracks) with counts per outcome and
    the 2027 target where the New Area set one."""
    ladder = load_ladder()
    outcomes = restrict(LadderOutcome.objects.filter(run=run), user)
    counts: dict[str, dict[str, int]] = {}
    for pack, outcome, n in outcomes.values_list("pack", "outcome").annotate(n=Count("pk")):
        counts.setdefault(pack, {})[outcome] = n
    # a target "> 1,200" needs 1,201 enterprises; ">= n" needs n
    targets = {pack: count + (1 if op == "gt" else 0) for pack, op, count in ladder.targets}
    rows = []
    for pack, label in [*ladder.labels.items()]:
        per = counts.get(pack, {})
        met = per.get("met", 0)
        target = targets.get(pack)
        rows.append({"pack": pack, "label": _label(label), "level": ladder.rungs.get(pack),
                     "counts": [per.get(o, 0) for o in OUTCOMES], "total": sum(per.values()),
                     "target": target, "share_of_target": (100.0 * met / target) if target else None})
    return rows


@requires("ladder.view")
def overview(request):
    run = restrict(LadderRun.objects.all(), request.user).order_by("-year", "-started_at").first()
    benefit_runs = build_list(
        request, export_name="benefit-runs", table_class=BenefitRunTable, filterset_class=BenefitRunFilter,
        queryset=restrict(BenefitRun.objects.all(), request.user)
        .annotate(granted=Count("grants", filter=Q(grants__status=BenefitGrant.Status.GRANTED)),
                  pending=Count("grants", filter=Q(grants__status=BenefitGrant.Status.PENDING)))
        .order_by("-started_at", "-pk"))
    if benefit_runs.export_format is not None:
        return benefit_runs.export()
    context = {"run": run, "rows": pack_rows(run, request.user) if run else [], "outcomes": OUTCOMES,
               "benefit_runs": benefit_runs}
    return render(request, "ladder/overview.html", context)


@requires("ladder.export_benefits")
def benefits_xlsx(request, pk: int):
    """The benefit run as the finance bureau's workbook (grants, pending, summary, run record)."""
    run = restrict(BenefitRun.objects.filter(pk=pk), request.user).first()
    if run is None:
        raise Http404
    table = benefit_workbook_table(restrict(BenefitGrant.objects.filter(run=run), request.user), run)
    name = f"benefits-{run.policy}-{run.year}-run{run.pk}.xlsx"
    with tempfile.TemporaryDirectory() as folder:  # nothing left behind
        path = write_xlsx(Path(folder) / name, table, run.record)
        content = path.read_bytes()
    audit.record(request.user, "export", run, after={"file": name, "grants": table.height})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
