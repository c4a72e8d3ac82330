"""Reads of matchmaking data: published capabilities, the active re-ranker, the decisions so far."""

from __future__ import annotations

from innoregion.apps.matchmaking.models import Capability, Match, RerankerModel
from innoregion.engines.matching import DecisionGroup, LogisticReranker


def published_capabilities():
    """The published capabilities with what the engine's filters read (cluster, zone)."""
    return (Capability.objects.filter(status=Capability.Status.PUBLISHED)
            .select_related("enterprise__cluster", "enterprise__zone").order_by("pk"))


def active_reranker() -> LogisticReranker | None:
    """The re-ranker in use, or ``None``."""
    row = RerankerModel.objects.filter(active=True).order_by("-created_at", "-id").first()
    if row is None or not row.model:
        return None
    return LogisticReranker.from_dict(row.model)


def decision_groups() -> list[DecisionGroup]:
    """The caseworkers' decisions on proposed matches, one group per scenario (the re-ranker's training data)."""
    groups: dict[int, DecisionGroup] = {}
    decided = Match.objects.exclude(status=Match.Status.PROPOSED).order_by("scenario_id", "rank")
    for m in decided:
        g = groups.setdefault(m.scenario_id, DecisionGroup(group=m.scenario_id, components=[], labels=[],
                                                            base_scores=[]))
        comps = dict(m.component_scores or {})
        g.components.append(comps)
        g.labels.append(1 if m.status == Match.Status.ACCEPTED else 0)
        g.base_scores.append(float(comps.get("fused", m.score)))
    return list(groups.values())
