"""Matchmaking engine: application-scenario list <-> capability list, across Chinese, Korean and
English (seed, section 4 "Chains": publish a list of application scenarios and a list of capabilities).

Pure: no Django. See docs/matchmaking.md.
"""

from innoregion.engines.matching.dense import EmbeddingCache, USEEncoder, dense_available
from innoregion.engines.matching.engine import METHODS, MatchConfig, MatchingEngine, MatchProposal
from innoregion.engines.matching.errors import (
    DenseUnavailableError,
    MatchingConfigError,
    MatchingError,
    MatchingTextError,
)
from innoregion.engines.matching.reranker import (
    DecisionGroup,
    LogisticReranker,
    RerankerReport,
    decide_reranker,
)
from innoregion.engines.matching.scoring import FilterSpec, FusionWeights, zscore_by_group
from innoregion.engines.matching.text import analyse, detect_language, tokenise

__all__ = [
    "METHODS", "DecisionGroup", "DenseUnavailableError", "EmbeddingCache", "FilterSpec", "FusionWeights",
    "LogisticReranker", "MatchConfig", "MatchProposal", "MatchingConfigError", "MatchingEngine",
    "MatchingError", "MatchingTextError", "RerankerReport", "USEEncoder", "analyse", "decide_reranker",
    "dense_available", "detect_language", "tokenise", "zscore_by_group",
]
