"""The registry of job kinds. Each owning app registers its kinds in its ``tasks.py`` (imported by the
app's ``ready()``)::

    register_kind("points.score", run_scoring, _("Scoring run"), ScoringJobForm, "jobs.start")

- ``task``: the job function ``task(parameters: dict, report) -> dict | None``; ``report`` is the
  job's progress reporter (``report(done, total, message, **values)``, ``report.log(...)``,
  ``report.atomic()`` for the job's one write transaction, ``report.user``, ``report.export_path()``);
  the returned dict (JSON) is the job's result;
- ``label``: what the pages call the kind (``gettext_lazy``);
- ``form_class``: the start form (a :class:`innoregion.apps.jobs.forms.JobForm`), also used to check
  the parameters given on the command line and to label them on the job page;
- ``action``: the policy action (``innoregion.apps.access.policy``) a user needs to start it;
- ``result_url``: optional ``fn(result) -> str | None``, the page the result is shown on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class UnknownKind(KeyError):
    pass


@dataclass(frozen=True)
class JobKind:
    kind: str
    task: Callable[[dict, Any], dict | None]
    label: Any
    form_class: type | None = None
    action: str = "jobs.start"
    result_url: Callable[[dict], str | None] | None = None

    def link(self, result: dict | None) -> str | None:
        if not result or self.result_url is None:
            return None
        try:
            return self.result_url(result)
        except Exception:  # a page that moved must not break the job page
            return None


_KINDS: dict[str, JobKind] = {}


def register_kind(kind: str, task: Callable, label, form_class: type | None = None, action: str = "jobs.start",
                  *, result_url: Callable[[dict], str | None] | None = None) -> JobKind:
    """Register a job kind (see the module's text). A kind is registered once."""
    if kind in _KINDS:
        raise ValueError(f"job kind {kind!r} is registered twice")
    if not callable(task):
        raise TypeError(f"job kind {kind!r}: task must be callable")
    registered = JobKind(kind, task, label, form_class, action, result_url)
    _KINDS[kind] = registered
    return registered


def get_kind(kind: str) -> JobKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise UnknownKind(kind) from None


def kinds() -> dict[str, JobKind]:
    """Every registered kind, by name."""
    return dict(_KINDS)


def kind_label(kind: str) -> str:
    """The kind's label, or its name when it is not registered (any more)."""
    registered = _KINDS.get(kind)
    return str(registered.label) if registered is not None else kind
