from django.apps import AppConfig


def latest_tiers(enterprise_ids: list[int]) -> dict[int, str]:
    """Each enterprise's tier in the newest finished scoring run (for matchmaking filters)."""
    from innoregion.apps.points.models import EnterpriseScore, ScoringRun

    run = ScoringRun.objects.filter(status=ScoringRun.Status.DONE).order_by("-year", "-finished_at").first()
    if run is None:
        return {}
    return dict(EnterpriseScore.objects.filter(run=run, enterprise_id__in=enterprise_ids)
                .exclude(tier="").values_list("enterprise_id", "tier"))


class PointsConfig(AppConfig):
    name = "innoregion.apps.points"
    label = "points"

    def ready(self) -> None:
        from innoregion.apps.matchmaking.services import register_attribute_provider

        register_attribute_provider("points_tier", latest_tiers)
