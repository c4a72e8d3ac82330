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
    path("api/v1/", include("innoregion.apps.finance.api_urls")),
    path("access/", include("innoregion.apps.access.urls")),
    path("ladder/", include("innoregion.apps.ladder.urls")),
    path("finance/", include("innoregion.apps.finance.urls")),
    path("matchmaking/", include("innoregion.apps.matchmaking.urls")),
    path("talent/", include("innoregion.apps.talent.urls")),
    path("", include("innoregion.apps.cockpit.urls")),
]
