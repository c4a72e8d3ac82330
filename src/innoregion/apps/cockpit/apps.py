from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "innoregion.apps.cockpit"
    label = "cockpit"

    def ready(self) -> None:
        from innoregion.apps.cockpit import rules  # noqa: F401  (registers the app's rules)
