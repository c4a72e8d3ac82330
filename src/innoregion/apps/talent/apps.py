from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "innoregion.apps.talent"
    label = "talent"

    def ready(self) -> None:
        from innoregion.apps.talent import rules  # noqa: F401  (registers the app's rules)
