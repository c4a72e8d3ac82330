"""Start forms of job kinds, and how a job's parameters are shown with their human labels."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from innoregion.apps.jobs.registry import JobKind


def jsonable(value: Any) -> Any:
    """A form value as JSON: model instances by id, dates as ISO text, decimals as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset) or isinstance(value, models.QuerySet):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return str(value)


class JobForm(forms.Form):
    """The start form of a job kind. ``user`` is who starts it (for choices they may see);
    ``trusted`` is True on the command line, where an operator may give what a web form does not
    offer (a file path on the server). :meth:`job_parameters` turns the cleaned form into the job's
    parameters (JSON)."""

    def __init__(self, data=None, files=None, *, user=None, trusted: bool = False, **kwargs):
        super().__init__(data, files, **kwargs)
        self.user = user
        self.trusted = trusted
        year = self.fields.get("year")
        if year is not None and year.initial is None and not self.is_bound:
            from innoregion.apps.region.selectors import latest_filing_year

            year.initial = latest_filing_year()  # the year a new run is most often for

    def job_parameters(self) -> dict:
        return {name: jsonable(value) for name, value in self.cleaned_data.items()
                if not isinstance(value, UploadedFile)}


class NoParametersForm(JobForm):
    """For a kind that takes no parameters."""


def _display(field: forms.Field | None, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(field, forms.ModelChoiceField):
        ids = value if isinstance(value, list) else [value]
        names = [field.label_from_instance(o) for o in field.queryset.model._default_manager.filter(pk__in=ids)]
        return ", ".join(names) if names else ", ".join(str(v) for v in ids)
    if isinstance(field, forms.ChoiceField):
        choices = {}
        for key, label in field.choices:
            if isinstance(label, list | tuple):  # grouped choices
                choices.update({str(k): str(v) for k, v in label})
            else:
                choices[str(key)] = str(label)
        values = value if isinstance(value, list) else [value]
        return ", ".join(choices.get(str(v), str(v)) for v in values)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe_parameters(kind: JobKind | None, parameters: dict) -> list[tuple[str, str]]:
    """``(label, value)`` pairs of a job's parameters, labelled by the kind's start form."""
    fields = dict(kind.form_class.base_fields) if kind is not None and kind.form_class is not None else {}
    rows = []
    for name, value in (parameters or {}).items():
        field = fields.get(name)
        label = str(field.label) if field is not None and field.label else name.replace("_", " ")
        rows.append((label, _display(field, value)))
    return rows
