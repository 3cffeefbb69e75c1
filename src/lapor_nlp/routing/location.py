"""Place-specific labels as role + jurisdiction, learned from the training data.

Labels such as ``Kelurahan Medokan Ayu`` or ``Dinas Pendidikan Kabupaten Sleman`` combine a *role*
(``Kelurahan {kelurahan}``) with a *place*. :class:`PlaceResolver` detects such labels from the data:
a label whose words contain a value of a location column, where (a) at least two labels share the same
words around the place and (b) the label's place agrees with the row's own location column often
enough. The classifier then learns the role; the place is resolved from the complaint's location columns
(structured first), else from a single place named in the text; an unresolvable place stays unresolved
(the caller sends it to review). Nothing is hard-coded for one city.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_NON_KEY = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"\S+")
_MAX_SPAN = 5


def place_key(value: object) -> str:
    """Comparison key of a place: lower-case letters and digits (``Jemur Wonosari`` -> ``jemurwonosari``)."""
    return _NON_KEY.sub("", str(value).lower()) if value is not None else ""


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a class of the classifier to a final label."""

    label: str
    factor: float
    resolved: bool
    source: str  # "plain", "column", "text" or "unresolved"


def _spans(label: str) -> list[tuple[int, int, str]]:
    words = _WORD.findall(label)
    keys = [place_key(w) for w in words]
    out = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + _MAX_SPAN) + 1):
            key = "".join(keys[i:j])
            if key:
                out.append((i, j, key))
    return out


class PlaceResolver:
    """Learn role templates from (label, location) pairs and resolve roles back to labels.

    Parameters
    ----------
    min_places : a role needs at least this many distinct places among its labels.
    min_agreement : share of a role's training rows whose location column equals the label's place.

    Attributes
    ----------
    roles_ : role name -> {"column", "prefix", "suffix"}.
    label_roles_ : label -> (role, place key) for every label folded into a role.
    place_labels_ : role -> place key -> label seen in training.
    places_ : column -> place key -> display name (values of the column seen in training).
    factors_ : role -> {"column": p, "text": p}: how often the resolved place was right in training.
    """

    def __init__(self, *, min_places: int = 2, min_agreement: float = 0.5) -> None:
        self.min_places = min_places
        self.min_agreement = min_agreement

    # -- fitting -------------------------------------------------------------------------------------
    def fit(
        self, labels: Sequence[str], locations: Mapping[str, Sequence[str]] | None = None
    ) -> PlaceResolver:
        """Detect role templates from ``labels`` and the parallel ``locations`` columns (may be empty)."""
        locations = dict(locations or {})
        self.places_: dict[str, dict[str, str]] = {}
        for column, values in locations.items():
            seen: dict[str, str] = {}
            for value in values:
                key = place_key(value)
                if key and key not in seen:
                    seen[key] = str(value).strip()
            self.places_[column] = seen
        self.roles_: dict[str, dict[str, str]] = {}
        self.label_roles_: dict[str, tuple[str, str]] = {}
        self.place_labels_: dict[str, dict[str, str]] = {}
        self.factors_: dict[str, dict[str, float]] = {}
        if not self.places_:
            return self
        candidates = self._candidates(sorted(set(labels)))
        rows_by_label: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            rows_by_label[label].append(i)
        scored = []
        for template, members in candidates.items():
            column = template[0]
            places = {place for _, place in members}
            if len(places) < self.min_places:
                continue
            agree = total = 0
            for label, place in members:
                for i in rows_by_label[label]:
                    total += 1
                    agree += place_key(locations[column][i]) == place
            if total and agree / total >= self.min_agreement:
                scored.append((agree / total, total, template, members))
        for _, _, (column, prefix, suffix), members in sorted(scored, key=lambda s: (-s[0], -s[1])):
            role = " ".join(p for p in (prefix, "{" + column + "}", suffix) if p)
            fresh = [(label, place) for label, place in members if label not in self.label_roles_]
            if len({p for _, p in fresh}) < self.min_places:
                continue
            self.roles_[role] = {"column": column, "prefix": prefix, "suffix": suffix}
            for label, place in fresh:
                self.label_roles_[label] = (role, place)
                self.place_labels_.setdefault(role, {})[place] = label
        self._fit_factors(labels, locations)
        return self

    def _candidates(self, labels: Sequence[str]) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
        candidates: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
        for label in labels:
            words = _WORD.findall(label)
            for column, known in self.places_.items():
                best = None
                for i, j, key in _spans(label):
                    if key in known and (best is None or j - i > best[1] - best[0]):
                        best = (i, j, key)
                if best is None or (best[0] == 0 and best[1] == len(words)):
                    continue
                i, j, key = best
                template = (column, " ".join(words[:i]), " ".join(words[j:]))
                candidates[template].append((label, key))
        return candidates

    def _fit_factors(self, labels: Sequence[str], locations: Mapping[str, Sequence[str]]) -> None:
        stats: dict[str, Counter[str]] = defaultdict(Counter)
        for i, label in enumerate(labels):
            if label not in self.label_roles_:
                continue
            role, place = self.label_roles_[label]
            column = self.roles_[role]["column"]
            value = place_key(locations[column][i])
            if value:
                stats[role]["column_n"] += 1
                stats[role]["column_ok"] += value == place
        for role in self.roles_:
            s = stats[role]
            p_column = (s["column_ok"] + 1) / (s["column_n"] + 2)
            self.factors_[role] = {"column": round(p_column, 4), "text": round(p_column * 0.9, 4)}

    # -- use -----------------------------------------------------------------------------------------
    def to_roles(self, labels: Sequence[str]) -> list[str]:
        """Map each label to its role (labels outside any role are returned unchanged)."""
        return [self.label_roles_[label][0] if label in self.label_roles_ else label for label in labels]

    @property
    def columns(self) -> tuple[str, ...]:
        """Location columns that some role depends on."""
        return tuple(sorted({r["column"] for r in self.roles_.values()}))

    def is_role(self, name: str) -> bool:
        return name in self.roles_

    def find_place(self, column: str, text: str) -> str | None:
        """The single place of ``column`` named in (cleaned) ``text``, or None if none or ambiguous."""
        known = self.places_.get(column, {})
        tokens = text.split()
        found: set[str] = set()
        for i in range(len(tokens)):
            key = ""
            for j in range(i, min(len(tokens), i + 3)):
                key += place_key(tokens[j])
                if key in known:
                    found.add(key)
        # Keep the longest names: "rungkut" is dropped when "rungkutkidul" was found too.
        found = {k for k in found if not any(k != o and k in o for o in found)}
        return found.pop() if len(found) == 1 else None

    def resolve(self, name: str, location: Mapping[str, object] | None, text: str) -> Resolution:
        """Turn classifier class ``name`` into a final label using ``location`` and the cleaned ``text``."""
        role = self.roles_.get(name)
        if role is None:
            return Resolution(name, 1.0, True, "plain")
        column = role["column"]
        value = (location or {}).get(column)
        key = place_key(value) if value is not None and str(value).strip() else ""
        source = "column"
        if not key:
            key = self.find_place(column, text) or ""
            source = "text"
        if not key:
            return Resolution(name, 1.0, False, "unresolved")
        label = self.place_labels_.get(name, {}).get(key)
        if label is None:
            display = str(value).strip() if source == "column" else self.places_[column].get(key, key)
            label = " ".join(p for p in (role["prefix"], display, role["suffix"]) if p)
        return Resolution(label, float(self.factors_[name][source]), True, source)

    def place_specific_labels(self) -> set[str]:
        """Every label of some role: seen in training, or built from a known place of its column."""
        out = set(self.label_roles_)
        for role, r in self.roles_.items():
            seen = self.place_labels_.get(role, {})
            for key, display in self.places_.get(r["column"], {}).items():
                if key not in seen:
                    out.add(" ".join(p for p in (r["prefix"], display, r["suffix"]) if p))
        return out

    def known_label(self, label: str) -> bool:
        """Whether ``label`` is a label of some role (seen, or buildable from a known place)."""
        return label in self.place_specific_labels()

    # -- persistence (plain JSON, no code) -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "min_places": self.min_places,
            "min_agreement": self.min_agreement,
            "roles": self.roles_,
            "label_roles": {k: list(v) for k, v in self.label_roles_.items()},
            "place_labels": self.place_labels_,
            "places": self.places_,
            "factors": self.factors_,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlaceResolver:
        self = cls(min_places=int(data["min_places"]), min_agreement=float(data["min_agreement"]))
        self.roles_ = {str(k): dict(v) for k, v in data["roles"].items()}
        self.label_roles_ = {str(k): (str(v[0]), str(v[1])) for k, v in data["label_roles"].items()}
        self.place_labels_ = {str(k): dict(v) for k, v in data["place_labels"].items()}
        self.places_ = {str(k): dict(v) for k, v in data["places"].items()}
        self.factors_ = {str(k): {s: float(p) for s, p in v.items()} for k, v in data["factors"].items()}
        return self
