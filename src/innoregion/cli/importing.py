"""``innoregion import``: import department files (or a folder of them) into the region database."""

from __future__ import annotations

from pathlib import Path

import click

SOURCE_CHOICES = ["auto", "registry", "tax", "ip", "hr", "stats", "self"]
FILE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _department_file(path: Path) -> bool:
    from innoregion.engines.ingest import IngestError, infer_source

    try:
        infer_source(path.name)
    except IngestError:
        return False
    return path.is_file() and path.suffix.lower() in FILE_SUFFIXES


def ordered_files(paths: tuple[str, ...]) -> list[Path]:
    """Files given, with folders expanded to their department files (registry.csv, tax_2024.csv, ...;
    platforms.csv, manifest.json and the like are not department files): the register first, then
    tax, ip, hr, stats, self, each by year; files whose source cannot be told from the name come last."""
    from innoregion.engines.ingest import IMPORT_ORDER, IngestError, infer_source, infer_year

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if _department_file(f))
        else:
            files.append(p)

    def key(f: Path):
        try:
            rank = IMPORT_ORDER.index(infer_source(f.name))
        except IngestError:
            rank = len(IMPORT_ORDER)
        return (rank, infer_year(f.name) or 0, f.name)

    return sorted(files, key=key)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--source", type=click.Choice(SOURCE_CHOICES), default="auto", show_default=True,
              help="Department that sent the file(s); auto reads it from the name (tax_2024.csv).")
@click.option("--year", type=int, default=None, help="Year of the filings (default: from the file name).")
@click.option("--quarantine-dir", type=click.Path(file_okay=False), default=None,
              help="Also write each file's quarantined rows as CSV and XLSX into this folder.")
def command(paths: tuple[str, ...], source: str, year: int | None, quarantine_dir: str | None) -> None:
    """Import department files (CSV or XLSX) or folders of them; prints a report per file."""
    from innoregion.cli import setup_django

    setup_django()
    from innoregion.apps.imports import services
    from innoregion.apps.region.models import Indicator
    from innoregion.apps.region.services import load_reference_data
    from innoregion.engines.ingest import IngestError

    if not Indicator.objects.exists():
        load_reference_data()
    failed = 0
    for path in ordered_files(paths):
        try:
            batch = services.import_file(path, source, year=year)
        except IngestError as exc:
            click.echo(f"{path.name}: {exc}", err=True)
            failed += 1
            continue
        click.echo(services.format_report(batch))
        if batch.status != batch.Status.IMPORTED:
            failed += 1
        if quarantine_dir and batch.rows_quarantined and not batch.already_imported:
            out = Path(quarantine_dir)
            out.mkdir(parents=True, exist_ok=True)
            stem = f"{Path(batch.file_name).stem}.quarantine"
            services.export_quarantine_csv(batch, out / f"{stem}.csv")
            services.export_quarantine_xlsx(batch, out / f"{stem}.xlsx")
    if failed:
        raise click.ClickException(f"{failed} file(s) not imported")
