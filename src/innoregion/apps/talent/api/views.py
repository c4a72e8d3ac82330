"""Read-only API of the talent registry for officials (``/api/v1/talent/``): region counts, the
pseudonymous registry, the import batches. No personal data is served here.

Signed-in session only (the officials' web login). Who may read is decided by the talent app's access
rules (``access.allowed``: officials, administrators, or the ``talent.view_talent`` permission), and
every queryset goes through the platform's choke point ``restrict``. The public JSON of offline
scanners (``keys.json``, the status list) stays outside this API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from innoregion.apps.access.policy import allowed, restrict
from innoregion.apps.talent import selectors
from innoregion.apps.talent.api.serializers import (
    CountsSerializer,
    ImportBatchSerializer,
    TalentSerializer,
)
from innoregion.apps.talent.models import Talent, TalentCredential, TalentImportBatch


class TalentRegistryReader(BasePermission):
    message = _("Only officials may read the talent registry.")

    def has_permission(self, request, view):
        return allowed(request.user, "talent.view")


class TalentAPIMixin:
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated, TalentRegistryReader]


class Page(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


# ---------------------------------------------------------------- serializers
class CountsView(TalentAPIMixin, APIView):
    @extend_schema(operation_id="talent_counts", responses=CountsSerializer, tags=["talent"],
                   summary="Talents of the region by tier, field and cluster")
    def get(self, request):
        talents = restrict(Talent.objects.all(), request.user)
        credentials = restrict(TalentCredential.objects.all(), request.user)
        return Response(CountsSerializer(selectors.region_counts(talents, credentials)).data)


@extend_schema(tags=["talent"], summary="The pseudonymous talent registry (no personal data)",
               parameters=[OpenApiParameter("tier", str, description="tier code; 'none' for unplaced talents"),
                           OpenApiParameter("field", str), OpenApiParameter("cluster", str, description="cluster code")])
class TalentListView(TalentAPIMixin, ListAPIView):
    serializer_class = TalentSerializer
    pagination_class = Page

    def get_queryset(self):
        qs = restrict(Talent.objects.select_related("cluster", "affiliation"), self.request.user)
        params = self.request.query_params
        if "tier" in params:
            qs = qs.filter(tier="" if params["tier"] == "none" else params["tier"])
        if params.get("field"):
            qs = qs.filter(field=params["field"])
        if params.get("cluster"):
            qs = qs.filter(cluster__code=params["cluster"])
        return qs.order_by("pseudonymous_id")


@extend_schema(tags=["talent"], summary="Talent file imports, newest first")
class ImportBatchListView(TalentAPIMixin, ListAPIView):
    serializer_class = ImportBatchSerializer
    pagination_class = Page

    def get_queryset(self):
        return restrict(TalentImportBatch.objects.all(), self.request.user).order_by("-started_at", "-pk")
