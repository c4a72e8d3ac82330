from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "innoregion.apps.imports"
    label = "imports"

    def ready(self) -> None:
        import innoregion.apps.imports.tasks  # noqa: F401  (registers the app's job kinds)
        from innoregion.apps.imports import rules  # noqa: F401  (registers the app's rules)
