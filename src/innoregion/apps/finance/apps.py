from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "innoregion.apps.finance"
    label = "finance"

    def ready(self) -> None:
        from innoregion.apps.finance import rules  # noqa: F401  (registers the app's rules)
