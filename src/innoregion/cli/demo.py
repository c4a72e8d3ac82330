"""``innoregion demo``: a realistic synthetic region, generated, imported through the department-file
path, scored, evaluated and served — the whole platform in one command."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

DEFAULT_METHODOLOGY = "changchun-new-area"


class Steps:
    """Prints each step with its duration, so a person sees where the time goes."""

    def __init__(self) -> None:
        self.number = 0

    def __call__(self, title: str):
        self.number += 1
        click.secho(f"[{self.number}] {title}", bold=True)
        return _Timer()


class _Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            click.echo(f"    done in {time.perf_counter() - self.start:.1f} s")


def _same_delivery(out_dir: Path, enterprises: int, years: int, seed: int) -> bool:
    manifest = out_dir / "manifest.json"
    if not manifest.exists():
        return False
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return (data.get("seed"), data.get("enterprises"), data.get("years")) == (seed, enterprises, years)


def build_demo(enterprises: int, years: int, seed: int, out_dir: Path, methodology: str) -> dict:
    """Generate, import, score, evaluate and seed users; returns what was made (used by tests)."""
    from django.core.management import call_command

    from innoregion.generator import generate

    step = Steps()
    with step("database: migrations and reference data (zones, clusters, platforms, indicators)"):
        call_command("migrate", interactive=False, verbosity=0)
        from innoregion.apps.region.services import load_platforms_csv, load_reference_data

        click.echo(f"    {load_reference_data()}")

    with step(f"generate a synthetic region: {enterprises} enterprises × {years} years, seed {seed}"):
        if _same_delivery(out_dir, enterprises, years, seed):
            click.echo(f"    {out_dir} already holds this delivery")
        else:
            generate(out_dir, enterprises=enterprises, years=years, seed=seed, progress=True, echo=click.echo)

    with step("import the department files (registry, tax, IP office, HR, statistics, self-declared)"):
        from innoregion.apps.imports import services as imports
        from innoregion.cli.importing import ordered_files

        batches = []
        for path in ordered_files((str(out_dir),)):
            batch = imports.import_file(path)
            batches.append(batch)
            click.echo(f"    {path.name:<16} {batch.rows_accepted:>6} rows accepted, "
                       f"{batch.rows_quarantined:>3} quarantined, {batch.conflicts:>3} conflicts")
        click.echo(f"    platforms: {load_platforms_csv(out_dir / 'platforms.csv')}")

    from innoregion.apps.imports.selectors import effective_values

    filed_years = sorted(set(effective_values()["year"].to_list()))
    with step(f"score every enterprise, methodology {methodology}, years {filed_years[0]}–{filed_years[-1]}"):
        from innoregion.apps.points.services import score_region

        runs = [score_region(methodology, year) for year in filed_years]
        click.echo(f"    {runs[-1].units} enterprises scored for {filed_years[-1]}")

    with step(f"cultivation ladder and benefits without application, {filed_years[-1]}"):
        from innoregion.apps.ladder.services import facts_from_db, run_benefits, run_ladder

        facts = facts_from_db(filed_years[-1])
        ladder_run = run_ladder(facts, year=filed_years[-1])
        benefit_run = run_benefits(facts, ladder_run=ladder_run, year=filed_years[-1])
        met = {pack: counts.get("met", 0) for pack, counts in sorted(ladder_run.summary.items())}
        click.echo(f"    enterprises meeting each pack: {met}")
        click.echo(f"    benefits: ¥{benefit_run.paid_total:,.0f} paid of ¥{benefit_run.requested_total:,.0f} requested")

    with step("scenario list ↔ capability list: load both, propose matches (zh / ko / en)"):
        from innoregion.apps.matchmaking.importing import load_capabilities_csv, load_scenarios_csv
        from innoregion.apps.matchmaking.services import propose_all

        scenarios = load_scenarios_csv(out_dir / "scenarios.csv")
        capabilities = load_capabilities_csv(out_dir / "capabilities.csv")
        proposed = propose_all()
        click.echo(f"    {scenarios} scenarios, {capabilities} capabilities; {proposed}")

    with step("talent registry: import talents.csv, place each talent in a tier, issue talent codes"):
        from innoregion.apps.talent.importing import import_talents_csv
        from innoregion.apps.talent.services import issue_missing

        talent_batch = import_talents_csv(out_dir / "talents.csv")
        click.echo(f"    {talent_batch.rows_accepted} talents, {talent_batch.rows_quarantined} quarantined; "
                   f"{issue_missing()} talent codes issued")

    with step("users: an official, an administrator, a bank with an API token, an enterprise user"):
        from innoregion.apps.access.services import create_demo_users

        users = create_demo_users(stdout=lambda line: click.echo(f"    {line}"))
    return {"batches": batches, "runs": runs, "users": users, "years": filed_years,
            "ladder_run": ladder_run, "benefit_run": benefit_run}


@click.command("demo")
@click.option("--enterprises", default=3000, show_default=True, type=click.IntRange(min=50))
@click.option("--years", default=5, show_default=True, type=click.IntRange(min=3, max=10))
@click.option("--seed", default=2023, show_default=True, type=int)
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="where the generated department files go (default: <data dir>/demo-region)")
@click.option("--methodology", default=DEFAULT_METHODOLOGY, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="build the demo region and stop")
def command(enterprises: int, years: int, seed: int, out_dir: Path | None, methodology: str,
            host: str, port: int, no_serve: bool) -> None:
    """Generate a realistic synthetic region, import, score and evaluate it, then serve it."""
    from innoregion.cli import setup_django

    setup_django()
    from django.conf import settings

    out_dir = out_dir or Path(settings.DATA_DIR) / "demo-region"
    made = build_demo(enterprises, years, seed, out_dir, methodology)
    click.secho("\nThe demo region is ready.", bold=True, fg="green")
    click.echo(f"Log in at http://{host}:{port}/accounts/login/ with the users printed above.")
    if not no_serve:
        from innoregion.cli.serve import run_server

        run_server(host, port, workers=2, dev=False)
    return made
