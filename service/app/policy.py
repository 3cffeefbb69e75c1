"""The agency table served next to the model, kept current from the reviewers' decisions.

The table starts from ``agency_policy.json`` in the model directory (learned from the training data by
``lapor-nlp policy`` / ``lapor-nlp train``). Every reviewer decision recorded after the table's newest
training row is added on top (weighted as a reviewer decision, see :class:`lapor_nlp.routing.AgencyPolicy`),
read from the database in decision-id order, so every process and replica sharing the database
reaches the same table: each one catches up with the decisions it has not seen before it answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_nlp.routing import POLICY_FILE, AgencyPolicy, PolicyAnswer
from service.app.db.models import DecisionRow
from service.app.state import LoadedModel

logger = logging.getLogger("lapor_nlp.service")

PolicyLoader = Callable[[LoadedModel], AgencyPolicy | None]


def load_policy(model: LoadedModel) -> AgencyPolicy | None:
    """The table beside the served model (``<model dir>/agency_policy.json``), None when there is none."""
    path = Path(model.source) / POLICY_FILE
    if not path.is_file():
        return None
    return AgencyPolicy.load(path)


class PolicyService:
    """The live table of the served model; :meth:`lookup` syncs it with the database first."""

    def __init__(self, loader: PolicyLoader = load_policy) -> None:
        self.loader = loader
        self.lock = threading.Lock()
        self._key: tuple[str, str] | None = None
        self._policy: AgencyPolicy | None = None
        self._last_id = 0

    def invalidate(self) -> None:
        """Forget the live table: the next lookup reloads it and replays every decision (after an undo)."""
        with self.lock:
            self._key = None

    def lookup(
        self, session: Session, model: LoadedModel, category: str, location: dict[str, str]
    ) -> PolicyAnswer | None:
        """The table's answer for ``category`` at ``location``; None when the model has no table."""
        with self.lock:
            policy = self._current(session, model)
            return None if policy is None else policy.lookup(category, location)

    def _current(self, session: Session, model: LoadedModel) -> AgencyPolicy | None:
        key = (model.source, model.version)
        if key != self._key:  # a new model: its own table, with every later decision replayed
            self._policy = self.loader(model)
            self._key = key
            self._last_id = 0
        if self._policy is not None:
            self._sync(session, self._policy)
        return self._policy

    def _sync(self, session: Session, policy: AgencyPolicy) -> None:
        """Add the decisions recorded since the last sync (by id), newer than the table's training rows."""
        newest = session.scalar(select(DecisionRow.id).order_by(DecisionRow.id.desc()).limit(1)) or 0
        rows = session.execute(
            select(DecisionRow.id, DecisionRow.category, DecisionRow.agency, DecisionRow.decided_at)
            .where(
                DecisionRow.id > self._last_id,
                DecisionRow.id <= newest,
                DecisionRow.unknown_agency.is_(False),
                DecisionRow.unknown_category.is_(False),
            )
            .order_by(DecisionRow.id)
        ).all()
        # Decisions with unknown labels are skipped (never learned); their ids still move the cursor.
        for _, category, agency, decided_at in rows:
            if decided_at.timestamp() / 86_400.0 > policy.as_of_:
                policy.update(category, agency, when=decided_at)
        self._last_id = max(self._last_id, newest)
