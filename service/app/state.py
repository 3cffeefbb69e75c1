"""Live model and duplicate index: swapped atomically on reload, shared by every request.

A request takes one reference to the :class:`LoadedModel` and uses it to the end, so a reload
never fails a request in flight: the old model keeps serving until the last request using it ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

logger = logging.getLogger("lapor_nlp.service")


class TargetLike(Protocol):
    label: str
    score: float
    top_k: tuple[tuple[str, float], ...]
    decision: str
    explanation: tuple[str, ...]


class SuggestionLike(Protocol):
    targets: Mapping[str, TargetLike]


class RouterLike(Protocol):
    """What the service needs from :class:`lapor_nlp.Router`."""

    @property
    def targets(self) -> tuple[str, ...]: ...
    @property
    def location_columns(self) -> tuple[str, ...]: ...
    @property
    def text_column(self) -> str: ...
    @property
    def metadata(self) -> dict[str, Any]: ...
    @property
    def version(self) -> str: ...
    @property
    def model_card(self) -> str: ...
    def labels(self, target: str) -> tuple[str, ...]: ...
    def predict(
        self, X: Any, *, location: Any = None, top_k: int = 3, already_redacted: bool = False
    ) -> Any: ...


class MatchLike(Protocol):
    id: Any
    score: float
    is_duplicate: bool
    evidence: Any


class IndexLike(Protocol):
    def add(self, id: Any, text: str, submitted_at: Any = None, location: Any = None) -> None: ...
    def query(self, text: str, k: int = 10, submitted_at: Any = None, location: Any = None) -> list[Any]: ...
    def remove(self, id: Any) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, id: object) -> bool: ...


def load_router(model_dir: Path) -> RouterLike:
    """Load the routing model in ``model_dir`` (raises a LaporError subclass on problems)."""
    from lapor_nlp import Router

    return cast(RouterLike, Router.load(model_dir))


def new_index() -> IndexLike:
    """An empty duplicate index with its calibrated threshold."""
    from lapor_nlp.duplicates import DuplicateIndex

    return cast(IndexLike, DuplicateIndex())


def category_target(targets: Sequence[str]) -> str:
    """The target the service calls "category": "category", else "topic", else the first non-agency one."""
    for name in ("category", "topic"):
        if name in targets:
            return name
    others = [t for t in targets if t != "agency"]
    if not others:
        raise ValueError(f"the model has no category target; its targets are {list(targets)}")
    return others[0]


@dataclass(frozen=True)
class LoadedModel:
    """One loaded router plus the facts the API reports about it."""

    router: RouterLike
    source: str
    loaded_at: float
    category_target: str
    version: str

    @classmethod
    def wrap(cls, router: RouterLike, source: str) -> LoadedModel:
        targets = tuple(router.targets)
        if "agency" not in targets:
            raise ValueError(f"the model has no 'agency' target; its targets are {list(targets)}")
        return cls(router, source, time.time(), category_target(targets), model_version(router))


def warm_up(model: LoadedModel, *, prepare_words: bool = True) -> None:
    """Run one prediction, then fill the per-word caches, before this worker takes traffic.

    The prediction also checks the model works (one that cannot predict must not be swapped in).
    With ``prepare_words`` the router's ``warm_up()`` (when it has one: :meth:`lapor_nlp.Router.warm_up`)
    prepares its vocabulary and the lexicon words, so the first complaints after a start or a reload
    are as fast as later ones (``benchmarks/bench_service.py --cold``).
    """
    try:
        model.router.predict("warm up: jalan rusak lampu mati sampah menumpuk", top_k=1)
    except Exception as exc:  # noqa: BLE001 - a model that cannot predict must not be swapped in
        raise ValueError(f"the model failed its warm-up prediction ({type(exc).__name__})") from None
    prepare = getattr(model.router, "warm_up", None)
    if prepare_words and callable(prepare):
        start = time.perf_counter()
        count = prepare()
        logger.info("warmed up %s words in %.1f s", count, time.perf_counter() - start)


def model_version(router: RouterLike) -> str:
    """``router.version`` plus the training data hash, so that two trainings of one release differ."""
    version = str(router.version or "unversioned")
    data = (router.metadata or {}).get("data")
    digest = data.get("sha256") if isinstance(data, dict) else None
    if isinstance(digest, str) and digest and digest[:8] not in version:
        version = f"{version}+{digest[:8]}"
    return version


@dataclass
class ModelHolder:
    """Holds the current model; :meth:`reload` loads a new one and swaps it in atomically."""

    current: LoadedModel
    loader: Callable[[Path], RouterLike] = load_router
    prepare_words: bool = True
    _reload_lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> LoadedModel:
        return self.current

    def reload(self, model_dir: Path) -> LoadedModel:
        """Load ``model_dir`` next to the live model and swap it in; the old model stays on failure."""
        with self._reload_lock:
            router = self.loader(model_dir)
            loaded = LoadedModel.wrap(router, str(model_dir))
            warm_up(loaded, prepare_words=self.prepare_words)
            self.current = loaded  # a single reference assignment: atomic for readers
            logger.info("model reloaded: version=%s source=%s", loaded.version, loaded.source)
            return loaded


class DuplicateService:
    """The duplicate index behind a lock, kept in step with the database by suggestion id.

    Every worker process syncs the rows it has not seen yet before it queries, so several workers
    (or replicas) share one view of the complaints through the database. Ids are handed out before
    commit, so on a server database another process may commit id 11 before id 10: an id skipped
    that way is remembered as a *gap* and looked for again on each sync for ``gap_seconds`` (ids of
    rolled-back inserts never appear and are forgotten then). Only the :data:`GAP_WINDOW` ids below
    the newest are watched: inserts in flight at one moment are far fewer.
    """

    GAP_WINDOW = 1000

    def __init__(self, index: IndexLike, *, gap_seconds: float = 120.0) -> None:
        self.index = index
        self.last_id = 0
        self.lock = threading.Lock()
        self.external_ids: dict[int, str | None] = {}  # suggestion id -> intake id, for the responses
        self.gap_seconds = gap_seconds
        self._gaps: dict[int, float] = {}  # id skipped by a sync -> when it was first missed

    def open_gaps(self) -> list[int]:
        """Ids below :attr:`last_id` not seen yet that may still be committed (lock held)."""
        if self._gaps:
            cutoff = time.monotonic() - self.gap_seconds
            self._gaps = {sid: seen for sid, seen in self._gaps.items() if seen >= cutoff}
        return sorted(self._gaps)

    def add_rows(self, rows: Iterable[tuple[int, str, Any, Mapping[str, str] | None, str | None]]) -> None:
        """Add ``(id, redacted_text, submitted_at, location, intake_id)`` rows not yet indexed (lock held)."""
        now = time.monotonic()
        for sid, text, submitted_at, location, external_id in rows:
            key = str(sid)
            if key not in self.index:
                self.index.add(key, text, submitted_at=submitted_at, location=dict(location or {}) or None)
            self.external_ids[sid] = external_id
            self._gaps.pop(sid, None)
            if sid > self.last_id + 1:
                for missing in range(max(self.last_id + 1, sid - self.GAP_WINDOW), sid):
                    self._gaps.setdefault(missing, now)
            self.last_id = max(self.last_id, sid)
        if self._gaps:
            floor = self.last_id - self.GAP_WINDOW
            self._gaps = {sid: seen for sid, seen in self._gaps.items() if sid > floor}

    def forget(self, sids: Iterable[int], *, last_id: int) -> None:
        """Take rows added by a transaction that was rolled back out again (lock held)."""
        for sid in sids:
            key = str(sid)
            if key in self.index:
                self.index.remove(key)
            self.external_ids.pop(sid, None)
            self._gaps.pop(sid, None)
        self._gaps = {sid: seen for sid, seen in self._gaps.items() if sid <= last_id}
        self.last_id = last_id
