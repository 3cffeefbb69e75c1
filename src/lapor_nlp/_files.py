"""Atomic file and directory writes: readers see the old one or the new one, never half of it.

Files and directories end up with the modes ``open``/``mkdir`` would give them under the process's
umask (``0o666 & ~umask``, ``0o777 & ~umask``), not the private 0o600/0o700 of ``mkstemp``/``mkdtemp``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def current_umask() -> int:
    """The process's umask, read without changing it where the system says (Linux: /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (briefly process-wide)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets from ``open()``: 0o666 minus the umask."""
    return 0o666 & ~current_umask()


@contextmanager
def atomic_path(path: Path, *, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` when the block succeeds.

    ``suffix`` ends the temporary name (for writers that look at it). On any error (or interrupt)
    the temporary file is removed and ``path`` is left as it was.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, file_mode())  # mkstemp made it 0o600: readable by the group/others as umask says
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], object], *, fsync: bool = False) -> None:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` atomically.

    ``fsync`` flushes the bytes to disk before the rename, for files that must survive a power cut.
    """
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            data(fh)
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """An empty temporary directory beside ``path`` to fill; it replaces ``path`` when the block succeeds.

    The old directory (if any) stays in place until the new one is complete: it is renamed aside,
    the new one renamed in, and only then removed. On any error the temporary directory is removed
    and ``path`` is left as it was. The new directory gets the mode ``mkdir`` would give it
    (0o777 minus the umask).
    Callers check beforehand that ``path`` may be replaced as a whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~current_umask())
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent)) if path.exists() else None
        try:
            if old is not None:
                os.replace(path, old / path.name)
            try:
                os.replace(tmp, path)
            except BaseException:
                if old is not None and (old / path.name).exists():
                    os.replace(old / path.name, path)  # put the old one back
                raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
