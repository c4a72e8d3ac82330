"""``innoregion serve``: serve the platform (gunicorn; ``--dev`` for Django's development server)."""

from __future__ import annotations

import signal
import subprocess
import sys

import click


def migrate_quietly() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def gunicorn_args(host: str, port: int, workers: int, worker_class: str = "gthread") -> list[str]:
    """gunicorn's command line. ``gthread`` (4 threads a worker) suits clients that keep connections
    open; ``sync`` (one request at a time a worker, a new connection each) gives the lowest latency
    for CPU-bound pages behind a reverse proxy (docs/benchmarks.md, platform latency)."""
    args = ["gunicorn", "innoregion.site.wsgi:application", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--worker-class", worker_class, "--access-logfile", "-", "--log-level", "warning",
            "--timeout", "300"]  # a large department file takes minutes to import
    if worker_class == "gthread":
        args += ["--threads", "4"]
    return args


def run_server(host: str, port: int, workers: int, dev: bool, worker_class: str = "gthread",
               jobs_worker: bool = True) -> None:
    """Serve until Ctrl+C; with ``jobs_worker`` a background-jobs worker runs beside the server as a
    child process and is stopped with it."""
    from innoregion.cli import setup_django

    setup_django()
    migrate_quietly()
    from django.conf import settings
    from django.core.management import call_command

    if not dev and not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    worker = None
    if jobs_worker:
        from innoregion.apps.jobs.services import start_worker_process

        worker = start_worker_process()
    click.echo(f"innoregion serving at http://{host}:{port}/  (Ctrl+C stops it)"
               + ("; background jobs worker started" if worker else ""))
    try:
        if dev:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        else:
            server = subprocess.Popen([sys.executable, "-m", *gunicorn_args(host, port, workers, worker_class)])
            try:
                server.wait()
            except KeyboardInterrupt:
                server.send_signal(signal.SIGINT)
                server.wait()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--worker-class", type=click.Choice(["gthread", "sync"]), default="gthread", show_default=True,
              help="gthread: 4 threads a worker, for clients that keep connections open; sync: one request "
                   "at a time a worker, lowest latency behind a reverse proxy")
@click.option("--dev", is_flag=True, help="Django's development server instead of gunicorn")
@click.option("--no-jobs-worker", is_flag=True,
              help="do not start a background-jobs worker (run `innoregion jobs worker` elsewhere)")
def command(host: str, port: int, workers: int, worker_class: str, dev: bool, no_jobs_worker: bool) -> None:
    """Apply migrations, then serve the platform (cockpit, portals, bank API) with a background-jobs
    worker beside it."""
    run_server(host, port, workers, dev, worker_class, jobs_worker=not no_jobs_worker)
