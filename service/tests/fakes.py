"""Hand-written stand-ins for lapor_nlp.Router and DuplicateIndex (no model files, no data)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from lapor_nlp import EmptyComplaintError

CATEGORIES = ("jalan-rusak", "sampah", "lampu-pju", "lainnya")
AGENCIES = (
    "Dinas Sumber Daya Air dan Bina Marga",
    "Dinas Lingkungan Hidup",
    "Dinas Perhubungan",
    "Kecamatan Rungkut",
)
_RULES = {
    "jalan": ("jalan-rusak", "Dinas Sumber Daya Air dan Bina Marga"),
    "sampah": ("sampah", "Dinas Lingkungan Hidup"),
    "lampu": ("lampu-pju", "Dinas Perhubungan"),
}


@dataclass(frozen=True)
class FakeTarget:
    label: str
    score: float
    top_k: tuple[tuple[str, float], ...]
    decision: str
    explanation: tuple[str, ...]
    threshold: float | None = 0.9


@dataclass(frozen=True)
class FakeSuggestion:
    targets: dict[str, FakeTarget]

    def __getitem__(self, name: str) -> FakeTarget:
        return self.targets[name]


class FakeRouter:
    """Keyword rules: a known keyword gives a confident 'auto' suggestion, anything else goes to review."""

    def __init__(
        self, version: str = "fake-1", *, delay: float = 0.0, promotion: dict[str, Any] | None = None
    ) -> None:
        self._version = version
        self.delay = delay
        self.promotion = promotion
        self.calls = 0
        self.batch_sizes: list[int] = []

    targets = ("topic", "agency")
    location_columns = ("kecamatan", "kelurahan")
    text_column = "text"

    @property
    def version(self) -> str:
        return self._version

    @property
    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"version": self._version, "metrics": {"agency": {"accuracy": 0.5}}}
        if self.promotion is not None:
            meta["promotion"] = self.promotion
        return meta

    @property
    def model_card(self) -> str:
        return f"# Fake model {self._version}\n"

    def labels(self, target: str) -> tuple[str, ...]:
        return {"topic": CATEGORIES, "agency": AGENCIES}[target]

    def predict(self, X: Any, *, location: Any = None, top_k: int = 3, already_redacted: bool = False) -> Any:
        if not isinstance(X, str):  # a DataFrame, as Router.predict takes it
            rows = X.to_dict("records")
            self.batch_sizes.append(len(rows))
            cols = [c for c in self.location_columns if c in X.columns]
            return [self._one(r[self.text_column], {c: r[c] for c in cols if r[c]}, top_k) for r in rows]
        self.batch_sizes.append(1)
        return self._one(X, location, top_k)

    def _one(self, X: str, location: Any, top_k: int) -> FakeSuggestion:
        self.calls += 1
        if self.delay:
            import time

            time.sleep(self.delay)
        words = re.findall(r"\w+", X.lower())
        if not any(w.isalpha() for w in words):
            raise EmptyComplaintError("text has no words after cleaning")
        for word, (cat, agency) in _RULES.items():
            if word in words:
                return self._suggest(cat, agency, 0.97, "auto", (word,), top_k)
        if location and location.get("kecamatan") == "Rungkut":
            return self._suggest("lainnya", "Kecamatan Rungkut", 0.55, "review", (words[0],), top_k)
        return self._suggest("lainnya", "Dinas Perhubungan", 0.41, "review", (words[0],), top_k)

    def _suggest(
        self, cat: str, agency: str, score: float, decision: str, why: tuple[str, ...], top_k: int
    ) -> FakeSuggestion:
        def target(best: str, pool: tuple[str, ...]) -> FakeTarget:
            rest = [lbl for lbl in pool if lbl != best][: top_k - 1]
            share = (1 - score) / max(1, len(rest))
            return FakeTarget(best, score, ((best, score), *((lbl, share) for lbl in rest)), decision, why)

        return FakeSuggestion({"topic": target(cat, CATEGORIES), "agency": target(agency, AGENCIES)})


@dataclass(frozen=True)
class FakeMatch:
    id: str
    score: float
    is_duplicate: bool
    evidence: tuple[str, ...]


@dataclass
class FakeIndex:
    """Word-set Jaccard similarity; a duplicate at >= 0.6."""

    threshold: float = 0.6
    docs: dict[str, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, id: Any, text: str, submitted_at: Any = None, location: Any = None) -> None:
        with self._lock:
            if id in self.docs:
                raise ValueError(f"id {id!r} is already in the index")
            self.docs[id] = set(re.findall(r"\w+", text.lower()))

    def remove(self, id: Any) -> None:
        with self._lock:
            del self.docs[id]

    def query(
        self, text: str, k: int = 10, submitted_at: Any = None, location: Any = None
    ) -> list[FakeMatch]:
        words = set(re.findall(r"\w+", text.lower()))
        out = []
        for doc_id, other in list(self.docs.items()):
            score = len(words & other) / max(1, len(words | other))
            if score > 0.2:
                shared = tuple(sorted(words & other)[:5])
                out.append(FakeMatch(doc_id, score, score >= self.threshold, shared))
        return sorted(out, key=lambda m: -m.score)[:k]

    def __len__(self) -> int:
        return len(self.docs)

    def __contains__(self, id: object) -> bool:
        return id in self.docs
