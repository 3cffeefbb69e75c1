"""Audit sampling and the live precision guard for automatic decisions.

**Evidence** for a class (target ``category`` or ``agency``, predicted label) under the model being
served: every reviewed suggestion for which the model itself decided ``auto`` on that target (audited
``auto`` decisions, suggestions that went to review because of the other target, and ones the guard
held back), counted once with its latest decision; *correct* means the reviewer's label equals the
suggested one.

**Rule.** Once a class has ``min_evidence`` reviewed decisions, it is paused when the upper Wilson
bound of its precision falls below the model's ``target_precision`` (its precision is below the
target with ~97.5% confidence at z=1.96); ``rule="lower"`` pauses when the *lower* bound is below the
target (only classes shown to reach it stay ``auto``; that pauses nearly every class, see
``benchmarks/sim_guard.py``). A paused class stays paused under this model version (a ``pause`` row in
``guard_events``); a new model version starts with fresh evidence (``resume`` rows), except a
*refresh* of the served model (``retrain --refresh``: same thresholds and calibration, new weights),
under which the paused classes stay paused (``pause`` rows copied) until a full retrain.

**Answers of the receiving office** (``POST /v1/suggestions/{id}/return`` and ``/accept``) are evidence
for the agency target too: on a suggestion no reviewer has decided, the office's latest answer counts
once (a return by the suggested office as a wrong ``auto`` decision, an acceptance as a right one); a
reviewer's decision, when there is one, counts instead. With ``accept_after_days`` set, an ``auto``
dispatch nobody returned, accepted or reviewed within that many days counts as right.

Everything is derived from the database, so replicas sharing it reach the same verdict: each process
recomputes after every decision it records and when its cached verdict is older than ``ttl_seconds``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_nlp.routing.monitoring import wilson_interval
from service.app.db.models import AgencyResponseRow, DecisionRow, GuardEventRow, SuggestionRow, utcnow
from service.app.state import LoadedModel

logger = logging.getLogger("lapor_nlp.service")

TARGETS = ("category", "agency")
RULES = ("upper", "lower")


def audit_sampled(key: str, share: float) -> bool:
    """Whether the complaint with ``key`` (intake id, else ``suggestion-<id>``) is audited.

    A hash, not a random draw: every replica and every test run picks the same complaints.
    """
    if share <= 0.0:
        return False
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def audit_key(row: SuggestionRow) -> str:
    """The key :func:`audit_sampled` hashes: the intake id, else ``suggestion-<id>`` (as in the export)."""
    return row.external_id or f"suggestion-{row.id}"


@dataclass(frozen=True)
class ClassState:
    """Live evidence and verdict for one (target, label)."""

    target: str
    label: str
    reviewed: int
    correct: int
    lower_bound: float
    upper_bound: float
    auto: bool
    since: datetime | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewed": self.reviewed,
            "correct": self.correct,
            "lower_bound": round(self.lower_bound, 4),
            "upper_bound": round(self.upper_bound, 4),
            "auto": self.auto,
            "since": self.since.isoformat() if self.since else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class GuardVerdict:
    """The guard's state for one model version."""

    model_version: str
    target_precision: float
    min_evidence: int
    z: float
    rule: str
    classes: dict[tuple[str, str], ClassState] = field(default_factory=dict)
    computed_at: float = 0.0  # time.monotonic() when the computation started

    def paused(self, target: str, label: str) -> bool:
        state = self.classes.get((target, label))
        return state is not None and not state.auto

    def to_dict(self) -> dict[str, Any]:
        targets: dict[str, dict[str, Any]] = {}
        for (target, label), state in sorted(self.classes.items()):
            targets.setdefault(target, {})[label] = state.to_dict()
        return {
            "target_precision": self.target_precision,
            "min_evidence": self.min_evidence,
            "z": self.z,
            "rule": self.rule,
            "model_version": self.model_version,
            "targets": targets,
        }


def count_evidence(
    session: Session, model_version: str, accept_after_days: float = 0.0
) -> dict[tuple[str, str], tuple[int, int]]:
    """``(target, label) -> (reviewed, correct)`` from the reviewed suggestions of ``model_version``.

    Counted in the database (one grouped query per target), each suggestion with its latest decision;
    for the agency, plus the receiving offices' answers on undecided ones (see the module docstring).
    """
    latest = (
        select(func.max(DecisionRow.id).label("id"))
        .join(SuggestionRow, SuggestionRow.id == DecisionRow.suggestion_id)
        .where(SuggestionRow.model_version == model_version)
        .group_by(DecisionRow.suggestion_id)
        .subquery()
    )
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for target, label_col, decision_col, final_col in (
        ("category", SuggestionRow.category_label, SuggestionRow.category_decision, DecisionRow.category),
        ("agency", SuggestionRow.agency_label, SuggestionRow.agency_decision, DecisionRow.agency),
    ):
        would_auto = or_(decision_col == "auto", SuggestionRow.guard_held.contains(target))
        rows = session.execute(
            select(label_col, func.count(), func.sum(case((final_col == label_col, 1), else_=0)))
            .select_from(DecisionRow)
            .join(latest, latest.c.id == DecisionRow.id)
            .join(SuggestionRow, SuggestionRow.id == DecisionRow.suggestion_id)
            .where(would_auto)
            .group_by(label_col)
        ).all()
        for label, n, ok in rows:
            out[(target, str(label))] = (int(n), int(ok or 0))
    for label, n, ok in _office_evidence(session, model_version, accept_after_days):
        n0, ok0 = out.get(("agency", label), (0, 0))
        out[("agency", label)] = (n0 + n, ok0 + ok)
    return out


def _office_evidence(
    session: Session, model_version: str, accept_after_days: float
) -> list[tuple[str, int, int]]:
    """``(agency label, answered, accepted)`` from the offices' answers on undecided suggestions."""
    undecided = ~exists().where(DecisionRow.suggestion_id == SuggestionRow.id)
    would_auto = or_(SuggestionRow.agency_decision == "auto", SuggestionRow.guard_held.contains("agency"))
    latest = (
        select(func.max(AgencyResponseRow.id).label("id"))
        .join(SuggestionRow, SuggestionRow.id == AgencyResponseRow.suggestion_id)
        .where(
            SuggestionRow.model_version == model_version,
            AgencyResponseRow.agency == SuggestionRow.agency_label,
        )
        .group_by(AgencyResponseRow.suggestion_id)
        .subquery()
    )
    counts: dict[str, list[int]] = {}
    rows = session.execute(
        select(
            SuggestionRow.agency_label,
            func.count(),
            func.sum(case((AgencyResponseRow.kind == "accept", 1), else_=0)),
        )
        .select_from(AgencyResponseRow)
        .join(latest, latest.c.id == AgencyResponseRow.id)
        .join(SuggestionRow, SuggestionRow.id == AgencyResponseRow.suggestion_id)
        .where(would_auto, undecided)
        .group_by(SuggestionRow.agency_label)
    )
    for label, n, ok in rows:
        counts.setdefault(str(label), [0, 0])
        counts[str(label)][0] += int(n)
        counts[str(label)][1] += int(ok or 0)
    if accept_after_days > 0:  # silence for N days after an auto dispatch counts as acceptance
        cutoff = utcnow() - timedelta(days=accept_after_days)
        answered = exists().where(AgencyResponseRow.suggestion_id == SuggestionRow.id)
        silent = session.execute(
            select(SuggestionRow.agency_label, func.count())
            .where(
                SuggestionRow.model_version == model_version,
                SuggestionRow.agency_decision == "auto",
                SuggestionRow.status == "auto",
                SuggestionRow.created_at <= cutoff,
                undecided,
                ~answered,
            )
            .group_by(SuggestionRow.agency_label)
        )
        for label, n in silent:
            counts.setdefault(str(label), [0, 0])
            counts[str(label)][0] += int(n)
            counts[str(label)][1] += int(n)
    return [(label, n, ok) for label, (n, ok) in counts.items()]


class Guard:
    """Computes, caches and applies the verdict; records every switch in ``guard_events``."""

    def __init__(
        self,
        sessionmaker: Callable[[], Session],
        *,
        min_evidence: int = 20,
        z: float = 1.96,
        rule: str = "upper",
        ttl_seconds: float = 5.0,
        enabled: bool = True,
        on_verdict: Callable[[GuardVerdict], None] | None = None,
        accept_after_days: float = 0.0,
    ) -> None:
        if rule not in RULES:
            raise ValueError(f"guard rule must be one of {list(RULES)}, got {rule!r}")
        self.sessionmaker = sessionmaker
        self.min_evidence = min_evidence
        self.z = z
        self.rule = rule
        self.ttl_seconds = ttl_seconds
        self.enabled = enabled
        self.on_verdict = on_verdict
        self.accept_after_days = accept_after_days
        self._cached: GuardVerdict | None = None
        self._lock = threading.Lock()

    def verdict(self, model: LoadedModel, *, force: bool = False, record: bool = True) -> GuardVerdict:
        """The verdict for ``model``: cached for ``ttl_seconds``, recomputed from the database otherwise.

        ``record=False`` (the routing path, which may hold an open write transaction) pauses a class
        that crossed the rule without writing its ``pause`` event yet; the next recording recomputation
        (a decision, `GET /v1/model`, `/metrics`) writes it.
        """
        requested = time.monotonic()
        cached = self._fresh(model, requested, force)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._fresh(model, requested, force)  # computed by another thread meanwhile
            if cached is not None:
                return cached
            with self.sessionmaker() as session:
                verdict = self._compute(session, model, record=record)
            self._cached = verdict
        if self.on_verdict is not None:
            self.on_verdict(verdict)
        return verdict

    def _fresh(self, model: LoadedModel, requested: float, force: bool) -> GuardVerdict | None:
        """The cached verdict for ``model`` if recent enough (if forced: computed after ``requested``)."""
        cached = self._cached
        if cached is None or cached.model_version != model.version:
            return None
        if force:
            return cached if cached.computed_at >= requested else None
        return cached if time.monotonic() - cached.computed_at < self.ttl_seconds else None

    def hold(self, model: LoadedModel, category: dict[str, Any], agency: dict[str, Any]) -> list[str]:
        """Turn ``auto`` into ``review`` for paused classes (in place); returns the targets held."""
        if not self.enabled:
            return []
        verdict = self.verdict(model, record=False)
        held = []
        for target, out in (("category", category), ("agency", agency)):
            if out["decision"] == "auto" and verdict.paused(target, out["label"]):
                out["decision"] = "review"
                held.append(target)
        return held

    def _compute(self, session: Session, model: LoadedModel, *, record: bool) -> GuardVerdict:
        started = time.monotonic()  # what the verdict can have seen: rows committed before this
        target_precision = _target_precision(model)
        evidence = count_evidence(session, model.version, self.accept_after_days)
        events = {
            (e.target, e.label): e
            for e in session.scalars(
                select(GuardEventRow).where(
                    GuardEventRow.model_version == model.version, GuardEventRow.kind == "pause"
                )
            )
        }
        classes: dict[tuple[str, str], ClassState] = {}
        for key in sorted(set(evidence) | set(events)):
            n, ok = evidence.get(key, (0, 0))
            lo, hi = wilson_interval(ok, n, self.z)
            bound = hi if self.rule == "upper" else lo
            event = events.get(key)
            crossing = self.enabled and n >= self.min_evidence and bound < target_precision
            reason = None if event is None else event.reason
            if crossing and event is None:
                if record:
                    event = self._record_pause(session, model.version, key, n, ok, lo, hi, target_precision)
                    reason = event.reason
                else:
                    reason = self._reason(n, ok, lo, hi, target_precision)
            classes[key] = ClassState(
                target=key[0],
                label=key[1],
                reviewed=n,
                correct=ok,
                lower_bound=lo,
                upper_bound=hi,
                auto=event is None and not crossing,
                since=None if event is None else event.created_at,
                reason=reason,
            )
        return GuardVerdict(
            model_version=model.version,
            target_precision=target_precision,
            min_evidence=self.min_evidence,
            z=self.z,
            rule=self.rule,
            classes=classes,
            computed_at=started,
        )

    def _record_pause(
        self,
        session: Session,
        version: str,
        key: tuple[str, str],
        n: int,
        ok: int,
        lo: float,
        hi: float,
        target_precision: float,
    ) -> GuardEventRow:
        reason = self._reason(n, ok, lo, hi, target_precision)
        event = GuardEventRow(
            created_at=utcnow(),
            model_version=version,
            target=key[0],
            label=key[1],
            kind="pause",
            reviewed=n,
            correct=ok,
            lower_bound=lo,
            upper_bound=hi,
            target_precision=target_precision,
            reason=reason,
        )
        session.add(event)
        try:
            session.commit()
        except IntegrityError:  # another replica recorded it first: use theirs
            session.rollback()
            theirs = session.scalar(
                select(GuardEventRow).where(
                    GuardEventRow.model_version == version,
                    GuardEventRow.target == key[0],
                    GuardEventRow.label == key[1],
                    GuardEventRow.kind == "pause",
                )
            )
            if theirs is None:
                raise
            return theirs
        logger.warning(
            "guard paused auto-routing: model=%s target=%s label=%r reviewed=%d correct=%d "
            "lower=%.3f upper=%.3f target=%.3f",
            version, key[0], key[1], n, ok, lo, hi, target_precision,
        )  # fmt: skip
        return event

    def _reason(self, n: int, ok: int, lo: float, hi: float, target_precision: float) -> str:
        bound = hi if self.rule == "upper" else lo
        return (
            f"{ok} of {n} reviewed auto decisions correct; {self.rule} bound {bound:.3f} "
            f"< target precision {target_precision:.3f} (z={self.z})"
        )

    def record_model_change(self, old: LoadedModel, new: LoadedModel) -> int:
        """Carry the pauses of ``old`` over to ``new``: ``resume`` events after a full retrain (evidence
        starts afresh), ``pause`` events again when ``new`` is a refresh of ``old`` (same thresholds and
        calibration, so what was paused stays paused until a full retrain). Returns the events written."""
        if old.version == new.version:
            return 0
        refresh = _is_refresh_of(new, old)
        written = 0
        with self.sessionmaker() as session:
            paused = session.scalars(
                select(GuardEventRow).where(
                    GuardEventRow.model_version == old.version, GuardEventRow.kind == "pause"
                )
            ).all()
            for e in paused:
                if refresh:  # the evidence that paused it still holds for the same thresholds
                    kind, evidence = (
                        "pause",
                        {
                            "reviewed": e.reviewed,
                            "correct": e.correct,
                            "lower_bound": e.lower_bound,
                            "upper_bound": e.upper_bound,
                            "target_precision": e.target_precision,
                            "reason": f"kept from {old.version} ({e.reason}): model {new.version} is a "
                            "refresh with the same thresholds; a full retrain restores auto-routing",
                        },
                    )
                else:
                    kind, evidence = (
                        "resume",
                        {
                            "reviewed": 0,
                            "correct": 0,
                            "lower_bound": 0.0,
                            "upper_bound": 1.0,
                            "target_precision": _target_precision(new),
                            "reason": f"model {new.version} replaced {old.version}; evidence starts afresh",
                        },
                    )
                session.add(
                    GuardEventRow(
                        created_at=utcnow(),
                        model_version=new.version,
                        target=e.target,
                        label=e.label,
                        kind=kind,
                        **evidence,
                    )
                )
                try:
                    session.commit()
                except IntegrityError:  # another replica wrote it
                    session.rollback()
                    continue
                written += 1
                logger.warning(
                    "guard %s: model=%s target=%s label=%r (paused under %s)",
                    "keeps auto-routing paused" if refresh else "resumed auto-routing",
                    new.version, e.target, e.label, old.version,
                )  # fmt: skip
        self._cached = None
        return written


def _is_refresh_of(new: LoadedModel, old: LoadedModel) -> bool:
    """Whether ``new`` was made by a refresh (``retrain --refresh``) of the model served as ``old``."""
    settings = ((new.router.metadata or {}).get("promotion") or {}).get("settings") or {}
    if settings.get("mode") != "refresh":
        return False
    champion = str(settings.get("champion", ""))
    return bool(champion) and Path(champion).name == Path(str(old.source)).name


def _target_precision(model: LoadedModel) -> float:
    value = (model.router.metadata or {}).get("target_precision", 0.95)
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.95
