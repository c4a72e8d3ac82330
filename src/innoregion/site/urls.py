from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/v1/talent/", include("innoregion.apps.talent.api.urls")),
    path("api/v1/jobs/", include("innoregion.apps.jobs.api.urls")),
    path("api/v1/", include("innoregion.apps.finance.api.urls")),
    path("access/", include("innoregion.apps.access.urls")),
    path("ladder/", include("innoregion.apps.ladder.urls")),
    path("finance/", include("innoregion.apps.finance.urls")),
    path("matchmaking/", include("innoregion.apps.matchmaking.urls")),
    path("talent/", include("innoregion.apps.talent.urls")),
    path("data/", include("innoregion.apps.imports.urls")),
    path("jobs/", include("innoregion.apps.jobs.urls")),
    path("", include("innoregion.apps.region.urls")),
    path("", include("innoregion.apps.points.urls")),
    path("", include("innoregion.apps.cockpit.urls")),
]
