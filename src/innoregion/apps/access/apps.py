from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "innoregion.apps.access"
    label = "access"

    def ready(self) -> None:
        from innoregion.apps.access import rules  # noqa: F401  (registers the app's rules)
