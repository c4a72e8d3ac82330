from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "innoregion.apps.cockpit"
    label = "cockpit"
