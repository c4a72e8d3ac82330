from django.urls import path

from innoregion.apps.finance import views

app_name = "finance"

urlpatterns = [
    path("applications/", views.applications, name="applications"),
]
