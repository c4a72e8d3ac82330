"""The jobs API, mounted at ``/api/v1/jobs/`` by the site's urls."""

from django.urls import path

from innoregion.apps.jobs.api import views

app_name = "jobs-api"

urlpatterns = [
    path("", views.JobList.as_view(), name="job-list"),
    path("<int:pk>/", views.JobDetail.as_view(), name="job-detail"),
]
