from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "innoregion.apps.points"
    label = "points"
