"""Scoring runs as background jobs (kind ``points.score``): read the effective values, then score and
store the run in one transaction (a job stopped half-way leaves no run and no score behind)."""

from __future__ import annotations

import polars as pl
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from innoregion.apps.jobs.forms import JobForm
from innoregion.apps.jobs.registry import register_kind
from innoregion.apps.jobs.services import JobError


def methodology_choices() -> list[tuple[str, str]]:
    """The shipped methodologies, named in the reader's language."""
    from innoregion.apps.region.selectors import pick_name
    from innoregion.engines.points.region_input import list_methodologies, load_methodology

    return [(m, pick_name(load_methodology(m).names) or m) for m in list_methodologies()]


class ScoringJobForm(JobForm):
    methodology = forms.ChoiceField(label=_("Methodology"), choices=methodology_choices)
    year = forms.IntegerField(label=_("Scoring year"), min_value=1990, max_value=2100,
                              help_text=_("Filings of that year; growth indicators also read the year before."))


def run_scoring(parameters: dict, report) -> dict:
    """Score every enterprise with filings in ``year`` under ``methodology`` and store the run."""
    from innoregion.apps.points.services import region_inputs, score_region

    form = ScoringJobForm(parameters, trusted=True)
    if not form.is_valid():
        raise JobError(gettext_noop("The parameters of this scoring run are not valid: %(errors)s"),
                       errors="; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    methodology, year = form.cleaned_data["methodology"], form.cleaned_data["year"]
    report(0, 2, gettext_noop("Reading the effective values of %(year)s and %(before)s"), year=year, before=year - 1)
    values, enterprises = region_inputs(year)
    filed = values.filter(pl.col("year") == year).get_column("credit_code").n_unique()
    if filed == 0:
        raise JobError(gettext_noop("No enterprise has filings for %(year)s: nothing to score."), year=year)
    report(1, 2, gettext_noop("Scoring %(count)s enterprises with %(methodology)s and storing the run"),
           count=filed, methodology=methodology)
    with report.atomic():
        run = score_region(methodology, year, report.user, values=values, enterprises=enterprises)
    report.log(gettext_noop("Scoring run %(run)s stored: %(units)s enterprises, %(warnings)s warnings."),
               run=run.pk, units=run.units, warnings=len(run.warnings))
    return {"scoring_run": run.pk, "methodology": run.methodology, "methodology_version": run.methodology_version,
            "year": run.year, "enterprises": run.units, "warnings": len(run.warnings)}


def scoring_page(result: dict) -> str:
    return reverse("points:runs")


register_kind("points.score", run_scoring, _("Scoring run"), ScoringJobForm, "jobs.start", result_url=scoring_page)
