"""The bank API (``/api/v1/``): consenting enterprises with points, tier and rung; one
enterprise's breakdown and filings within the consent's scope; the white-list export.

Authentication is a bank's API token (``Authorization: Bearer irk_...``); only its SHA-256 is
stored. Every object read is recorded in the audit log with the consent it happened under; every
queryset is narrowed by ``restrict``. Errors come back in the client's language (Accept-Language)."""

from __future__ import annotations

import csv
import functools
import io

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView, exception_handler

from innoregion.apps.access import audit
from innoregion.apps.access.models import ApiToken, Consent
from innoregion.apps.access.policy import allowed, restrict, who_of
from innoregion.apps.access.services import authenticate_token
from innoregion.apps.finance import selectors
from innoregion.apps.finance.api.serializers import (
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    BreakdownSerializer,
    EnterpriseSummarySerializer,
    FilingSerializer,
)
from innoregion.apps.finance.models import CreditApplication, PledgeApplication
from innoregion.apps.ladder import selectors as ladder_selectors
from innoregion.apps.points import selectors as points_selectors
from innoregion.apps.region.models import Enterprise, Filing
from innoregion.exports import safe_cell

# the columns a summary row shows, read as plain values: no model instances, and none of the zone's
# geometry (wide rows once made PostgreSQL sort on disk)
SUMMARY_VALUES = ("pk", "credit_code", "name_zh", "name_en", "name_ko", "cluster__code", "zone__code")


_ID, _EXPIRY = models.BigIntegerField(), models.DateTimeField()  # output fields of the consent subqueries


@functools.cache
def _consent_sql(vendor: str, scope: str, column: str) -> str:
    """``SELECT <column> FROM consent ... LIMIT 1`` of the longest-lasting active consent of one bank
    (param 1) carrying ``scope`` at a time (param 2) to the enterprise of the outer row (the outer
    query's base table, ``region_enterprise``): the conditions of
    ``Consent.objects.active(at).with_scope(scope).filter(bank_id=...)``, which ``restrict`` narrows
    with too, ordered by expiry then id, latest first. Written out rather than built as an ORM
    ``Subquery``: two of those cost ≈ 2 ms of CPU per request to resolve and compile on this
    hardware, the raw text ≈ 0.3 ms (``test_platform_bank_list`` checks that the two agree)."""
    if scope not in ("summary", "breakdown", "filings"):
        raise ValueError(scope)
    quote = connection.ops.quote_name
    consent, enterprise = Consent._meta, Enterprise._meta

    def col(name: str) -> str:
        return "rc." + quote(consent.get_field(name).column)

    return (f"SELECT {col(column)} FROM {quote(consent.db_table)} rc "
            f"WHERE {col('enterprise')} = {quote(enterprise.db_table)}.{quote(enterprise.pk.column)} "
            f"AND {col('bank')} = %s AND {col('revoked_at')} IS NULL AND {col('expires_at')} > %s "
            f"AND {col('scope_' + scope)} ORDER BY {col('expires_at')} DESC, {col('id')} DESC LIMIT 1")


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
        if who_of(token.user).bank_id != token.bank_id or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API token."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BankTokenScheme(OpenApiAuthenticationExtension):
    target_class = "innoregion.apps.finance.api.views.BankTokenAuthentication"
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
        if not allowed(request.user, "finance.use_bank_api"):
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

    def with_consent(self, queryset):
        """``queryset`` (enterprises, already narrowed by ``restrict``) with ``consent_id`` and
        ``consent_expires_at``: the active consent of the token's bank carrying the view's scope that
        lasts longest, the one each read happens under. Two correlated subqueries in the same query
        (an index lookup per row returned), no separate query; see ``_consent_sql``."""
        at = connection.ops.adapt_datetimefield_value(timezone.now())
        params = (self.request.auth.bank_id, at)
        return queryset.annotate(
            consent_id=RawSQL(_consent_sql(connection.vendor, self.scope, "id"), params, output_field=_ID),
            consent_expires_at=RawSQL(_consent_sql(connection.vendor, self.scope, "expires_at"), params,
                                      output_field=_EXPIRY))

    def restricted(self, queryset=None):
        """The enterprises the token's bank may read under the view's scope, with their consent."""
        queryset = Enterprise.objects.all() if queryset is None else queryset
        return self.with_consent(restrict(queryset, self.request.user, self.scope))

    def get_enterprise(self, credit_code: str) -> Enterprise:
        """The enterprise (with ``consent_id``) or 404."""
        ent = next(iter(self.restricted(Enterprise.objects.only("credit_code"))
                        .filter(credit_code=credit_code.upper()).order_by()[:1]), None)
        if ent is None or ent.consent_id is None:  # None: the consent ended between two clauses
            raise exceptions.NotFound()
        return ent


# ---------------------------------------------------------------- serializers
def _iso_in(tz):
    """A datetime as ``serializers.DateTimeField`` renders it by default (ISO 8601 in ``tz``, the current
    time zone, UTC as ``Z``) at a fifth of its cost; ``test_rows_are_the_serializers`` compares them."""

    def render(value):
        if value is None:
            return None
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _summary_rows(values, *, render: bool = True) -> list[dict]:
    """The summary rows of ``values`` (dicts of ``SUMMARY_VALUES`` plus ``consent_expires_at``), as
    plain dicts that render exactly like ``EnterpriseSummarySerializer`` (``render``; else the expiry
    stays a datetime). A serializer costs 0.1-0.2 ms per row; this a few microseconds."""
    ids = [v["pk"] for v in values]
    scores = points_selectors.scores_for(ids)
    rungs = ladder_selectors.top_rungs_for(ids)
    expiry = _iso_in(timezone.get_current_timezone()) if render else (lambda value: value)
    rows = []
    for v in values:
        s = scores.get(v["pk"]) or {}
        points = s.get("points")
        rows.append({"credit_code": v["credit_code"], "name_zh": v["name_zh"], "name_en": v["name_en"],
                     "name_ko": v["name_ko"], "cluster": v["cluster__code"], "zone": v["zone__code"],
                     "points": None if points is None else float(points), "tier": s.get("tier") or "",
                     "stage": s.get("stage") or "", "rung": rungs.get(v["pk"]) or "",
                     "consent_expires_at": expiry(v["consent_expires_at"])})
    return rows


class Pagination(CursorPagination):
    """Keyset pagination over the unique credit code: each page is an index range scan
    (``credit_code > last one seen``), never a COUNT or an OFFSET, whatever the page."""

    ordering = "credit_code"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# ---------------------------------------------------------------- endpoints
class EnterpriseList(BankAPIView):
    """The enterprises that consent to your bank, in credit-code order, one page at a time (50 rows,
    `page_size` up to 500). To read them all, start without parameters and follow `next` until it is
    `null`; `previous` goes back. The links carry an opaque `cursor`: keep it as it is."""

    scope = "summary"
    pagination_class = Pagination  # read by drf-spectacular: the schema shows the cursor and the page shape

    @extend_schema(responses=EnterpriseSummarySerializer(many=True))
    def get(self, request):
        # the list once paged by number: a client still counting pages gets an error, not page 1 forever
        if "page" in request.query_params:
            raise exceptions.ValidationError(
                {"page": [_("Page numbers are no longer supported; follow the next link of each page.")]})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.restricted().values(*SUMMARY_VALUES, "consent_id",
                                                                    "consent_expires_at"), request, view=self)
        page = [v for v in page if v["consent_id"] is not None]  # None: the consent ended meanwhile
        audit.record_reads(request.user, request.auth.bank_id, "bank.read.summary",
                                {v["pk"]: v["consent_id"] for v in page})
        return paginator.get_paginated_response(_summary_rows(page))


class EnterpriseDetail(BankAPIView):
    scope = "summary"

    @extend_schema(responses=EnterpriseSummarySerializer)
    def get(self, request, credit_code: str):
        found = next(iter(self.restricted().filter(credit_code=credit_code.upper()).order_by()
                          .values(*SUMMARY_VALUES, "consent_id", "consent_expires_at")[:1]), None)
        if found is None or found["consent_id"] is None:
            raise exceptions.NotFound()
        audit.record_reads(request.user, request.auth.bank_id, "bank.read.summary",
                                {found["pk"]: found["consent_id"]})
        return Response(_summary_rows([found])[0])


class EnterpriseBreakdown(BankAPIView):
    scope = "breakdown"

    @extend_schema(responses=BreakdownSerializer)
    def get(self, request, credit_code: str):
        ent = self.get_enterprise(credit_code)
        s = points_selectors.scores_for([ent.pk], breakdown=True).get(ent.pk, {})
        items = points_selectors.breakdown_items(s.get("breakdown"))
        audit.record(request.user, "bank.read.breakdown", ent, consent=ent.consent_id,
                     bank=request.auth.bank_id)
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
        filings = restrict(Filing.objects.filter(enterprise=ent, is_current=True).select_related("indicator"),
                           request.user, "filings").order_by("year", "indicator__code", "source")
        audit.record(request.user, "bank.read.filings", ent, consent=ent.consent_id,
                     bank=request.auth.bank_id)
        return Response(FilingSerializer(filings, many=True).data)


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
        found = [v for v in self.restricted().order_by("credit_code")
                 .values(*SUMMARY_VALUES, "consent_id", "consent_expires_at") if v["consent_id"] is not None]
        rows = _summary_rows(found, render=False)
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
        audit.record_reads(request.user, request.auth.bank_id, "bank.export.whitelist",
                                {v["pk"]: v["consent_id"] for v in found if v["credit_code"] in shown})
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


class ApplicationList(BankAPIView):
    scope = "summary"

    @extend_schema(responses=ApplicationSerializer(many=True))
    def get(self, request):
        apps = selectors.applications_for(request.user)
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
