"""Category/agency routing: calibrated suggestions, review thresholds, location-aware agencies.

``Router.train(df, text=..., targets=[...], location=[...])`` fits; ``router.predict(text)`` suggests;
``router.save(dir)`` / ``Router.load(dir)`` persist safely (see :mod:`lapor_nlp.routing.persistence`).
"""

from __future__ import annotations

from lapor_nlp.routing.config import TrainingConfig, load_config
from lapor_nlp.routing.data import read_table
from lapor_nlp.routing.policy import (
    ALIASES_FILE,
    POLICY_FILE,
    AgencyPolicy,
    PolicyAnswer,
    fit_policy,
    read_aliases,
)
from lapor_nlp.routing.retrain import PromotionVerdict, retrain
from lapor_nlp.routing.router import EmptyTextWarning, NoAutoWarning, RareLabelWarning, Router
from lapor_nlp.types import Suggestion, TargetSuggestion

__all__ = [
    "ALIASES_FILE",
    "AgencyPolicy",
    "EmptyTextWarning",
    "NoAutoWarning",
    "POLICY_FILE",
    "PolicyAnswer",
    "PromotionVerdict",
    "RareLabelWarning",
    "Router",
    "Suggestion",
    "TargetSuggestion",
    "TrainingConfig",
    "fit_policy",
    "load_config",
    "read_aliases",
    "read_table",
    "retrain",
]
