"""What a duplicate query returns: frozen, typed results with the evidence an admin checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why two complaints look like (or unlike) the same problem.

    Attributes
    ----------
    text_similarity : float
        Template-aware word similarity in 0..1: words shared by many indexed complaints count little.
    shared_phrases : tuple of str
        Longest word runs both complaints contain, most specific first (at most three).
    same_kelurahan, same_kecamatan : bool or None
        Location agreement; None where either side did not give it.
    shared_places : tuple of str
        Place mentions in both texts, such as ``gang manggis`` or ``rt 6``.
    conflicting_places : tuple of str
        Place mentions of the same kind that disagree, such as ``gang: manggis / kelengkeng``.
    days_apart : float or None
        How much earlier the indexed complaint was submitted; None without timestamps.
    """

    text_similarity: float
    shared_phrases: tuple[str, ...] = ()
    same_kelurahan: bool | None = None
    same_kecamatan: bool | None = None
    shared_places: tuple[str, ...] = ()
    conflicting_places: tuple[str, ...] = ()
    days_apart: float | None = None

    def summary(self) -> str:
        """One line for a review screen or a CSV cell."""
        parts = [f"text similarity {self.text_similarity:.2f}"]
        if self.same_kelurahan is not None:
            parts.append("same kelurahan" if self.same_kelurahan else "different kelurahan")
        elif self.same_kecamatan is not None:
            parts.append("same kecamatan" if self.same_kecamatan else "different kecamatan")
        if self.shared_places:
            parts.append("same place: " + ", ".join(self.shared_places))
        if self.conflicting_places:
            parts.append("different place: " + "; ".join(self.conflicting_places))
        if self.days_apart is not None:
            parts.append(f"{self.days_apart:.1f} days apart")
        if self.shared_phrases:
            parts.append("shared: " + " | ".join(f'"{p}"' for p in self.shared_phrases))
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Match:
    """An earlier complaint that may report the same problem.

    Attributes
    ----------
    id : str
        Id of the indexed complaint.
    score : float
        Calibrated probability (0..1) that both report the same problem; comparable across queries.
    is_duplicate : bool
        ``score >= index.threshold``.
    evidence : Evidence
        Shared phrases, place agreement and time gap behind the score.
    """

    id: str
    score: float
    is_duplicate: bool
    evidence: Evidence
