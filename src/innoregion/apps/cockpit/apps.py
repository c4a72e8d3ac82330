from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "innoregion.apps.cockpit"
    label = "cockpit"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from innoregion.apps.cockpit import sources

        # the pages cache "the latest run" and the indicator names for a few seconds: a change made in
        # this process is seen at once
        for label in ("points.ScoringRun", "ladder.LadderRun", "region.Indicator", "region.Cluster",
                      "region.Zone"):
            for signal in (post_save, post_delete):
                signal.connect(sources.forget_cached, sender=label, weak=False,
                               dispatch_uid=f"cockpit-forget-{label}-{signal is post_save}")
