"""``innoregion generate``: write a deterministic demo region (department files) into a directory."""

from __future__ import annotations

from gettext import gettext as _
from pathlib import Path

import click


@click.command(
    "generate",
    help=_(
        "Generate a deterministic demo region into OUT_DIR: the enterprise register, per-year tax, IP, HR, "
        "statistics and self-declaration files (docs/data/department-files.md), platforms, talents and "
        "manifest.json. The same arguments always give byte-identical files."
    ),
)
@click.option("--enterprises", type=click.IntRange(min=1), default=3000, show_default=True,
              help=_("Number of enterprises in the register."))
@click.option("--years", type=click.IntRange(min=1, max=50), default=5, show_default=True,
              help=_("Number of consecutive years of filings."))
@click.option("--seed", type=click.IntRange(min=0), default=42, show_default=True,
              help=_("Random seed; the output depends only on the arguments."))
@click.option("--first-year", type=click.IntRange(min=1990, max=2100), default=2021, show_default=True,
              help=_("First year of filings."))
@click.option("--chunk-size", type=click.IntRange(min=100), default=50_000, show_default=True,
              help=_("Enterprises held in memory per step (rounded up to whole blocks of 5,000). "
                     "Affects memory and speed only, never the output."))
@click.option("--progress/--no-progress", default=True, show_default=True, help=_("Show a progress bar."))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def command(enterprises: int, years: int, seed: int, first_year: int, chunk_size: int, progress: bool,
            out_dir: Path) -> None:
    from innoregion.generator import generate

    manifest = generate(out_dir, enterprises=enterprises, years=years, seed=seed, first_year=first_year,
                        chunk_size=chunk_size, progress=progress, echo=click.echo)
    bad = sum(sum(kinds.values()) for kinds in manifest["bad_rows"].values())
    click.echo(_("Wrote {files} files for {n} enterprises × {y} years into {out} ({bad} planted bad rows; "
                 "see manifest.json).").format(files=len(manifest["files"]) + 1, n=enterprises, y=years,
                                                out=out_dir, bad=bad))
