"""``innoregion serve``: serve the platform (gunicorn; ``--dev`` for Django's development server)."""

from __future__ import annotations

import os
import sys

import click


def migrate_quietly() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def run_server(host: str, port: int, workers: int, dev: bool) -> None:
    from innoregion.cli import setup_django

    setup_django()
    migrate_quietly()
    click.echo(f"innoregion serving at http://{host}:{port}/  (Ctrl+C stops it)")
    if dev:
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}", use_reloader=False)
        return
    from django.conf import settings

    if not settings.DEBUG:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    args = [
        "gunicorn", "innoregion.site.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
        "--access-logfile", "-", "--log-level", "warning",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--dev", is_flag=True, help="Django's development server instead of gunicorn")
def command(host: str, port: int, workers: int, dev: bool) -> None:
    """Apply migrations, then serve the platform (cockpit, portals, bank API)."""
    run_server(host, port, workers, dev)
