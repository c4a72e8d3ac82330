from django.apps import AppConfig


class RegionConfig(AppConfig):
    name = "innoregion.apps.region"
    label = "region"
