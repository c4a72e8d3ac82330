from django.urls import path

from innoregion.apps.talent import views

app_name = "talent"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.my_code, name="my-code"),
    path("me/code.png", views.my_code_png, name="my-code-png"),
    path("me/code.txt", views.my_code_text, name="my-code-text"),
    path("verify/", views.verify, name="verify"),
    path("registry/", views.registry, name="registry"),
    path("registry/counts.json", views.counts, name="counts"),
    path("registry/<str:pseudonymous_id>/", views.talent_detail, name="detail"),
    path("registry/<str:pseudonymous_id>/action/", views.talent_action, name="action"),
    path("status/<slug:list_id>.jwt", views.status_list, name="status-list"),
    path("keys.json", views.trusted_keys, name="keys"),
]
