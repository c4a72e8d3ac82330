from django.urls import path

from innoregion.apps.matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("", views.scenario_list, name="scenarios"),
    path("scenarios/new/", views.scenario_edit, name="scenario-new"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario-edit"),
    path("scenarios/<int:pk>/propose/", views.scenario_propose, name="scenario-propose"),
    path("capabilities/", views.capability_list, name="capabilities"),
    path("capabilities/new/", views.capability_edit, name="capability-new"),
    path("capabilities/<int:pk>/", views.capability_detail, name="capability"),
    path("capabilities/<int:pk>/edit/", views.capability_edit, name="capability-edit"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/decide/", views.decide, name="decide"),
    path("review/train/", views.train, name="train"),
]
