from django.apps import AppConfig


def highest_rungs(enterprise_ids: list[int]) -> dict[int, int]:
    """Each enterprise's highest met rung level (1 = tech SME … 4 = little giant) in the newest
    ladder run, for matchmaking filters; an enterprise on no rung is absent."""
    from innoregion.apps.ladder.models import LadderOutcome, LadderRun
    from innoregion.engines.rules.ladder import load_ladder

    run = LadderRun.objects.order_by("-year", "-started_at").first()
    if run is None:
        return {}
    levels = load_ladder().rungs
    best: dict[int, int] = {}
    met = LadderOutcome.objects.filter(run=run, enterprise_id__in=enterprise_ids, outcome="met",
                                       pack__in=list(levels)).values_list("enterprise_id", "pack")
    for enterprise_id, pack in met:
        best[enterprise_id] = max(best.get(enterprise_id, 0), levels[pack])
    return best


class LadderConfig(AppConfig):
    name = "innoregion.apps.ladder"
    label = "ladder"

    def ready(self) -> None:
        from innoregion.apps.matchmaking.services import register_attribute_provider

        register_attribute_provider("ladder_rung", highest_rungs)
