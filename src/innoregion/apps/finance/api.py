"""The bank API (``/api/v1/``): consenting enterprises with points, tier and rung; one
enterprise's breakdown and filings within the consent's scope; the white-list export.

Authentication is a bank's API token (``Authorization: Bearer irk_...``); only its SHA-256 is
stored. Every object read is recorded in the audit log with the consent it happened under; every
queryset is narrowed by ``restrict``. Errors come back in the client's language (Accept-Language)."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView, exception_handler

from innoregion.apps.access import audit
from innoregion.apps.access.models import ApiToken, Consent, Role
from innoregion.apps.access.restrict import Who, restrict
from innoregion.apps.access.services import authenticate_token
from innoregion.apps.cockpit import sources
from innoregion.apps.finance.models import CreditApplication, PledgeApplication
from innoregion.apps.region.models import Enterprise, Filing

# the columns a summary row shows: narrow rows keep the sort of the consenting enterprises in memory
# (the zone's geometry made PostgreSQL sort a 6,000-row page set on disk)
SUMMARY_FIELDS = ("credit_code", "name_zh", "name_en", "name_ko", "cluster__code", "zone__code")


def _summary_queryset():
    return Enterprise.objects.select_related("cluster", "zone").only(*SUMMARY_FIELDS)


# ---------------------------------------------------------------- authentication, permission, throttle
class BankTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in (b"bearer", b"token"):
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        token = authenticate_token(parts[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API token."))
        try:  # the profile came with the token (select_related): Who need not read it again
            token.user._innoregion_profile = token.user.profile
        except ObjectDoesNotExist:
            pass
        if Who(token.user).bank_id != token.bank_id or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API token."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BankTokenScheme(OpenApiAuthenticationExtension):
    target_class = "innoregion.apps.finance.api.BankTokenAuthentication"
    name = "bankToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A bank's API token (irk_...), created on the bank's token page; shown once."}


class BankTokenRequired(BasePermission):
    """A bank user's token carrying the view's scope."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if Who(request.user).role != Role.BANK:
            return False
        needed = getattr(view, "scope", "summary")
        if needed not in token.scopes:
            raise exceptions.PermissionDenied(_("This API token does not carry the '%(scope)s' scope.")
                                              % {"scope": needed})
        return True


class BankThrottle(SimpleRateThrottle):
    scope = "bank"

    def get_rate(self):
        import os

        from django.conf import settings

        return getattr(settings, "INNOREGION_BANK_API_RATE", None) or os.environ.get(
            "INNOREGION_BANK_API_RATE", "1200/min")

    def get_cache_key(self, request, view):
        token = request.auth
        ident = f"t{token.pk}" if isinstance(token, ApiToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def localised_exception_handler(exc, context):
    """DRF's handler, with the common messages from our own catalogues (DRF has no ``ko`` locale)."""
    messages = {
        exceptions.NotAuthenticated: _("Authentication credentials were not provided."),
        exceptions.AuthenticationFailed: None,
        exceptions.PermissionDenied: None,
        exceptions.NotFound: _("Not found, or not shared with your bank."),
        exceptions.MethodNotAllowed: _("Method not allowed."),
    }
    if isinstance(exc, exceptions.Throttled):
        exc.detail = _("Too many requests; retry in %(seconds)s seconds.") % {"seconds": exc.wait and int(exc.wait)}
    elif type(exc) in messages and messages[type(exc)]:
        exc.detail = messages[type(exc)]
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail) == str(
            exceptions.PermissionDenied.default_detail):
        exc.detail = _("You do not have permission to perform this action.")
    response = exception_handler(exc, context)
    if response is not None:
        response["Content-Language"] = context["request"].LANGUAGE_CODE if hasattr(
            context["request"], "LANGUAGE_CODE") else ""
    return response


class BankAPIView(APIView):
    authentication_classes = [BankTokenAuthentication]
    permission_classes = [BankTokenRequired]
    throttle_classes = [BankThrottle]
    scope = "summary"

    def get_exception_handler(self):
        return localised_exception_handler

    def consents(self, enterprise_ids) -> dict[int, int]:
        """``{enterprise_id: consent_id}``: the consent each read happens under."""
        return {eid: cid for eid, (cid, _expiry) in self.consents_with_expiry(enterprise_ids).items()}

    def consents_with_expiry(self, enterprise_ids) -> dict[int, tuple[int, object]]:
        """``{enterprise_id: (consent_id, expires_at)}`` in one query: the consent each read happens
        under (the one that lasts longest) and its expiry."""
        out: dict[int, tuple[int, object]] = {}
        qs = (Consent.objects.active().with_scope(self.scope)
              .filter(bank_id=self.request.auth.bank_id, enterprise_id__in=list(enterprise_ids))
              .order_by("enterprise_id", "-expires_at").values_list("enterprise_id", "pk", "expires_at"))
        for eid, cid, expiry in qs:
            out.setdefault(eid, (cid, expiry))
        return out

    def get_enterprise(self, credit_code: str) -> Enterprise:
        ent = restrict(_summary_queryset(), self.request.user, self.scope) \
            .filter(credit_code=credit_code.upper()).first()
        if ent is None:
            raise exceptions.NotFound()
        return ent


# ---------------------------------------------------------------- serializers
class EnterpriseSummarySerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    name_ko = serializers.CharField()
    cluster = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    stage = serializers.CharField(allow_blank=True)
    rung = serializers.CharField(allow_blank=True)
    consent_expires_at = serializers.DateTimeField(allow_null=True)


class BreakdownItemSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="the indicator's raw value")
    normalised = serializers.FloatField(allow_null=True, required=False)
    weight = serializers.FloatField(allow_null=True, required=False, help_text="effective weight")
    contribution = serializers.FloatField(allow_null=True, help_text="points the indicator brings")


class BreakdownSerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    points = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    stage = serializers.CharField(allow_blank=True)
    bonus = serializers.FloatField(allow_null=True)
    penalty = serializers.FloatField(allow_null=True)
    items = BreakdownItemSerializer(many=True)


class FilingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    indicator = serializers.CharField(source="indicator.code")
    source = serializers.CharField()
    value = serializers.FloatField()
    batch = serializers.IntegerField(source="batch_id")


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    credit_code = serializers.CharField(source="enterprise.credit_code")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    registration_status = serializers.CharField(required=False, allow_blank=True)
    created_at = serializers.DateTimeField()


class ApplicationUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["reviewing", "approved", "declined"], required=False)
    registration_status = serializers.ChoiceField(
        choices=[c for c, _label in PledgeApplication.Registration.choices], required=False)
    registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


def _summary_rows(enterprises, consents_expiry: dict[int, object]) -> list[dict]:
    ids = [e.pk for e in enterprises]
    scores = sources.scores_for(ids)
    rungs = sources.rungs_for(ids, gaps=False)
    rows = []
    for e in enterprises:
        s = scores.get(e.pk, {})
        rows.append({"credit_code": e.credit_code, "name_zh": e.name_zh, "name_en": e.name_en,
                     "name_ko": e.name_ko, "cluster": e.cluster.code if e.cluster_id else None,
                     "zone": e.zone.code if e.zone_id else None, "points": s.get("points"),
                     "tier": s.get("tier", ""), "stage": s.get("stage", ""),
                     "rung": rungs.get(e.pk, {}).get("rung", ""),
                     "consent_expires_at": consents_expiry.get(e.pk)})
    return rows


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# ---------------------------------------------------------------- endpoints
class EnterpriseList(BankAPIView):
    scope = "summary"

    @extend_schema(responses=EnterpriseSummarySerializer(many=True),
                   parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)])
    def get(self, request):
        qs = restrict(_summary_queryset(), request.user, "summary").order_by("credit_code")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        found = self.consents_with_expiry(e.pk for e in page)
        consents = {eid: cid for eid, (cid, _e) in found.items()}
        expiry = {eid: e for eid, (_c, e) in found.items()}
        audit.record_bank_reads(request.user, request.auth.bank_id, "bank.read.summary", consents)
        return paginator.get_paginated_response(EnterpriseSummarySerializer(_summary_rows(page, expiry),
                                                                            many=True).data)


class EnterpriseDetail(BankAPIView):
    scope = "summary"

    @extend_schema(responses=EnterpriseSummarySerializer)
    def get(self, request, credit_code: str):
        ent = self.get_enterprise(credit_code)
        consent_id, expires_at = self.consents_with_expiry([ent.pk])[ent.pk]
        audit.record(request.user, "bank.read.summary", ent, consent=consent_id, bank=request.auth.bank_id)
        return Response(EnterpriseSummarySerializer(_summary_rows([ent], {ent.pk: expires_at})[0]).data)


class EnterpriseBreakdown(BankAPIView):
    scope = "breakdown"

    @extend_schema(responses=BreakdownSerializer)
    def get(self, request, credit_code: str):
        ent = self.get_enterprise(credit_code)
        consent_id = self.consents([ent.pk])[ent.pk]
        s = sources.scores_for([ent.pk], breakdown=True).get(ent.pk, {})
        items = sources.breakdown_items(s.get("breakdown"))
        audit.record(request.user, "bank.read.breakdown", ent, consent=consent_id, bank=request.auth.bank_id)
        bd = s.get("breakdown") or {}
        return Response(BreakdownSerializer({
            "credit_code": ent.credit_code, "points": s.get("points"), "tier": s.get("tier", ""),
            "stage": s.get("stage", ""), "bonus": bd.get("bonus"), "penalty": bd.get("penalty"),
            "items": items}).data)


class EnterpriseFilings(BankAPIView):
    scope = "filings"

    @extend_schema(responses=FilingSerializer(many=True))
    def get(self, request, credit_code: str):
        ent = self.get_enterprise(credit_code)
        consent_id = self.consents([ent.pk])[ent.pk]
        filings = restrict(Filing.objects.filter(enterprise=ent, is_current=True).select_related("indicator"),
                           request.user, "filings").order_by("year", "indicator__code", "source")
        audit.record(request.user, "bank.read.filings", ent, consent=consent_id, bank=request.auth.bank_id)
        return Response(FilingSerializer(filings, many=True).data)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class WhitelistExport(BankAPIView):
    """Consenting enterprises at or above ``min_points`` (and in ``tier`` if given), as CSV or XLSX."""

    scope = "summary"
    columns = ["credit_code", "name_zh", "name_en", "cluster", "zone", "points", "tier", "stage", "rung",
               "consent_expires_at"]

    @extend_schema(parameters=[OpenApiParameter("min_points", float), OpenApiParameter("tier", str)],
                   responses={(200, "text/csv"): bytes})
    def get(self, request, fmt: str):
        if fmt not in ("csv", "xlsx"):
            raise exceptions.NotFound()
        qs = restrict(Enterprise.objects.select_related("cluster", "zone"), request.user, "summary") \
            .order_by("credit_code")
        ents = list(qs)
        consents = self.consents(e.pk for e in ents)
        expiry = dict(Consent.objects.filter(pk__in=consents.values()).values_list("enterprise_id", "expires_at"))
        rows = _summary_rows(ents, expiry)
        try:
            min_points = float(request.query_params.get("min_points", "nan"))
        except ValueError:
            raise exceptions.ValidationError({"min_points": _("Must be a number.")}) from None
        tier = request.query_params.get("tier")
        if min_points == min_points:  # not NaN
            rows = [r for r in rows if r["points"] is not None and r["points"] >= min_points]
        if tier:
            rows = [r for r in rows if r["tier"] == tier]
        shown = {r["credit_code"] for r in rows}
        audit.record_bank_reads(request.user, request.auth.bank_id, "bank.export.whitelist",
                                {e.pk: consents[e.pk] for e in ents if e.credit_code in shown})
        table = [[safe_cell(r[c].isoformat() if hasattr(r[c], "isoformat") else r[c]) for c in self.columns]
                 for r in rows]
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(self.columns)
            writer.writerows(table)
            resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "whitelist"
            ws.append(self.columns)
            for row in table:
                ws.append(row)
            out = io.BytesIO()
            wb.save(out)
            resp = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="whitelist.{fmt}"'
        return resp


def _applications(request):
    out = []
    for kind, model in (("credit", CreditApplication), ("pledge", PledgeApplication)):
        for a in restrict(model.objects.select_related("enterprise"), request.user, "view"):
            a.kind = kind if kind == "credit" else f"pledge-{a.kind}"
            out.append(a)
    return out


class ApplicationList(BankAPIView):
    scope = "summary"

    @extend_schema(responses=ApplicationSerializer(many=True))
    def get(self, request):
        apps = _applications(request)
        return Response(ApplicationSerializer(apps, many=True).data)


class ApplicationUpdate(BankAPIView):
    """The bank moves an application along (status) or records the pledge registration it obtained."""

    scope = "summary"

    @extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationSerializer)
    def patch(self, request, kind: str, pk: int):
        from innoregion.apps.finance import services

        if kind not in ("credit", "pledge"):
            raise exceptions.NotFound()
        model = CreditApplication if kind == "credit" else PledgeApplication
        app = restrict(model.objects.select_related("enterprise"), request.user, "change").filter(pk=pk).first()
        if app is None:
            raise exceptions.NotFound()
        ser = ApplicationUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        app = services.update_application(app, request.user, **ser.validated_data)
        app.kind = kind if kind == "credit" else f"pledge-{app.kind}"
        return Response(ApplicationSerializer(app).data, status=status.HTTP_200_OK)
