"""Background jobs, the writes: start a job, run it (progress, heartbeat, log), finish, fail, retry,
mark the jobs whose worker is gone as stale; run the queued jobs in this process; start a worker.

How a job runs. :func:`start_job` stores a ``Job`` and enqueues the django-tasks task
``innoregion.apps.jobs.tasks.run_job`` with its id, in one transaction (both rows are in the same
database, so a worker never sees one without the other). A database worker (``manage.py db_worker``,
or ``innoregion jobs worker``) claims the task and calls :func:`execute_job`, which calls the kind's
function with a :class:`Reporter`.

Progress outside the job's transaction. The job's database writes happen in ONE transaction
(``with report.atomic():``), so a job killed mid-way leaves the region data as it was. Progress,
log lines and the heartbeat are written to the job's row by a small thread of the worker ("pulse")
with its own database connection, every half second when something changed and every
``INNOREGION_JOB_HEARTBEAT_SECONDS`` otherwise:

- on PostgreSQL they are committed at once, while the job's own writes are still uncommitted;
- SQLite has one writer at a time: while the job's transaction is open the pulse does not write
  (``report.atomic()`` holds a lock the pulse takes for each write), and what was reported meanwhile
  is written as soon as the transaction ends. So a SQLite job reports its reading and computing
  steps live, and its writing step when it is done; a reader never waits for the job.

When the job function is called inside a transaction of the caller (a test, a shell), a second
connection could not see the job's row: then progress is written through the caller's connection.

Stale jobs. A running job whose worker process is gone (same host: the process id no longer runs;
any host: no heartbeat for ``INNOREGION_JOB_STALE_SECONDS``) is marked ``stale`` when the job list or
page is read, by the CLI, and when a worker starts (:func:`mark_stale`). On SQLite a live process on
this host is trusted even with an old heartbeat (it may be inside a long write transaction, when
nobody can write). A stale or failed job is retried as a new job with the same parameters
(:func:`retry_job`, ``retry_of`` set).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import traceback as tb
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_noop

from innoregion.apps.jobs import registry
from innoregion.apps.jobs.messages import clean_params, entry, render, to_msgid
from innoregion.apps.jobs.models import Job

logger = logging.getLogger("innoregion.jobs")

QUEUE = "default"  # the django-tasks queue jobs go to (and the one ``innoregion jobs worker`` runs)
LOG_LINES = 1000  # log lines kept per job (the oldest go first; the job counts what was dropped)
TRACEBACK_CHARS = 20_000  # the end of a traceback is what says most
PULSE_SECONDS = 0.5  # how often the pulse looks for something to write
HOST = socket.gethostname()[:255]


def heartbeat_seconds() -> float:
    return float(getattr(settings, "INNOREGION_JOB_HEARTBEAT_SECONDS",
                         os.environ.get("INNOREGION_JOB_HEARTBEAT_SECONDS", "10")))


def stale_seconds() -> float:
    return float(getattr(settings, "INNOREGION_JOB_STALE_SECONDS",
                         os.environ.get("INNOREGION_JOB_STALE_SECONDS", "120")))


def exports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobError(Exception):
    """A failure the job's starter is told about: ``message`` is a message id (``gettext_noop``)
    with ``%(name)s`` values; it is shown translated on the job page."""

    def __init__(self, message, **params):
        self.message = to_msgid(message)
        self.params = clean_params(params)
        super().__init__(render(self.message, self.params))


class WorkerLost(Exception):
    """Recorded on the django-tasks result of a job whose worker stopped while it ran."""


# ---------------------------------------------------------------------------------------------- start
def start_job(kind: str, parameters: dict | None = None, user=None, *, retry_of: Job | None = None) -> Job:
    """Store a job of ``kind`` with ``parameters`` and queue it for the worker. ``user`` is who
    started it (``None`` on the command line). Permission is the caller's to check
    (``policy.ensure(user, registry.get_kind(kind).action)``)."""
    from innoregion.apps.access import audit
    from innoregion.apps.jobs.forms import jsonable
    from innoregion.apps.jobs.tasks import run_job

    registry.get_kind(kind)  # UnknownKind for a kind nobody registered
    starter = user if getattr(user, "is_authenticated", False) else None
    params = jsonable(dict(parameters or {}))
    with transaction.atomic():
        first = entry(gettext_noop("Queued."))
        if retry_of is not None:
            first = entry(gettext_noop("Queued as a retry of job %(job)s."), {"job": retry_of.pk})
        job = Job.objects.create(kind=kind, parameters=params, started_by=starter, retry_of=retry_of, log=[first])
        result = run_job.using(queue_name=QUEUE).enqueue(job.pk)
        job.task_result_id = str(result.id)
        job.save(update_fields=["task_result_id"])
        audit.record(starter, "job.start", job, after={"kind": kind, "parameters": params,
                                                      "retry_of": retry_of.pk if retry_of else None})
    return job


def retry_job(job: Job, user=None) -> Job:
    """A new job with ``job``'s kind and parameters, ``retry_of`` set; only for a failed or stale job."""
    if not job.can_retry:
        raise JobError(gettext_noop("Only a failed or stale job can be retried; job %(job)s is %(status)s."),
                       job=job.pk, status=job.status)
    return start_job(job.kind, job.parameters, user, retry_of=job)


# ---------------------------------------------------------------------------------------------- progress
def report_progress(job_id: int, *, done: int, total: int | None, step: str, step_params: dict,
                    log: list, log_dropped: int) -> bool:
    """Write a running job's progress, current step, log and heartbeat (one UPDATE of its row).
    False when the job is no longer running (it was marked stale meanwhile)."""
    return bool(Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
        progress_done=done, progress_total=total, step=step, step_params=step_params, log=log,
        log_dropped=log_dropped, heartbeat_at=timezone.now()))


class Reporter:
    """What a job function receives: ``report(done, total, message, **values)`` and
    ``report.log(message, **values)`` record progress; ``with report.atomic():`` is the job's one
    write transaction; ``report.user`` is who started the job; ``report.export_path(name)`` is where
    a file the job makes for download goes."""

    def __init__(self, job: Job, *, threaded: bool):
        self.job_id = job.pk
        self.user = job.started_by
        self.parameters = dict(job.parameters)
        self.threaded = threaded
        self.result_file = ""
        self.lost = False  # set when the row was found no longer running (marked stale)
        self._sqlite = connection.vendor == "sqlite"
        self._lock = threading.Lock()  # guards the state below
        self._gate = threading.RLock()  # SQLite: held while the job's transaction is open
        self._done, self._total = job.progress_done, job.progress_total
        self._step, self._step_params = job.step, dict(job.step_params)
        self._log, self._dropped = list(job.log), job.log_dropped
        self._dirty = False
        self._last_write = time.monotonic()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what the job calls
    def __call__(self, done: int, total: int | None = None, message="", **params) -> None:
        with self._lock:
            self._done = max(0, int(done))
            if total is not None:
                self._total = max(0, int(total))
            if message:
                text, values = to_msgid(message), clean_params(params)
                if (text, values) != (self._step, self._step_params):
                    self._step, self._step_params = text, values
                    self._append(entry(text, values))
            self._dirty = True
        self._changed()

    def log(self, message, level: str = "info", **params) -> None:
        with self._lock:
            self._append(entry(message, params, level))
            self._dirty = True
        self._changed()

    @contextmanager
    def atomic(self):
        """The job's database writes, in one transaction."""
        if self._sqlite and self.threaded:
            with self._gate, transaction.atomic():
                yield
        else:
            with transaction.atomic():
                yield

    def export_path(self, name: str) -> Path:
        """Where to write the file this job offers for download (one per job)."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).name).lstrip(".") or "export"
        folder = exports_dir() / f"job-{self.job_id}-{get_random_string(8).lower()}"
        folder.mkdir(parents=True, exist_ok=True)
        self.result_file = f"{folder.name}/{safe}"
        return folder / safe

    # -- state
    def _append(self, line: dict) -> None:
        self._log.append(line)
        if len(self._log) > LOG_LINES:
            drop = len(self._log) - LOG_LINES
            del self._log[:drop]
            self._dropped += drop

    def state(self) -> dict:
        with self._lock:
            return {"done": self._done, "total": self._total, "step": self._step,
                    "step_params": dict(self._step_params), "log": list(self._log), "log_dropped": self._dropped}

    def flush(self) -> None:
        with self._lock:
            values = {"done": self._done, "total": self._total, "step": self._step,
                      "step_params": dict(self._step_params), "log": list(self._log), "log_dropped": self._dropped}
            self._dirty = False
        try:
            if not report_progress(self.job_id, **values) and not self.lost:
                self.lost = True
                logger.warning("job %s was marked stale while it still runs", self.job_id)
        except DatabaseError:
            with self._lock:
                self._dirty = True
            raise
        self._last_write = time.monotonic()

    def _changed(self) -> None:
        if self.threaded:
            self._wake.set()
        elif time.monotonic() - self._last_write >= PULSE_SECONDS:  # the caller's connection: now and then
            self.flush()

    # -- the pulse thread
    def start(self) -> None:
        if self.threaded:
            self._thread = threading.Thread(target=self._pulse, name=f"job-{self.job_id}-pulse", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(timeout=60)
            self._thread = None

    def _pulse(self) -> None:
        try:
            if self._sqlite:  # this thread's own connection: give up a write quickly, try again soon
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 2000")
            while not self._stop.is_set():
                self._wake.wait(PULSE_SECONDS)
                self._wake.clear()
                if self._stop.is_set():
                    break
                if self._dirty or time.monotonic() - self._last_write >= heartbeat_seconds():
                    self._pulse_write()
        except Exception:
            logger.exception("job %s: the progress writer stopped", self.job_id)
        finally:
            connection.close()

    def _pulse_write(self) -> None:
        if self._sqlite and not self._gate.acquire(blocking=False):
            return  # the job's transaction is open: write when it ends
        try:
            self.flush()
        except DatabaseError as exc:
            logger.warning("job %s: progress not written yet (%s)", self.job_id, exc)
        finally:
            if self._sqlite:
                self._gate.release()


# ---------------------------------------------------------------------------------------------- run
def execute_job(job_id: int):
    """Run job ``job_id`` (the django-tasks task calls this in the worker). Returns the job's result.
    A failure is recorded on the job; an unexpected one is raised again (the task result says failed
    and the worker logs the traceback), a :class:`JobError` is not (the task ran as it should)."""
    job = Job.objects.select_related("started_by").filter(pk=job_id).first()
    if job is None or job.status != Job.Status.QUEUED:
        logger.warning("job %s: not queued (%s), not run", job_id, job.status if job else "missing")
        return None
    now = timezone.now()
    claimed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker_host=HOST, worker_pid=os.getpid())
    if not claimed:
        return None
    job.refresh_from_db()
    reporter = Reporter(job, threaded=not connection.in_atomic_block)
    reporter.log(gettext_noop("Started on %(host)s, process %(pid)s."), host=HOST, pid=os.getpid())
    reporter.start()
    try:
        kind = registry.get_kind(job.kind)
        result = kind.task(dict(job.parameters), reporter)
    except JobError as exc:  # a failure the job explains to its starter: the task itself ran as it should
        reporter.stop()
        fail_job(job, exc, reporter=reporter)
        return None
    except BaseException as exc:
        reporter.stop()
        fail_job(job, exc, reporter=reporter)
        raise
    reporter.stop()
    return finish_job(job, result, reporter=reporter)


def finish_job(job: Job, result: dict | None, *, reporter: Reporter | None = None) -> dict | None:
    """Record ``job`` as succeeded with ``result`` (JSON)."""
    from innoregion.apps.jobs.forms import jsonable

    result = jsonable(result) if result is not None else None
    state = reporter.state() if reporter is not None else _state_of(job)
    _add_line(state, entry(gettext_noop("Finished.")))
    total = state["total"]
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, finished_at=timezone.now(), heartbeat_at=timezone.now(), result=result,
        result_file=reporter.result_file if reporter is not None else job.result_file,
        progress_done=total if total else state["done"], progress_total=total, step=state["step"],
        step_params=state["step_params"], log=state["log"], log_dropped=state["log_dropped"])
    return result


def _user_message(exc: BaseException) -> tuple[str, dict]:
    if isinstance(exc, JobError):
        return exc.message, exc.params
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return (gettext_noop("The worker was stopped while the job ran. Nothing the job wrote was kept; "
                             "retry it."), {})
    if isinstance(exc, registry.UnknownKind):
        return gettext_noop("This worker does not know the job kind %(kind)s."), {"kind": str(exc.args[0])}
    return (gettext_noop("The job stopped on an unexpected error (%(error)s). Nothing the job wrote was kept; "
                         "an administrator can read the details."), {"error": type(exc).__name__})


def fail_job(job: Job, exc: BaseException | None = None, *, message: str = "", params: dict | None = None,
             reporter: Reporter | None = None) -> None:
    """Record ``job`` as failed: the user-facing message (from a :class:`JobError`, or a general one
    naming only the kind of error), the traceback for administrators and the server log."""
    text = ""
    if exc is not None:
        message, params = _user_message(exc)
        if not isinstance(exc, JobError):  # an explained failure needs no traceback
            text = "".join(tb.format_exception(exc))[-TRACEBACK_CHARS:]
            logger.error("job %s (%s) failed", job.pk, job.kind, exc_info=exc)
    state = reporter.state() if reporter is not None else _state_of(job)
    _add_line(state, entry(message, params, "error"))
    values = dict(status=Job.Status.FAILED, finished_at=timezone.now(), error=to_msgid(message),
                  error_params=clean_params(params), traceback=text, step=state["step"],
                  step_params=state["step_params"], progress_done=state["done"], progress_total=state["total"],
                  log=state["log"], log_dropped=state["log_dropped"])
    try:
        Job.objects.filter(pk=job.pk).update(**values)
    except DatabaseError:  # the connection went with the error: once more on a fresh one
        if connection.in_atomic_block:
            raise
        connection.close()
        Job.objects.filter(pk=job.pk).update(**values)


def _add_line(state: dict, line: dict) -> None:
    state["log"].append(line)
    drop = len(state["log"]) - LOG_LINES
    if drop > 0:
        del state["log"][:drop]
        state["log_dropped"] += drop


def _state_of(job: Job) -> dict:
    fresh = Job.objects.filter(pk=job.pk).values("progress_done", "progress_total", "step", "step_params", "log",
                                                "log_dropped").first() or {}
    return {"done": fresh.get("progress_done", 0), "total": fresh.get("progress_total"),
            "step": fresh.get("step", ""), "step_params": fresh.get("step_params") or {},
            "log": list(fresh.get("log") or []), "log_dropped": fresh.get("log_dropped", 0)}


# ---------------------------------------------------------------------------------------------- stale
def process_alive(pid: int | None) -> bool:
    """Does process ``pid`` run on this host (a zombie, killed and not yet reaped, does not)?"""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _worker_gone(host: str, pid: int | None, heartbeat, cutoff) -> bool:
    local = bool(host) and host == HOST and bool(pid)
    if local and not process_alive(pid):
        return True
    if heartbeat is not None and heartbeat >= cutoff:
        return False
    # no heartbeat for too long; on SQLite a live local worker may be inside a long write transaction
    return not (local and connection.vendor == "sqlite")


def mark_stale(now=None) -> int:
    """Mark running jobs whose worker is gone as stale (and their task results as failed); returns
    how many. A job still queued after the stale time whose task already ended (the worker could not
    run it) is marked failed. One query when nothing is wrong."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_seconds())
    marked = 0
    active = list(Job.objects.filter(status__in=Job.ACTIVE).values_list(
        "pk", "status", "worker_host", "worker_pid", "heartbeat_at", "task_result_id", "created_at"))
    for pk, status, host, pid, heartbeat, task_id, _created in active:
        if status != Job.Status.RUNNING or not _worker_gone(host, pid, heartbeat, cutoff):
            continue
        reason = (gettext_noop("The worker (%(host)s, process %(pid)s) stopped while the job ran; nothing the "
                               "job wrote was kept. Retry it."), {"host": host, "pid": pid})
        if _set_status(pk, Job.Status.RUNNING, Job.Status.STALE, *reason, now=now):
            marked += 1
            if task_id:
                DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
                    status="FAILED", finished_at=now, exception_class_path=f"{__name__}.WorkerLost",
                    traceback=f"WorkerLost: the worker of job {pk} stopped ({host}, process {pid})")
    waiting = {task_id: pk for pk, status, _h, _p, _b, task_id, created in active
               if status == Job.Status.QUEUED and task_id and created < cutoff}
    if waiting:
        ended = DBTaskResult.objects.filter(id__in=list(waiting), status__in=["FAILED", "SUCCESSFUL"])
        message = gettext_noop("The worker could not run the job (its task ended before the job started).")
        for task_id in ended.values_list("id", flat=True):
            marked += _set_status(waiting[str(task_id)], Job.Status.QUEUED, Job.Status.FAILED, message, {}, now=now)
    return marked


def _set_status(pk: int, old: str, new: str, message: str, params: dict, *, now) -> bool:
    current = Job.objects.filter(pk=pk, status=old).values_list("log", "log_dropped").first()
    if current is None:
        return False
    state = {"log": list(current[0] or []), "log_dropped": current[1]}
    _add_line(state, entry(message, params, "error"))
    return bool(Job.objects.filter(pk=pk, status=old).update(
        status=new, finished_at=now, error=message, error_params=clean_params(params), log=state["log"],
        log_dropped=state["log_dropped"]))


# ---------------------------------------------------------------------------------------------- workers
def run_pending(max_jobs: int | None = None) -> int:
    """Run the queued jobs in this process, as the database worker does (its claim, then its
    ``run_task``), until none is left or ``max_jobs`` ran; returns how many ran. For tests and for
    ``innoregion jobs start --here``: no worker process needed."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    worker_id = f"inproc-{get_random_string(12)}"
    worker = Worker(queue_names=[QUEUE], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
    ran = 0
    while max_jobs is None or ran < max_jobs:
        ready = DBTaskResult.objects.ready().filter(backend_name="default", queue_name=QUEUE)
        try:
            with exclusive_transaction(ready.db):
                task_result = ready.get_locked()
                if task_result is not None:
                    task_result.claim(worker_id)
        except OperationalError as exc:  # SQLite busy: look again, as the worker does
            if not is_locked_database_exception(exc) or connection.in_atomic_block:
                raise
            time.sleep(0.05)
            continue
        if task_result is None:
            break
        worker.run_task(task_result)
        ran += 1
    return ran


def worker_command(*args: str) -> list[str]:
    """The command line of a worker process: ``innoregion jobs worker`` with the same Python."""
    return [sys.executable, "-m", "innoregion.cli", "jobs", "worker", *args]


def start_worker_process(*args: str, env: dict | None = None, **popen: object) -> subprocess.Popen:
    """Start a database worker as a child process (the same Python and environment, plus ``env``);
    ``args`` go to ``innoregion jobs worker`` (e.g. ``"--batch"``). The caller terminates it on exit
    (``proc.terminate(); proc.wait()``: the worker finishes the job it runs first; a second signal stops
    it at once)."""
    environment = {**os.environ, **(env or {})}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "innoregion.site.settings")
    return subprocess.Popen(worker_command(*args), env=environment, **popen)
