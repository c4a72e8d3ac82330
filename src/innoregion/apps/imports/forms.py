"""The upload form of a department file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from innoregion.apps.region.models import Source


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=_("Department"), choices=[("auto", _("from the file name")), *Source.choices])
    file = forms.FileField(label=_("File (CSV or XLSX)"))
