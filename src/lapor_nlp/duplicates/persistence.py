"""Save and load a :class:`DuplicateIndex` as one ``.npz`` file: atomic, versioned, checksummed, pickle-free.

The file is a NumPy zip archive read with ``allow_pickle=False`` (plain integer/float/byte arrays only,
so loading cannot execute code). A JSON header (stored as bytes) carries the format version, settings,
scorer weights and a SHA-256 over every array; a file that fails any check is refused with
:class:`~lapor_nlp.errors.IndexStateError` before an index object is built.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lapor_nlp import __version__
from lapor_nlp._files import atomic_write
from lapor_nlp.duplicates.scorer import Scorer
from lapor_nlp.errors import IndexStateError, ModelIntegrityError

if TYPE_CHECKING:
    from lapor_nlp.duplicates.index import DuplicateIndex

MAGIC = "lapor-nlp/duplicate-index"
FORMAT_VERSION = 1
_ARRAYS = (
    "terms_blob",
    "terms_ptr",
    "kind",
    "ids_blob",
    "ids_ptr",
    "loc_blob",
    "loc_ptr",
    "seq_ptr",
    "seq",
    "set_ptr",
    "set",
    "plc_ptr",
    "plc",
    "norm",
    "time",
    "kel",
    "kec",
)


def _pack(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [s.encode("utf-8") for s in strings]
    ptr = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=ptr[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), ptr


def _unpack(blob: np.ndarray, ptr: np.ndarray) -> list[str]:
    raw = blob.tobytes()
    return [raw[ptr[i] : ptr[i + 1]].decode("utf-8") for i in range(len(ptr) - 1)]


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in _ARRAYS:
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _compact(ptr: array[int], data: array[int], alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.frombuffer(ptr, dtype=np.int64)
    d = np.frombuffer(data, dtype=np.int32)
    lens = np.diff(p)[alive]
    starts = p[:-1][alive]
    total = int(lens.sum())
    offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
    values = d[np.repeat(starts, lens) + offs].copy()
    new_ptr = np.zeros(lens.size + 1, dtype=np.int64)
    np.cumsum(lens, out=new_ptr[1:])
    return new_ptr, values


def save_index(index: DuplicateIndex, path: str | Path) -> None:
    """Write ``index`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise IndexStateError(f"cannot save the index to {path}: directory {path.parent} does not exist")
    alive = np.frombuffer(index._alive, dtype=np.uint8).astype(bool)
    arrays: dict[str, np.ndarray] = {}
    arrays["terms_blob"], arrays["terms_ptr"] = _pack(index._terms)
    arrays["kind"] = np.frombuffer(index._kind, dtype=np.int8).copy()
    arrays["ids_blob"], arrays["ids_ptr"] = _pack([i for i, a in zip(index._ids, alive, strict=True) if a])
    arrays["loc_blob"], arrays["loc_ptr"] = _pack(index._loc_names)
    for name in ("seq", "set", "plc"):
        arrays[f"{name}_ptr"], arrays[name] = _compact(
            getattr(index, f"_{name}_ptr"), getattr(index, f"_{name}"), alive
        )
    arrays["norm"] = np.frombuffer(index._norm, dtype=np.float64)[alive].copy()
    arrays["time"] = np.frombuffer(index._time, dtype=np.float64)[alive].copy()
    arrays["kel"] = np.frombuffer(index._kel, dtype=np.int32)[alive].copy()
    arrays["kec"] = np.frombuffer(index._kec, dtype=np.int32)[alive].copy()
    header = {
        "magic": MAGIC,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "n_documents": int(alive.sum()),
        "aware": index._aware,
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
            missing = [a for a in _ARRAYS if a not in npz.files]
            if missing:
                raise _refuse(path, f"arrays {missing} are missing")
            arrays = {a: npz[a] for a in _ARRAYS}
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


def _check_structure(
    path: Path, arrays: dict[str, np.ndarray], n_terms: int, n_docs: int, n_locs: int
) -> None:
    expected = {
        "terms_ptr": np.int64,
        "kind": np.int8,
        "seq": np.int32,
        "set": np.int32,
        "plc": np.int32,
        "norm": np.float64,
        "time": np.float64,
        "kel": np.int32,
        "kec": np.int32,
    }
    for name, dtype in expected.items():
        if arrays[name].dtype != dtype or arrays[name].ndim != 1:
            raise _refuse(path, f"array {name!r} has dtype {arrays[name].dtype}, expected {np.dtype(dtype)}")
    for name in ("seq", "set", "plc"):
        ptr, data = arrays[f"{name}_ptr"], arrays[name]
        if ptr.size != n_docs + 1 or ptr[0] != 0 or ptr[-1] != data.size or np.any(np.diff(ptr) < 0):
            raise _refuse(path, f"offsets of {name!r} are inconsistent")
        if data.size and (data.min() < 0 or data.max() >= n_terms):
            raise _refuse(path, f"{name!r} refers to unknown terms")
    for name in ("norm", "time", "kel", "kec"):
        if arrays[name].size != n_docs:
            raise _refuse(path, f"array {name!r} has {arrays[name].size} rows for {n_docs} documents")
    for name in ("kel", "kec"):
        if arrays[name].size and (arrays[name].min() < -2 or arrays[name].max() >= n_locs):
            raise _refuse(path, f"{name!r} refers to unknown places")
    if arrays["kind"].size != n_terms:
        raise _refuse(path, "term kinds do not match the vocabulary")


def load_index(
    cls: type[DuplicateIndex], path: str | Path, *, scorer: Scorer | None = None
) -> DuplicateIndex:
    """Read, verify and rebuild an index written by :func:`save_index`."""
    path = Path(path)
    header, a = _read(path)
    try:
        terms = _unpack(a["terms_blob"], a["terms_ptr"])
        ids = _unpack(a["ids_blob"], a["ids_ptr"])
        locs = _unpack(a["loc_blob"], a["loc_ptr"])
        settings = header["settings"]
        stored_scorer = Scorer.from_dict(header["scorer"])
    except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError, ModelIntegrityError) as exc:
        raise _refuse(path, f"its header or string tables are malformed ({exc})") from exc
    _check_structure(path, a, len(terms), len(ids), len(locs))
    if len(set(ids)) != len(ids):
        raise _refuse(path, "it holds duplicate complaint ids")
    aware = header.get("aware")
    if aware not in (None, True, False):
        raise _refuse(path, "its timestamp kind is malformed")
    try:
        index = cls(
            threshold=settings["threshold"] if scorer is None else None,
            max_gap_days=settings["max_gap_days"],
            candidates=int(settings["candidates"]),
            posting_budget=int(settings["posting_budget"]),
            scorer=scorer if scorer is not None else stored_scorer,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _refuse(path, f"its settings are malformed ({exc})") from exc
    n_docs, n_terms = len(ids), len(terms)
    index._terms = terms
    index._vocab = {t: i for i, t in enumerate(terms)}
    if len(index._vocab) != n_terms:
        raise _refuse(path, "its vocabulary holds repeated terms")
    index._kind = array("b", a["kind"].tobytes())
    index._ids = ids
    index._pos = {i: n for n, i in enumerate(ids)}
    index._alive = bytearray(b"\x01" * n_docs)
    for name in ("seq", "set", "plc"):
        setattr(index, f"_{name}_ptr", array("q", a[f"{name}_ptr"].astype(np.int64).tobytes()))
        setattr(index, f"_{name}", array("i", a[name].tobytes()))
    index._norm = array("d", a["norm"].tobytes())
    index._time = array("d", a["time"].tobytes())
    index._kel = array("i", a["kel"].tobytes())
    index._kec = array("i", a["kec"].tobytes())
    index._loc_names = locs
    index._loc_vocab = {n: i for i, n in enumerate(locs)}
    index._aware = aware
    index._n_alive = n_docs
    # document frequencies and postings are derived, never trusted from the file
    df = np.bincount(a["set"], minlength=n_terms) + np.bincount(a["plc"], minlength=n_terms)
    index._df = array("i", df.astype(np.int32).tobytes())
    owner = np.repeat(np.arange(n_docs, dtype=np.int32), np.diff(a["set_ptr"]))
    order = np.argsort(a["set"], kind="stable")
    sorted_owner = owner[order]
    bounds = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(a["set"], minlength=n_terms), out=bounds[1:])
    raw = sorted_owner.tobytes()
    index._postings = [array("i", raw[bounds[t] * 4 : bounds[t + 1] * 4]) for t in range(n_terms)]
    if not all(math.isfinite(v) for v in index._norm):
        raise _refuse(path, "it holds non-finite norms")
    return index
