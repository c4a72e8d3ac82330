"""``innoregion score``: run a points methodology on the region database and store the run."""

from __future__ import annotations

import click


@click.command(name="score")
@click.option("--methodology", "-m", required=True, help="Methodology id, e.g. changchun-new-area.")
@click.option("--year", "-y", required=True, type=int, help="Scoring year (filings of that year; growth "
              "indicators also read the year before).")
@click.option("--top", default=10, show_default=True, help="How many top enterprises to print.")
def command(methodology: str, year: int, top: int) -> None:
    """Score the region's enterprises with METHODOLOGY for YEAR and store the scoring run."""
    from innoregion.cli import setup_django

    setup_django()
    from innoregion.apps.points.services import score_region
    from innoregion.engines.points.region_input import list_methodologies

    if methodology not in list_methodologies():
        raise click.BadParameter(f"unknown methodology; choose from {', '.join(list_methodologies())}",
                                 param_hint="--methodology")
    run = score_region(methodology, year)
    click.echo(f"run {run.pk}: {run.methodology} {run.methodology_version}, year {run.year}, "
               f"{run.units} enterprises, status {run.status}")
    click.echo(f"  spec sha256 {run.spec_sha256}\n  inputs sha256 {run.inputs_sha256}\n  code {run.code_version}")
    for w in run.warnings[:20]:
        click.echo(f"  warning: {w}")
    for s in run.scores.select_related("enterprise").order_by("rank")[:top]:
        click.echo(f"  {s.rank:>5}  {s.enterprise.credit_code}  {s.stage:<8} {s.score:8.3f}  {s.tier or '-'}")
