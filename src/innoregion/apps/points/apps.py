from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "innoregion.apps.points"
    label = "points"

    def ready(self) -> None:
        import innoregion.apps.points.tasks  # noqa: F401  (registers the app's job kinds)
        from innoregion.apps.matchmaking.services import register_attribute_provider
        from innoregion.apps.points import rules  # noqa: F401  (registers the app's rules)
        from innoregion.apps.points.selectors import latest_tiers
        from innoregion.site.cache import forget_on_change

        forget_on_change("points.ScoringRun")  # "the latest run", cached for a few seconds
        register_attribute_provider("points_tier", latest_tiers)
