"""Ladder runs, benefit runs and the benefit workbook as background jobs:

- ``ladder.run``: build the facts of a year from the effective filings, evaluate the rule packs, store
  the run and its outcomes (one transaction);
- ``ladder.benefits``: the same facts through the benefit policy (with the newest ladder run of the
  year, or fresh outcomes), stored as a benefit run and its grants (one transaction);
- ``ladder.benefits_xlsx``: a benefit run as the finance bureau's workbook, a file kept under
  ``<data dir>/exports`` and downloaded from the job page.
"""

from __future__ import annotations

import polars as pl
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from innoregion.apps.access import audit
from innoregion.apps.access.policy import restrict
from innoregion.apps.jobs.forms import JobForm
from innoregion.apps.jobs.registry import register_kind
from innoregion.apps.jobs.services import JobError
from innoregion.apps.ladder.models import BenefitGrant, BenefitRun, LadderRun
from innoregion.apps.ladder.selectors import benefit_workbook_table


def _check(form: JobForm) -> dict:
    if not form.is_valid():
        raise JobError(gettext_noop("The parameters of this job are not valid: %(errors)s"),
                       errors="; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return form.cleaned_data


def pack_choices() -> list[tuple[str, str]]:
    from innoregion.engines.rules import load_packs

    return [(i, i) for i in sorted({p.id for p in load_packs()})]


def _facts(year: int, report) -> pl.DataFrame:
    from innoregion.apps.ladder.services import facts_from_db

    report(0, 2, gettext_noop("Building the facts of %(year)s from the effective filings"), year=year)
    facts = facts_from_db(year)
    if facts.height == 0:
        raise JobError(gettext_noop("No enterprise has facts for %(year)s: nothing to evaluate."), year=year)
    return facts


# ---------------------------------------------------------------------------------------------- ladder run
class LadderJobForm(JobForm):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    packs = forms.MultipleChoiceField(label=_("Rule packs"), choices=pack_choices, required=False,
                                      help_text=_("None chosen: every rule pack."))


def run_ladder_job(parameters: dict, report) -> dict:
    from innoregion.apps.ladder.services import run_ladder

    data = _check(LadderJobForm(parameters, trusted=True))
    year = data["year"]
    facts = _facts(year, report)
    report(1, 2, gettext_noop("Evaluating the rule packs for %(count)s enterprises and storing the outcomes"),
           count=facts.height)
    with report.atomic():
        run = run_ladder(facts, year=year, pack_ids=list(data["packs"]) or None, user=report.user)
    met = {pack: counts.get("met", 0) for pack, counts in sorted(run.summary.items())}
    report.log(gettext_noop("Ladder run %(run)s stored: %(rows)s outcomes."), run=run.pk, rows=run.rows)
    return {"ladder_run": run.pk, "year": year, "outcomes": run.rows, "met": met}


# ---------------------------------------------------------------------------------------------- benefit run
class BenefitJobForm(JobForm):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    use_ladder_run = forms.BooleanField(label=_("Use the newest ladder run of that year"), required=False,
                                        initial=True,
                                        help_text=_("Otherwise the rule packs are evaluated afresh."))


def run_benefits_job(parameters: dict, report) -> dict:
    from innoregion.apps.ladder.services import run_benefits

    data = _check(BenefitJobForm(parameters, trusted=True))
    year = data["year"]
    facts = _facts(year, report)
    ladder_run = None
    if data["use_ladder_run"]:
        ladder_run = LadderRun.objects.filter(year=year).order_by("-started_at", "-pk").first()
        if ladder_run is None:
            report.log(gettext_noop("No ladder run for %(year)s: the rule packs are evaluated afresh."),
                       level="warning", year=year)
    report(1, 2, gettext_noop("Applying the benefit policy to %(count)s enterprises and storing the grants"),
           count=facts.height)
    with report.atomic():
        run = run_benefits(facts, ladder_run=ladder_run, year=year, user=report.user)
    report.log(gettext_noop("Benefit run %(run)s stored: %(paid)s CNY paid of %(requested)s requested."),
               run=run.pk, paid=f"{run.paid_total:,.0f}", requested=f"{run.requested_total:,.0f}")
    return {"benefit_run": run.pk, "year": run.year, "policy": f"{run.policy} {run.policy_version}",
            "ladder_run": ladder_run.pk if ladder_run else None, "paid_total": str(run.paid_total),
            "requested_total": str(run.requested_total), "grants": run.grants.count()}


# ---------------------------------------------------------------------------------------------- export
class BenefitRunChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.policy} {obj.policy_version} · {obj.year} · #{obj.pk}"


class BenefitExportForm(JobForm):
    benefit_run = BenefitRunChoice(label=_("Benefit run"), queryset=BenefitRun.objects.order_by("-started_at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["benefit_run"].queryset = restrict(BenefitRun.objects.order_by("-started_at"), self.user)


def export_benefits_job(parameters: dict, report) -> dict:
    from innoregion.engines.rules.xlsx import write_xlsx

    data = _check(BenefitExportForm(parameters, user=report.user, trusted=True))
    run = data["benefit_run"]
    grants = BenefitGrant.objects.filter(run=run)
    if report.user is not None:
        grants = restrict(grants, report.user)
    report(0, 2, gettext_noop("Reading the grants of benefit run %(run)s"), run=run.pk)
    table = benefit_workbook_table(grants, run)
    report(1, 2, gettext_noop("Writing the workbook (%(count)s grants)"), count=table.height)
    path = report.export_path(f"benefits-{run.policy}-{run.year}-run{run.pk}.xlsx")
    write_xlsx(path, table, run.record)
    audit.record(report.user, "export", run, after={"file": path.name, "grants": table.height, "job": report.job_id})
    return {"benefit_run": run.pk, "file": path.name, "grants": table.height}


def ladder_page(result: dict) -> str:
    return reverse("ladder:overview")


register_kind("ladder.run", run_ladder_job, _("Ladder run"), LadderJobForm, "jobs.start", result_url=ladder_page)
register_kind("ladder.benefits", run_benefits_job, _("Benefit run"), BenefitJobForm, "jobs.start",
              result_url=ladder_page)
register_kind("ladder.benefits_xlsx", export_benefits_job, _("Benefit workbook (XLSX export)"), BenefitExportForm,
              "jobs.start")
