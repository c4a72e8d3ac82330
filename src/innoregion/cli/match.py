"""``innoregion match``: matchmaking between the scenario list and the capability list.

``evaluate`` is pure (the labelled set in, a quality table out); ``run`` and ``train`` work on the
platform database.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="match")
def command() -> None:
    """Matchmaking: evaluate the methods, propose matches, learn from caseworkers' decisions."""


@command.command()
@click.option("--labelled", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="Folder with scenarios.yaml, capabilities.yaml, qrels.csv (default: the project's set).")
@click.option("--no-dense", is_flag=True, help="Lexical path only (no sentence-embedding model).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the table (Markdown) to this file.")
def evaluate(labelled: Path | None, no_dense: bool, out: Path | None) -> None:
    """Recall@10, nDCG@10 and cross-language recall@10 of every method on a labelled set."""
    from innoregion.engines.matching import MatchConfig
    from innoregion.engines.matching.evaluate import evaluate as run_evaluation
    from innoregion.engines.matching.evaluate import load_labelled_set

    config = MatchConfig(use_dense=False) if no_dense else None
    report = run_evaluation(load_labelled_set(labelled), config=config)
    table = report.markdown()
    click.echo(table)
    click.echo(f"\nre-ranker: {report.reranker.reason}\ndefault method: {report.default_method}")
    if out is not None:
        out.write_text(table + "\n", encoding="utf-8")


@command.command()
@click.option("--scenario", "scenario_ids", type=int, multiple=True, help="Only these scenario ids.")
@click.option("--top-k", type=int, default=None, help="Proposals per scenario (default: the engine's 10).")
def run(scenario_ids: tuple[int, ...], top_k: int | None) -> None:
    """Propose matches for published scenarios and store them (decided matches are kept)."""
    from innoregion.cli import setup_django

    setup_django()
    from innoregion.apps.matchmaking import services
    from innoregion.apps.matchmaking.models import Scenario

    scenarios = Scenario.objects.filter(status=Scenario.Status.PUBLISHED)
    if scenario_ids:
        scenarios = scenarios.filter(pk__in=scenario_ids)
    result = services.propose_all(scenarios, top_k=top_k)
    click.echo(f"{result['scenarios']} scenarios, {result['matches']} proposals stored")
    if result["failed"]:
        click.echo(f"scenarios with unusable text (not matched): {result['failed']}", err=True)


@command.command()
def train() -> None:
    """Learn the re-ranker from accepted/rejected matches; it is used only if it helps held-out scenarios."""
    from innoregion.cli import setup_django

    setup_django()
    from innoregion.apps.matchmaking import services

    row = services.train_reranker()
    click.echo(f"{row.decisions} decisions; {'in use' if row.active else 'not used'}: {row.report.get('reason')}")
