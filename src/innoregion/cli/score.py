"""``innoregion score``: run a points methodology on the region database and store the run."""

from __future__ import annotations

import click


@click.command(name="score")
@click.option("--methodology", "-m", help="Methodology id, e.g. changchun-new-area.")
@click.option("--year", "-y", type=int, help="Scoring year (filings of that year; growth "
              "indicators also read the year before).")
@click.option("--top", default=10, show_default=True, help="How many top enterprises to print.")
@click.option("--verify", "verify_id", type=int, default=None,
              help="Instead of scoring: recompute stored run VERIFY from the database and compare.")
def command(methodology: str | None, year: int | None, top: int, verify_id: int | None) -> None:
    """Score the region's enterprises with METHODOLOGY for YEAR and store the scoring run;
    or, with --verify RUN_ID, check that a stored run is reproduced exactly."""
    from innoregion.cli import setup_django

    setup_django()
    if verify_id is not None:
        _verify(verify_id)
        return
    if not methodology or year is None:
        raise click.UsageError("--methodology and --year are required (or --verify RUN_ID)")
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


def _verify(run_id: int) -> None:
    from innoregion.apps.points.models import ScoringRun
    from innoregion.apps.points.services import verify_run

    try:
        run = ScoringRun.objects.get(pk=run_id)
    except ScoringRun.DoesNotExist:
        raise click.BadParameter(f"no scoring run {run_id}", param_hint="--verify") from None
    report = verify_run(run)
    click.echo(f"run {run.pk}: inputs {'unchanged' if report['inputs_match'] else 'CHANGED since the run'}, "
               f"spec {'unchanged' if report['spec_match'] else 'CHANGED'}, "
               f"{len(report['differences'])} enterprise(s) differ")
    for d in report["differences"][:20]:
        click.echo(f"  {d['credit_code']}: stored {d['stored']} recomputed {d['recomputed']}")
    if not report["reproduced"]:
        raise SystemExit(1)
    click.echo("reproduced exactly")
