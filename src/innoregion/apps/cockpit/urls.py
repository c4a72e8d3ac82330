from django.urls import path

from innoregion.apps.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("methodology/", views.methodology, name="methodology"),
    path("runs/", views.score_runs, name="runs"),
    path("runs/diff/", views.score_run_diff, name="run-diff"),
    path("data/imports/", views.imports, name="imports"),
    path("data/imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("data/imports/<int:pk>/rejected.csv", views.import_rejected, name="import-rejected"),
]
