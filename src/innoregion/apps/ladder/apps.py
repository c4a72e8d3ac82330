from django.apps import AppConfig


class LadderConfig(AppConfig):
    name = "innoregion.apps.ladder"
    label = "ladder"
