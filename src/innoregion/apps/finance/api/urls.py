"""The bank API, mounted at ``/api/v1/`` by the site's urls."""

from django.urls import path

from innoregion.apps.finance.api import views as api

app_name = "api"

urlpatterns = [
    path("enterprises/", api.EnterpriseList.as_view(), name="enterprise-list"),
    path("enterprises/<str:credit_code>/", api.EnterpriseDetail.as_view(), name="enterprise-detail"),
    path("enterprises/<str:credit_code>/breakdown/", api.EnterpriseBreakdown.as_view(), name="enterprise-breakdown"),
    path("enterprises/<str:credit_code>/filings/", api.EnterpriseFilings.as_view(), name="enterprise-filings"),
    path("whitelist.<str:fmt>", api.WhitelistExport.as_view(), name="whitelist"),
    path("applications/", api.ApplicationList.as_view(), name="application-list"),
    path("applications/<str:kind>/<int:pk>/", api.ApplicationUpdate.as_view(), name="application-update"),
]
