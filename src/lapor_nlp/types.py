"""Result types returned by the public API: plain, frozen, typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Decision = Literal["auto", "review"]


@dataclass(frozen=True, slots=True)
class TargetSuggestion:
    """The suggestion for one target (e.g. ``topic`` or ``agency``) of one complaint.

    Attributes
    ----------
    label : the suggested label.
    score : calibrated probability that ``label`` is right.
    top_k : ``(label, probability)`` pairs, best first.
    decision : ``"auto"`` when confident enough to route without review, else ``"review"``.
    explanation : surface words of the (redacted) original text that drove the suggestion.
    """

    label: str
    score: float
    top_k: tuple[tuple[str, float], ...]
    decision: Decision
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Suggestions for every target of one complaint; ``s["agency"]`` is ``s.targets["agency"]``."""

    targets: Mapping[str, TargetSuggestion] = field(default_factory=dict)

    def __getitem__(self, target: str) -> TargetSuggestion:
        try:
            return self.targets[target]
        except KeyError:
            raise KeyError(f"no target {target!r}; this model predicts {sorted(self.targets)}") from None

    @property
    def auto(self) -> bool:
        """True when every target was decided ``auto``."""
        return all(t.decision == "auto" for t in self.targets.values())
