"""Forms of the enterprise page: the what-if (the list's filters are region/filtersets.py)."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class FastSelect(forms.Select):
    """A ``<select>`` written in Python: Django renders each option through a template (≈ 0.15 ms an
    option here), which made the what-if form the dearest part of the enterprise page. Flat choices
    only (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        final = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = {str(v) for v in self.format_value(value)}
        selected = mark_safe(" selected")
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (v, selected if str(v) in chosen else "", label) for v, label in self.choices))
        return format_html("<select{}>{}</select>", flatatt(final), options)


class WhatIfForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), widget=FastSelect)
    target = forms.ChoiceField(label=_("Target"), widget=FastSelect, choices=[("tier", _("the next tier")),
                                                           ("points", _("more points"))], initial="tier")
    points = forms.FloatField(label=_("Points more"), min_value=0.1, max_value=1000, initial=5, required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = list(indicators)

