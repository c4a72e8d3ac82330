from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "innoregion.apps.imports"
    label = "imports"
