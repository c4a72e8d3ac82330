from django.urls import path

from innoregion.apps.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/rejected.csv", views.import_rejected, name="import-rejected"),
]
