from django.apps import AppConfig


class LadderConfig(AppConfig):
    name = "innoregion.apps.ladder"
    label = "ladder"

    def ready(self) -> None:
        import innoregion.apps.ladder.tasks  # noqa: F401  (registers the app's job kinds)
        from innoregion.apps.ladder import rules  # noqa: F401  (registers the app's rules)
        from innoregion.apps.ladder.selectors import highest_rungs
        from innoregion.apps.matchmaking.services import register_attribute_provider
        from innoregion.site.cache import forget_on_change

        forget_on_change("ladder.LadderRun")  # "the latest ladder run", cached for a few seconds
        register_attribute_provider("ladder_rung", highest_rungs)
