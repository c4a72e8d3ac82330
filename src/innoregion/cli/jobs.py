"""``innoregion jobs``: background jobs from the command line — list, start, show, retry, and the
worker that runs them."""

from __future__ import annotations

import json
import time

import click


def _setup():
    """Django, and English for what the command prints (the pages show jobs in the reader's language)."""
    from innoregion.cli import setup_django

    setup_django()
    from django.utils import translation

    translation.activate("en")


def _parse_params(pairs: tuple[str, ...]) -> dict:
    """``k=v`` pairs; a key given twice becomes a list (for multiple choices)."""
    params: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        if key in params:
            params[key] = [*params[key], value] if isinstance(params[key], list) else [params[key], value]
        else:
            params[key] = value
    return params


def _job_or_fail(job_id: int):
    from innoregion.apps.jobs.models import Job

    job = Job.objects.select_related("started_by").filter(pk=job_id).first()
    if job is None:
        raise click.ClickException(f"no job {job_id}")
    return job


def _line(job) -> str:
    from django.utils import timezone

    from innoregion.apps.jobs.registry import kind_label

    who = job.started_by.get_username() if job.started_by_id else "cli"
    done = f"{job.percent} %" if job.percent is not None else str(job.progress_done)
    created = timezone.localtime(job.created_at)
    return (f"{job.pk:>6}  {job.status:<9}  {done:>6}  {created:%Y-%m-%d %H:%M:%S}  {who:<12}  "
            f"{job.kind} ({kind_label(job.kind)})")


@click.group(name="jobs")
def command() -> None:
    """Background jobs: scoring runs, ladder and benefit runs, imports, exports."""


@command.command(name="list")
@click.option("--status", type=click.Choice(["queued", "running", "succeeded", "failed", "stale"]), default=None)
@click.option("--kind", default=None, help="Only jobs of this kind.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
def list_jobs(status: str | None, kind: str | None, limit: int) -> None:
    """The newest jobs (stale ones are marked first)."""
    _setup()
    from innoregion.apps.jobs.models import Job
    from innoregion.apps.jobs.services import mark_stale

    mark_stale()
    jobs = Job.objects.select_related("started_by")
    if status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    total = jobs.count()
    for job in jobs[:limit]:
        click.echo(_line(job))
    if total > limit:
        click.echo(f"… {total - limit} more (use --limit)")


@command.command(name="kinds")
def list_kinds() -> None:
    """The job kinds and their parameters."""
    _setup()
    from innoregion.apps.jobs.registry import kinds

    for name, kind in sorted(kinds().items()):
        fields = ", ".join(kind.form_class.base_fields) if kind.form_class else ""
        click.echo(f"{name:<22} {kind.label}  [{fields}]")


@command.command(name="start")
@click.argument("kind")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter (repeatable; a yes/no parameter takes true or false).")
@click.option("--here", is_flag=True, help="Run the queued jobs in this process now (no worker needed).")
@click.option("--wait", is_flag=True, help="Wait until a worker has finished the job.")
@click.option("--timeout", type=click.FloatRange(min=0), default=None,
              help="With --wait: give up after this many seconds (exit status 1).")
def start(kind: str, params: tuple[str, ...], here: bool, wait: bool, timeout: float | None) -> None:
    """Queue a job of KIND with its parameters, checked by the kind's start form."""
    _setup()
    from innoregion.apps.jobs import registry, services

    try:
        job_kind = registry.get_kind(kind)
    except registry.UnknownKind:
        raise click.BadParameter(f"unknown job kind; one of {', '.join(sorted(registry.kinds()))}",
                                 param_hint="KIND") from None
    values = _parse_params(params)
    if job_kind.form_class is not None:
        initial = {name: field.initial for name, field in job_kind.form_class.base_fields.items()
                   if field.initial is not None}
        form = job_kind.form_class({**initial, **values}, trusted=True)
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise click.BadParameter(problems, param_hint="--param")
        values = form.job_parameters()
    job = services.start_job(kind, values)
    click.echo(f"job {job.pk} queued: {kind} {json.dumps(job.parameters, ensure_ascii=False)}")
    if here:
        services.run_pending()
    elif wait and not _wait(job.pk, timeout):
        raise click.ClickException(f"job {job.pk} has not finished after {timeout:g} s")
    if here or wait:
        _show(_job_or_fail(job.pk))


def _wait(job_id: int, timeout: float | None) -> bool:
    """Wait until the job is no longer queued or running; False when ``timeout`` seconds passed first."""
    from django.db import OperationalError

    from innoregion.apps.jobs.models import Job
    from innoregion.apps.jobs.services import mark_stale

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            mark_stale()
            if not Job.objects.get(pk=job_id).is_active:
                return True
        except OperationalError:  # SQLite busy beyond its timeout: look again in a moment
            pass
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(min(1.0, timeout or 1.0))


def _show(job) -> None:
    from innoregion.apps.jobs import selectors

    click.echo(_line(job))
    for label, value in selectors.parameters_of(job):
        click.echo(f"  {label}: {value}")
    if job.step:
        click.echo(f"  step: {selectors.step_text(job)}")
    if job.result is not None:
        click.echo(f"  result: {json.dumps(job.result, ensure_ascii=False)}")
    if job.result_file:
        from innoregion.apps.jobs.services import exports_dir

        click.echo(f"  file: {exports_dir() / job.result_file}")
    if job.error:
        click.echo(f"  error: {selectors.error_text(job)}")
    if job.retry_of_id:
        click.echo(f"  retry of job {job.retry_of_id}")
    for line in selectors.log_lines(job):
        when = f"{line['at']:%H:%M:%S}" if line["at"] else ""
        click.echo(f"  {when} {line['level']:<7} {line['text']}")
    if job.traceback:
        click.echo(job.traceback.rstrip())


@command.command(name="show")
@click.argument("job_id", type=int)
def show(job_id: int) -> None:
    """A job's parameters, progress, result or error, log (and traceback: the CLI is the operator's)."""
    _setup()
    from innoregion.apps.jobs.services import mark_stale

    mark_stale()
    _show(_job_or_fail(job_id))


@command.command(name="retry")
@click.argument("job_id", type=int)
@click.option("--here", is_flag=True, help="Run it in this process now (no worker needed).")
def retry(job_id: int, here: bool) -> None:
    """Queue a failed or stale job again, with the same parameters."""
    _setup()
    from innoregion.apps.jobs import services

    services.mark_stale()
    try:
        new = services.retry_job(_job_or_fail(job_id))
    except services.JobError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"job {new.pk} queued as a retry of job {job_id}")
    if here:
        services.run_pending()
        _show(_job_or_fail(new.pk))


@command.command(name="worker")
@click.option("--batch", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--interval", default=1.0, show_default=True, type=float,
              help="Seconds between looks at the queue when it is empty.")
@click.option("--max-tasks", default=None, type=click.IntRange(min=1), help="Exit after this many jobs.")
@click.option("--worker-id", default=None, help="A unique id of this worker (default: generated).")
@click.option("--reload/--no-reload", default=False, show_default=True, help="Restart on code changes.")
def worker(batch: bool, interval: float, max_tasks: int | None, worker_id: str | None, reload: bool) -> None:
    """Run the database worker (django-tasks-db's db_worker on the jobs' queue), after marking the
    jobs of lost workers stale. Stop it with Ctrl+C or SIGTERM: it finishes the running job first."""
    _setup()
    from django.core.management import call_command

    from innoregion.apps.jobs.services import QUEUE, mark_stale

    stale = mark_stale()
    if stale:
        click.echo(f"{stale} job(s) of a stopped worker marked stale")
    options = {"queue_name": QUEUE, "interval": interval, "batch": batch, "reload": reload,
               "startup_delay": False}
    if max_tasks is not None:
        options["max_tasks"] = max_tasks
    if worker_id:
        options["worker_id"] = worker_id
    call_command("db_worker", **options)
