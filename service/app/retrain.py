"""Background retrain with champion/challenger promotion (``POST /v1/model/retrain``).

One retrain at a time per process: export the reviewed decisions (audited ones included, unreviewed
``auto`` ones never), call :func:`lapor_nlp.routing.retrain` on them plus ``LAPOR_NLP_RETRAIN_BASE``,
write the candidate to ``<models>/candidates/<UTC timestamp>`` and swap it in **only if** the verdict
says ``promote``. The previous model directory is left untouched, so a rollback is a reload of it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from service.app.config import Settings
from service.app.errors import ServiceError
from service.app.feedback import feedback_frame
from service.app.guard import Guard
from service.app.metrics import Metrics
from service.app.state import ModelHolder

logger = logging.getLogger("lapor_nlp.service")

CANDIDATES = "candidates"
RetrainFn = Callable[..., Any]  # lapor_nlp.routing.retrain(champion_dir, base, feedback, out_dir, *, ...)


class RetrainRunningError(ServiceError):
    status_code = 409


class RetrainNotConfiguredError(ServiceError):
    status_code = 409


@dataclass(frozen=True)
class RetrainStatus:
    """What ``GET /v1/model/retrain`` reports."""

    state: str = "idle"  # idle | running | succeeded | failed
    started_at: datetime | None = None
    finished_at: datetime | None = None
    candidate: str | None = None
    mode: str = "full"  # full | refresh
    feedback_rows: int | None = None
    promoted: bool | None = None
    verdict: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "candidate": self.candidate,
            "mode": self.mode,
            "feedback_rows": self.feedback_rows,
            "promoted": self.promoted,
            "verdict": self.verdict,
            "error": self.error,
        }


def _default_retrain() -> RetrainFn:
    from lapor_nlp import routing

    fn = getattr(routing, "retrain", None)
    if fn is None:
        raise RuntimeError("this lapor_nlp has no routing.retrain; install a version that provides it")
    return fn  # type: ignore[no-any-return]


@dataclass
class Retrainer:
    """Runs one retrain at a time in a background thread and remembers the last verdict."""

    settings: Settings
    retrain_fn: RetrainFn | None = None
    status: RetrainStatus = field(default_factory=RetrainStatus)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def candidates_dir(self) -> Path:
        return self.settings.model_dir.resolve().parent / CANDIDATES

    def start(
        self,
        *,
        sessionmaker: Callable[[], Session],
        holder: ModelHolder,
        guard: Guard,
        metrics: Metrics,
        refresh: bool = False,
    ) -> RetrainStatus:
        """Start a retrain in the background; 409 if one is running or no base data is configured.

        ``refresh``: the cheap update path (the champion's features, settings and thresholds kept,
        only the weights refit; see :func:`lapor_nlp.routing.retrain`).
        """
        base = self.settings.retrain_base
        if base is None:
            raise RetrainNotConfiguredError(
                "no base training data configured: set LAPOR_NLP_RETRAIN_BASE to the CSV the model was "
                "trained on (the reviewed decisions are appended to it)"
            )
        with self._lock:
            if self.status.state == "running":
                raise RetrainRunningError(
                    f"a retrain started at {self.status.started_at} is still running; "
                    "follow it with GET /v1/model/retrain"
                )
            stamp = datetime.now(UTC)
            out_dir = self.candidates_dir() / stamp.strftime("%Y%m%dT%H%M%S%fZ")
            mode = "refresh" if refresh else "full"
            self.status = RetrainStatus(state="running", started_at=stamp, candidate=out_dir.name, mode=mode)
            self._thread = threading.Thread(
                target=self._run,
                args=(base, out_dir, sessionmaker, holder, guard, metrics, refresh),
                name="lapor-retrain",
                daemon=True,
            )
            self._thread.start()
            return self.status

    def _run(
        self,
        base_path: Path,
        out_dir: Path,
        sessionmaker: Callable[[], Session],
        holder: ModelHolder,
        guard: Guard,
        metrics: Metrics,
        refresh: bool,
    ) -> None:
        rows: int | None = None
        try:
            from lapor_nlp.routing import read_table

            with sessionmaker() as session:
                feedback: pd.DataFrame = feedback_frame(session)
            rows = len(feedback)
            base = read_table(base_path)
            fn = self.retrain_fn or _default_retrain()
            champion = holder.get()
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            verdict = fn(
                Path(champion.source),
                base,
                feedback,
                out_dir,
                window_days=self.settings.retrain_window_days,
                progress=False,
                **({"refresh": True} if refresh else {}),
            )
            verdict_dict = dict(verdict.to_dict())
            promoted = bool(verdict.promote)
            if promoted:
                old = holder.get()
                new = holder.reload(out_dir)
                guard.record_model_change(old, new)
                metrics.reloads.labels(result="ok").inc()
                metrics.set_model(new.version)
            logger.info(
                "retrain finished: candidate=%s feedback_rows=%d promoted=%s reason=%s",
                out_dir.name, rows, promoted, verdict_dict.get("reason"),
            )  # fmt: skip
            metrics.retrains.labels(result="promoted" if promoted else "kept").inc()
            self.status = replace(
                self.status,
                state="succeeded",
                finished_at=datetime.now(UTC),
                feedback_rows=rows,
                promoted=promoted,
                verdict=verdict_dict,
            )
        except Exception as exc:  # noqa: BLE001 - reported through GET /v1/model/retrain
            logger.error("retrain failed: %s: %s", type(exc).__name__, exc)
            metrics.retrains.labels(result="failed").inc()
            self.status = replace(
                self.status,
                state="failed",
                finished_at=datetime.now(UTC),
                feedback_rows=rows,
                error=f"{type(exc).__name__}: {exc}",
            )

    def last_promotion(self, model_source: str) -> dict[str, Any] | None:
        """The last verdict: this process's last run, else the newest ``promotion.json`` on disk."""
        if self.status.verdict is not None:
            return {
                **self.status.verdict,
                "promoted": self.status.promoted,
                "candidate_dir": self.status.candidate,
            }
        found: list[Path] = []
        root = self.candidates_dir()
        if root.is_dir():
            found = sorted(root.glob("*/promotion.json"))
        served = Path(model_source) / "promotion.json"
        path = found[-1] if found else (served if served.is_file() else None)
        if path is None:
            return None
        try:
            verdict = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(verdict, dict):
            return None
        promoted = path.parent.resolve() == Path(model_source).resolve()
        return {**verdict, "promoted": promoted, "candidate_dir": path.parent.name}

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running retrain (if any) ends (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        self.wait(timeout=0.1)
