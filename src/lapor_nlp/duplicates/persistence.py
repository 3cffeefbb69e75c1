"""Save and load a :class:`DuplicateIndex` as one ``.npz`` file: atomic, versioned, checksummed, pickle-free.

The file is a NumPy zip archive read with ``allow_pickle=False`` (plain integer/float/byte arrays only,
so loading cannot execute code). A JSON header (stored as bytes) carries the format version, settings,
scorer weights and a SHA-256 over every array; a file that fails any check is refused with
:class:`~lapor_nlp.errors.IndexStateError` before an index object is built. The arrays themselves are
those of :class:`~lapor_nlp.duplicates.storage.IndexStorage` (``to_arrays``/``from_arrays``).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lapor_nlp import __version__
from lapor_nlp._files import atomic_write
from lapor_nlp.duplicates.scorer import Scorer
from lapor_nlp.duplicates.storage import ARRAY_NAMES, IndexStorage
from lapor_nlp.errors import IndexStateError, ModelIntegrityError

if TYPE_CHECKING:
    from lapor_nlp.duplicates.index import DuplicateIndex

MAGIC = "lapor-nlp/duplicate-index"
FORMAT_VERSION = 1


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in ARRAY_NAMES:
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_index(index: DuplicateIndex, path: str | Path) -> None:
    """Write ``index`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise IndexStateError(f"cannot save the index to {path}: directory {path.parent} does not exist")
    storage = index.storage
    arrays = storage.to_arrays()
    header = {
        "magic": MAGIC,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "n_documents": len(arrays["ids_ptr"]) - 1,
        "aware": storage.aware,
        "settings": {
            "threshold": index.threshold,
            "max_gap_days": index.max_gap_days,
            "candidates": index.candidates,
            "posting_budget": index.posting_budget,
        },
        "scorer": index.scorer.to_dict(),
        "sha256": _digest(arrays),
    }
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    atomic_write(path, lambda fh: np.savez(fh, **arrays), fsync=True)  # type: ignore[arg-type]


def _refuse(path: Path, why: str) -> IndexStateError:
    return IndexStateError(
        f"refusing to load duplicate index {path}: {why}. "
        "Rebuild it with DuplicateIndex.add_many() and save() again"
    )


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not path.is_file():
        raise IndexStateError(f"no saved duplicate index at {path}; check the path or build one with save()")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if "header" not in npz.files:
                raise _refuse(path, "it has no header (not a lapor-nlp duplicate index)")
            header = json.loads(npz["header"].tobytes().decode("utf-8"))
            missing = [a for a in ARRAY_NAMES if a not in npz.files]
            if missing:
                raise _refuse(path, f"arrays {missing} are missing")
            arrays = {a: npz[a] for a in ARRAY_NAMES}
    except IndexStateError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise _refuse(path, f"it is corrupt or not an index file ({type(exc).__name__}: {exc})") from exc
    if not isinstance(header, dict) or header.get("magic") != MAGIC:
        raise _refuse(path, "it is not a lapor-nlp duplicate index")
    if header.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            path,
            f"format version {header.get('format_version')!r} is not supported "
            f"(this library reads {FORMAT_VERSION})",
        )
    if header.get("sha256") != _digest(arrays):
        raise _refuse(path, "its checksum does not match (the file was modified or damaged)")
    return header, arrays


def load_index(
    cls: type[DuplicateIndex], path: str | Path, *, scorer: Scorer | None = None
) -> DuplicateIndex:
    """Read, verify and rebuild an index written by :func:`save_index`."""
    path = Path(path)
    header, arrays = _read(path)
    try:
        settings = header["settings"]
        stored_scorer = Scorer.from_dict(header["scorer"])
    except (KeyError, TypeError, ValueError, ModelIntegrityError) as exc:
        raise _refuse(path, f"its header is malformed ({exc})") from exc
    aware = header.get("aware")
    if aware not in (None, True, False):
        raise _refuse(path, "its timestamp kind is malformed")
    try:
        storage = IndexStorage.from_arrays(arrays, aware=aware)
    except IndexStateError as exc:
        raise _refuse(path, str(exc)) from exc
    try:
        return cls(
            threshold=settings["threshold"] if scorer is None else None,
            max_gap_days=settings["max_gap_days"],
            candidates=int(settings["candidates"]),
            posting_budget=int(settings["posting_budget"]),
            scorer=scorer if scorer is not None else stored_scorer,
            storage=storage,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _refuse(path, f"its settings are malformed ({exc})") from exc
