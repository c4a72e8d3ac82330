"""``innoregion index run``: run a composite-index / innovation-points methodology on CSV files.

Pure command: no Django. Example::

    innoregion index run --data asem_idata.csv --meta asem_imeta.csv \\
        --spec examples/coinr-asem/canonical.yaml --out results.csv --stages-dir stages/
"""

from __future__ import annotations

from pathlib import Path

import click

STAGE_FILES = ("raw", "denominated", "screened", "imputed", "treated", "normalised", "aggregated",
               "treatment_details", "weights", "effective_weights", "stages", "ranks", "tiers",
               "bonus_penalty", "scores", "normaliser_params")


@click.group("index")
def command() -> None:
    """Composite index and innovation points (COINr-compatible pipeline)."""


@command.command("run")
@click.option("--data", "data_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Unit x indicator table (CSV): uCode, group/denominator/indicator columns.")
@click.option("--meta", "meta_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Indicator metadata (CSV, COINr iMeta schema).")
@click.option("--spec", "spec_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Methodology spec (YAML), see docs/methodology/spec.md.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Results CSV: uCode, one column per aggregate, Rank.")
@click.option("--stages-dir", type=click.Path(file_okay=False), default=None,
              help="Also write every stage table as CSV into this directory.")
@click.option("--quiet", is_flag=True, help="Do not print warnings.")
def run(data_path: str, meta_path: str, spec_path: str, out_path: str, stages_dir: str | None,
        quiet: bool) -> None:
    """Run the pipeline and write the results."""
    import polars as pl

    from innoregion.engines.points import SpecError, load_spec, run_pipeline
    from innoregion.engines.points.pipeline import DataError

    try:
        spec = load_spec(spec_path)
        data = pl.read_csv(data_path, infer_schema_length=None)
        meta = pl.read_csv(meta_path, infer_schema_length=None)
        result = run_pipeline(data, meta, spec)
    except (SpecError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    h = result.hierarchy
    out = result.aggregated.select(["uCode", *h.aggregates]).join(
        result.scores.select("uCode", "Rank"), on="uCode", how="left", maintain_order="left")
    if spec.bonus["items"] or spec.penalty["items"] or spec.floor is not None or spec.ceiling is not None:
        out = out.join(result.scores.select("uCode", "score"), on="uCode", how="left", maintain_order="left")
    if spec.stages:
        out = out.join(result.scores.select("uCode", "stage", "StageRank", "tier"), on="uCode", how="left",
                       maintain_order="left")
    out = out.sort("Rank", nulls_last=True, maintain_order=True)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    out.write_csv(out_path, float_precision=None)
    if stages_dir:
        d = Path(stages_dir)
        d.mkdir(parents=True, exist_ok=True)
        for name in STAGE_FILES:
            result.stage(name).write_csv(d / f"{name}.csv")
        (d / "warnings.txt").write_text("\n".join(result.warnings) + ("\n" if result.warnings else ""),
                                        encoding="utf-8")
    if not quiet:
        for w in result.warnings:
            click.echo(f"warning: {w}", err=True)
    click.echo(f"{out.height} units scored -> {out_path}", err=True)
