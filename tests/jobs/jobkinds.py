"""Job kinds of the tests, registered when this module is imported (by the tests' conftest, and by a
worker process the tests start, through INNOREGION_EXTRA_JOB_MODULES=jobkinds).

``tests.rename`` renames an enterprise in the job's one transaction. With ``hold_dir`` it writes a
marker file when it reaches each phase ("reading": progress reported, nothing written yet;
"writing": inside the transaction, the new name written but not committed) and waits there while a
file ``hold-<phase>`` exists, so a test can look at the job from outside, or kill its worker."""

from __future__ import annotations

import time
from pathlib import Path

from django import forms
from django.utils.translation import gettext_noop

from innoregion.apps.jobs.forms import JobForm
from innoregion.apps.jobs.registry import register_kind
from innoregion.apps.jobs.services import JobError

HOLD_LIMIT = 120  # seconds a held job waits at most (a test that forgets to release it still ends)


class RenameForm(JobForm):
    credit_code = forms.CharField(label="Enterprise credit code")
    name = forms.CharField(label="New name")
    fail = forms.ChoiceField(label="How to fail", required=False,
                             choices=[("", "do not fail"), ("explained", "explained"), ("crash", "crash")])
    hold_dir = forms.CharField(label="Hold folder", required=False)


def _pause(hold: Path | None, phase: str) -> None:
    if hold is None:
        return
    (hold / phase).touch()
    deadline = time.monotonic() + HOLD_LIMIT
    while (hold / f"hold-{phase}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def rename(parameters: dict, report) -> dict:
    from innoregion.apps.region.models import Enterprise

    hold = Path(parameters["hold_dir"]) if parameters.get("hold_dir") else None
    code, name = parameters["credit_code"], parameters["name"]
    report(1, 3, gettext_noop("Looking up %(code)s"), code=code)
    _pause(hold, "reading")
    with report.atomic():
        changed = Enterprise.objects.filter(credit_code=code).update(name_zh=name)
        report(2, 3, gettext_noop("Renaming %(code)s"), code=code)
        _pause(hold, "writing")
        if parameters.get("fail") == "crash":
            raise RuntimeError("internal detail: /srv/secret/path line 42")
        if parameters.get("fail") == "explained":
            raise JobError(gettext_noop("Enterprise %(code)s may not be renamed."), code=code)
    report(3, 3, gettext_noop("Renamed %(code)s"), code=code)
    return {"renamed": changed, "name": name}


def chatter(parameters: dict, report) -> dict:
    """Many log lines (the log is bounded)."""
    for i in range(int(parameters.get("lines", 10))):
        report.log(gettext_noop("line %(i)s"), i=i)
    return {"lines": int(parameters.get("lines", 10))}


register_kind("tests.rename", rename, "Rename an enterprise (tests)", RenameForm, "jobs.start")
register_kind("tests.chatter", chatter, "Chatter (tests)", None, "jobs.start")
