"""Engine and session factory: short timeouts so a missing database fails fast (503), not slowly."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not Unix: writers rely on SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def build_engine(url: str, *, timeout: float = 3.0) -> Engine:
    """An engine for ``url``: SQLite in WAL mode with a busy timeout, others with a connect timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(1, int(timeout))
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=timeout,
        connect_args=connect_args,
    )


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class SQLiteWriteLock:
    """Lets the writers of one SQLite file (all worker processes) take turns through a blocking OS lock.

    SQLite's own busy handler *sleeps* (1, 2, 5, 10 ... 100 ms) when another process holds the write
    lock, so two workers inserting at once add tens of milliseconds to the slower one; waiting on
    ``flock`` wakes as soon as the holder releases. Hold it only around INSERT ... COMMIT. Threads of
    one process take turns on a thread lock first (``flock`` belongs to the open file, not the thread).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_WRITE_LOCKS: dict[str, SQLiteWriteLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def write_lock(bind: Engine | Connection) -> AbstractContextManager[None]:
    """The cross-process write lock of ``bind``'s SQLite file (next to it, ``<file>.write-lock``);
    a no-op for other databases (they lock rows, not the file), in-memory SQLite and non-Unix systems."""
    url = bind.engine.url
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or fcntl is None:
        return nullcontext()
    path = str(Path(database).resolve()) + ".write-lock"
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(path)
        if lock is None:
            lock = _WRITE_LOCKS[path] = SQLiteWriteLock(Path(path))
    return lock.hold()
