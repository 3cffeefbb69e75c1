"""Private helpers shared by the packages: atomic file writes and progress bars."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import lapor_nlp._files
from lapor_nlp._files import atomic_directory, atomic_path, atomic_write
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


def test_atomic_path_keeps_the_suffix_it_is_given(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "out.xlsx", suffix=".xlsx") as tmp:
        assert tmp.suffix == ".xlsx" and tmp.parent == tmp_path
        tmp.write_bytes(b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_atomic_directory_replaces_the_directory_whole(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.bin").write_bytes(b"old")
    with atomic_directory(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        assert (target / "old.bin").read_bytes() == b"old"  # old one untouched while writing
        (tmp / "new.bin").write_bytes(b"new")
    assert sorted(p.name for p in target.iterdir()) == ["new.bin"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary or old sibling left
    assert target.stat().st_mode & 0o777 == 0o755


def test_atomic_directory_creates_a_new_directory_and_its_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    with atomic_directory(target) as tmp:
        (tmp / "part.parquet").write_bytes(b"p")
    assert (target / "part.parquet").read_bytes() == b"p"


def test_atomic_directory_failure_keeps_the_old_directory(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.bin").write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_directory(target) as tmp:
        (tmp / "half.bin").write_bytes(b"half")
        raise RuntimeError("disk full")
    assert sorted(p.name for p in target.iterdir()) == ["old.bin"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_atomic_directory_failed_swap_puts_the_old_directory_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.bin").write_bytes(b"old")
    real_replace = os.replace

    def second_rename_fails(src: object, dst: object) -> None:
        if Path(str(src)).name.startswith(".model.tmp-"):
            raise OSError("disk full")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(lapor_nlp._files.os, "replace", second_rename_fails)
    with pytest.raises(OSError, match="disk full"), atomic_directory(target) as tmp:
        (tmp / "new.bin").write_bytes(b"new")
    assert sorted(p.name for p in target.iterdir()) == ["old.bin"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_progress_bar_passes_items_through() -> None:
    items = [1, 2, 3]
    assert progress_bar(items, desc="x", enabled=False) is items
    assert list(progress_bar(items, desc="x", enabled=True, leave=False)) == items
    steps = progress_steps(2, desc="x", enabled=True)
    steps.update()
    assert steps.n == 1
    steps.close()


@pytest.fixture(params=[0o022, 0o002, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_atomic_writes_respect_the_umask(tmp_path: Path, umask: int) -> None:
    from lapor_nlp._files import current_umask

    assert current_umask() == umask
    atomic_write(tmp_path / "a.bin", b"x")
    with atomic_path(tmp_path / "b.csv", suffix=".csv") as tmp:
        tmp.write_text("written by a writer that opens the path\n")
    with atomic_directory(tmp_path / "model") as tmp:
        (tmp / "file.json").write_text("{}")
    assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o777 & ~umask


def test_cli_output_is_readable_by_the_group(tmp_path: Path) -> None:
    """`lapor-nlp predict` and `report`-style outputs: mode 0o664 under umask 0o002 (not 0o600)."""
    from lapor_nlp.cli import main

    model = Path(__file__).resolve().parents[1] / "models" / "default"
    if not (model / "metadata.json").is_file():
        pytest.skip(f"no bundled model at {model}")
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,lampu jalan mati di gang\n2,sampah menumpuk dekat pasar\n")
    old = os.umask(0o002)
    try:
        assert main(["predict", str(model), str(source), "--output", str(tmp_path / "pred.parquet")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "pred.parquet").stat().st_mode) == 0o664
