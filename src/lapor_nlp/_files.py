"""Atomic file writes: readers see the old file or the new one, never half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` when the block succeeds.

    On any error (or interrupt) the temporary file is removed and ``path`` is left as it was.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
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
