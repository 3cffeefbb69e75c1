"""Private helpers shared by the packages: atomic file writes and progress bars."""

from __future__ import annotations

from pathlib import Path

import pytest

from lapor_nlp._files import atomic_write
from lapor_nlp._progress import progress_bar, progress_steps


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    atomic_write(tmp_path / "other.bin", lambda fh: fh.write(b"from a writer"), fsync=True)
    assert target.read_bytes() == b"new"
    assert (tmp_path / "other.bin").read_bytes() == b"from a writer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.bin", "out.bin"]


def test_atomic_write_failure_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def broken(fh: object) -> None:
        fh.write(b"half")  # type: ignore[attr-defined]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_progress_bar_passes_items_through() -> None:
    items = [1, 2, 3]
    assert progress_bar(items, desc="x", enabled=False) is items
    assert list(progress_bar(items, desc="x", enabled=True, leave=False)) == items
    steps = progress_steps(2, desc="x", enabled=True)
    steps.update()
    assert steps.n == 1
    steps.close()
