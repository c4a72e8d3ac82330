"""The talent registry's read-only API, mounted at ``/api/v1/talent/`` by the site's urls."""

from django.urls import path

from innoregion.apps.talent.api import views

app_name = "talent-api"

urlpatterns = [
    path("counts/", views.CountsView.as_view(), name="counts"),
    path("talents/", views.TalentListView.as_view(), name="talents"),
    path("imports/", views.ImportBatchListView.as_view(), name="imports"),
]
