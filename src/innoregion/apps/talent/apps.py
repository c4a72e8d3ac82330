from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "innoregion.apps.talent"
    label = "talent"
