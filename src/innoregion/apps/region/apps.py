from django.apps import AppConfig


class RegionConfig(AppConfig):
    name = "innoregion.apps.region"
    label = "region"

    def ready(self) -> None:
        from innoregion.apps.region import rules  # noqa: F401  (registers the app's rules)
        from innoregion.site.cache import forget_on_change

        forget_on_change("region.Indicator", "region.Cluster", "region.Zone")  # the cached reference names
