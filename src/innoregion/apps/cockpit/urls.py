from django.urls import path

from innoregion.apps.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.home, name="home"),
]
