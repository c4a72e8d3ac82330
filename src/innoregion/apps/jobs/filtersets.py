"""The job list's filters: kind, status, who started it, created between two dates."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.forms import DateInput
from django.utils.translation import gettext_lazy as _

from innoregion.apps.jobs import registry
from innoregion.apps.jobs.models import Job


def kind_choices():
    return sorted(((name, str(kind.label)) for name, kind in registry.kinds().items()), key=lambda c: c[1])


def starters(request):
    """The users who started a job (only officials and administrators can see this list)."""
    return get_user_model().objects.filter(jobs__isnull=False).distinct().order_by("username")


class JobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=kind_choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Job.Status.choices)
    started_by = django_filters.ModelChoiceFilter(label=_("started by"), queryset=starters,
                                                  null_label=_("command line"))
    created_from = django_filters.DateFilter(label=_("created from"), field_name="created_at",
                                             lookup_expr="date__gte", widget=DateInput(attrs={"type": "date"}))
    created_until = django_filters.DateFilter(label=_("created until"), field_name="created_at",
                                              lookup_expr="date__lte", widget=DateInput(attrs={"type": "date"}))

    class Meta:
        model = Job
        fields = ["kind", "status", "started_by", "created_from", "created_until"]
