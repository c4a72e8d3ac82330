from django.urls import path

from innoregion.apps.region import views

app_name = "region"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
]
