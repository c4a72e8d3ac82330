from django.urls import path

from innoregion.apps.ladder import views

app_name = "ladder"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("benefits/<int:pk>.xlsx", views.benefits_xlsx, name="benefits-xlsx"),
]
