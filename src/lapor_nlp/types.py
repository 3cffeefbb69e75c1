"""Result types returned by the public API: plain, frozen, typed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from lapor_nlp.errors import InputError

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
    threshold : the score ``label``'s class needs for ``auto``; None when the class never goes ``auto``.
    """

    label: str
    score: float
    top_k: tuple[tuple[str, float], ...]
    decision: Decision
    explanation: tuple[str, ...] = ()
    threshold: float | None = None


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
        """True when every target was decided ``auto`` (see :meth:`decision` for the dispatch rule)."""
        return all(t.decision == "auto" for t in self.targets.values())

    def decision(self, routing_targets: Sequence[str] | None = None) -> Decision:
        """The complaint-level decision: ``"auto"`` iff every *routing target* is ``auto``.

        The routing targets are those that decide where a complaint goes; by default the ``agency``
        alone when there is one (the category is for statistics and keeps its own decision), else
        every target. ``("category", "agency")`` gives the older rule (both must be ``auto``).

        >>> s = Suggestion({"category": TargetSuggestion("jalan", 0.4, (), "review"),
        ...                 "agency": TargetSuggestion("Dinas PU", 0.97, (), "auto")})
        >>> s.decision(), s.decision(["category", "agency"])
        ('auto', 'review')
        """
        chosen = default_routing_targets(tuple(self.targets), routing_targets)
        return "auto" if all(self.targets[t].decision == "auto" for t in chosen) else "review"


def default_routing_targets(
    targets: Sequence[str], routing_targets: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The routing targets among ``targets``: ``routing_targets`` checked, else ``agency``, else all.

    Raises :class:`~lapor_nlp.errors.InputError` naming the valid targets when one is unknown or none
    is given. A comma-separated string (``"category,agency"``) is accepted too.
    """
    if routing_targets is None:
        return ("agency",) if "agency" in targets else tuple(targets)
    if isinstance(routing_targets, str):
        routing_targets = [t.strip() for t in routing_targets.split(",") if t.strip()]
    chosen = tuple(dict.fromkeys(routing_targets))
    unknown = [t for t in chosen if t not in targets]
    if unknown or not chosen:
        raise InputError(
            f"routing targets must be a non-empty subset of the model's targets {list(targets)}; "
            f"got {list(routing_targets)}"
        )
    return chosen
