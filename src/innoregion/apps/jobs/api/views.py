"""The jobs API (read-only): ``/api/v1/jobs/`` (filters as on the list page, paginated) and
``/api/v1/jobs/<id>/``, for officials: their session (read-only, so no CSRF question) or HTTP Basic
authentication over HTTPS for scripts. Every job is read through ``restrict``; the permission asks the
policy for ``jobs.view``."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission

from innoregion.apps.access.policy import allowed
from innoregion.apps.jobs import selectors, services
from innoregion.apps.jobs.api.serializers import JobDetailSerializer, JobSerializer
from innoregion.apps.jobs.filtersets import JobFilter
from innoregion.apps.jobs.models import Job


class MayViewJobs(BasePermission):
    def has_permission(self, request, view) -> bool:
        return allowed(request.user, "jobs.view")


class JobPages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class JobAPIMixin:
    authentication_classes = [SessionAuthentication, BasicAuthentication]
    permission_classes = [MayViewJobs]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is being built: no request
            return Job.objects.none()
        services.mark_stale()
        return selectors.jobs_for(self.request.user)


class JobList(JobAPIMixin, ListAPIView):
    serializer_class = JobSerializer
    pagination_class = JobPages
    filter_backends = [DjangoFilterBackend]
    filterset_class = JobFilter


class JobDetail(JobAPIMixin, RetrieveAPIView):
    serializer_class = JobDetailSerializer
