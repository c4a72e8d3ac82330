from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "innoregion.apps.access"
    label = "access"
