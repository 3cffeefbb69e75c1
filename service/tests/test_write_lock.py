"""The SQLite cross-process write lock: a second process waits for the holder, other databases skip it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from service.app.db.engine import write_lock

pytest.importorskip("fcntl", reason="the write lock uses fcntl.flock (Unix)")

_HOLD = """
import sys, time
from sqlalchemy import create_engine
from service.app.db.engine import write_lock
with write_lock(create_engine(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_write_lock_makes_another_process_wait(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, url, "0.6"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={"PYTHONPATH": f"{root / 'src'}:{root}", "PATH": "/usr/bin:/bin"},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with write_lock(create_engine(url)):
            waited = time.monotonic() - start
        assert waited > 0.3  # it waited for the other process to let go
        with write_lock(create_engine(url)):  # and is free again afterwards (same process, reentry)
            pass
    finally:
        holder.wait(10)
    assert (tmp_path / "x.db.write-lock").exists()


def test_write_lock_is_a_no_op_without_a_sqlite_file(tmp_path: Path) -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@localhost/db"):
        try:
            engine = create_engine(url)
        except ImportError:  # no PostgreSQL driver installed
            continue
        with write_lock(engine), write_lock(engine):  # no lock taken: nesting cannot block
            pass
    assert not list(tmp_path.iterdir())
