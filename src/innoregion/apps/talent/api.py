"""Read-only API of the talent registry for officials (``/talent/api/``): region counts, the
pseudonymous registry, the import batches. No personal data is served here.

Signed-in session only (the officials' web login). Who may read is decided by the talent app's access
rules (``access.allowed``: officials, administrators, or the ``talent.view_talent`` permission), and
every queryset goes through the platform's choke point ``restrict``. The public JSON of offline
scanners (``keys.json``, the status list) stays outside this API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from innoregion.apps.access.restrict import restrict
from innoregion.apps.talent import services
from innoregion.apps.talent.access import allowed
from innoregion.apps.talent.models import Talent, TalentCredential, TalentImportBatch


class TalentRegistryReader(BasePermission):
    message = _("Only officials may read the talent registry.")

    def has_permission(self, request, view):
        return allowed(request.user, "view_talent")


class TalentAPIMixin:
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated, TalentRegistryReader]


class Page(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


# ---------------------------------------------------------------- serializers
class TierClusterSerializer(serializers.Serializer):
    tier = serializers.CharField(allow_blank=True)
    cluster = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()


class FlagCountsSerializer(serializers.Serializer):
    two_way_post = serializers.IntegerField()
    part_time_post = serializers.IntegerField()
    startup_founder = serializers.IntegerField()


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_tier = serializers.DictField(child=serializers.IntegerField(), help_text="'' = not placed in a tier")
    by_field = serializers.DictField(child=serializers.IntegerField())
    by_cluster = serializers.DictField(child=serializers.IntegerField(), help_text="'' = no cluster")
    tier_by_cluster = TierClusterSerializer(many=True)
    valid_codes = serializers.IntegerField(help_text="codes valid and not expired")
    flags = FlagCountsSerializer()


class TalentSerializer(serializers.ModelSerializer):
    cluster = serializers.CharField(source="cluster.code", default="")
    affiliation_credit_code = serializers.CharField(source="affiliation.credit_code", default="")

    class Meta:
        model = Talent
        fields = ["pseudonymous_id", "tier", "catalogue_version", "field", "cluster", "affiliation_type",
                  "affiliation_name", "affiliation_credit_code", "degree", "titles", "awards", "positions",
                  "two_way_post", "part_time_post", "startup_founder", "placed_at"]


class ImportBatchSerializer(serializers.ModelSerializer):
    quarantine_reasons = serializers.SerializerMethodField()

    class Meta:
        model = TalentImportBatch
        fields = ["id", "file_name", "sha256", "status", "rows_total", "rows_accepted", "rows_quarantined",
                  "talents_created", "talents_updated", "talents_unchanged", "quarantine_reasons", "started_at",
                  "finished_at"]

    def get_quarantine_reasons(self, batch) -> dict[str, int]:
        return dict((batch.report or {}).get("quarantine_reasons", {}))


# ---------------------------------------------------------------- views
class CountsView(TalentAPIMixin, APIView):
    @extend_schema(operation_id="talent_counts", responses=CountsSerializer, tags=["talent"],
                   summary="Talents of the region by tier, field and cluster")
    def get(self, request):
        talents = restrict(Talent.objects.all(), request.user)
        credentials = restrict(TalentCredential.objects.all(), request.user)
        return Response(CountsSerializer(services.region_counts(talents, credentials)).data)


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
