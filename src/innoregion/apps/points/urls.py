from django.urls import path

from innoregion.apps.points import views

app_name = "points"

urlpatterns = [
    path("methodology/", views.methodology, name="methodology"),
    path("runs/", views.score_runs, name="runs"),
    path("runs/diff/", views.score_run_diff, name="run-diff"),
]
