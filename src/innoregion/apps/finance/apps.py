from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "innoregion.apps.finance"
    label = "finance"
