"""`IndexStorage`: everything a :class:`~lapor_nlp.duplicates.index.DuplicateIndex` holds, in one record.

Growable stdlib arrays while the index is in use; :meth:`IndexStorage.to_arrays` compacts the live
documents into the flat NumPy arrays of the saved file (:data:`ARRAY_NAMES`), and
:meth:`IndexStorage.from_arrays` checks and rebuilds them (document frequencies and postings are
derived, never read from a file). :mod:`lapor_nlp.duplicates.persistence` adds the header, checksum
and atomic write around these arrays.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from lapor_nlp.errors import IndexStateError

#: The arrays of a saved index, in checksum order (format version 1).
ARRAY_NAMES: tuple[str, ...] = (
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
_DTYPES = {
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
_RAGGED = ("seq", "set", "plc")  # per-document term lists: <name>_ptr offsets into <name>
_PER_DOC = ("norm", "time", "kel", "kec")


@dataclass(eq=False)
class IndexStorage:
    """Vocabulary, documents and locations of a duplicate index (removed documents stay as tombstones).

    Terms (words and ``kind:token`` place mentions) share one id space; documents are addressed by
    their insertion position. Per-document term lists are ragged arrays: ``seq`` (the word sequence,
    for evidence phrases), ``set`` (unique word ids, for similarity) and ``plc`` (unique place ids),
    each with an offsets array ``*_ptr``.
    """

    terms: list[str] = field(default_factory=list)
    vocab: dict[str, int] = field(default_factory=dict)
    df: array[int] = field(default_factory=lambda: array("i"))  # live document frequency per term
    kind: array[int] = field(default_factory=lambda: array("b"))  # place kind id per term, -1 for words
    postings: list[array[int]] = field(default_factory=list)  # documents per word
    ids: list[str] = field(default_factory=list)
    pos: dict[str, int] = field(default_factory=dict)  # live id -> position
    alive: bytearray = field(default_factory=bytearray)
    seq_ptr: array[int] = field(default_factory=lambda: array("q", [0]))
    seq: array[int] = field(default_factory=lambda: array("i"))
    set_ptr: array[int] = field(default_factory=lambda: array("q", [0]))
    set: array[int] = field(default_factory=lambda: array("i"))
    plc_ptr: array[int] = field(default_factory=lambda: array("q", [0]))
    plc: array[int] = field(default_factory=lambda: array("i"))
    norm: array[float] = field(default_factory=lambda: array("d"))  # squared idf norm at insertion
    time: array[float] = field(default_factory=lambda: array("d"))  # POSIX seconds, NaN unknown
    kel: array[int] = field(default_factory=lambda: array("i"))  # ids into loc_names; -1 unknown
    kec: array[int] = field(default_factory=lambda: array("i"))
    loc_vocab: dict[str, int] = field(default_factory=dict)
    loc_names: list[str] = field(default_factory=list)
    aware: bool | None = None  # timestamps are timezone-aware (None: none seen yet)
    n_alive: int = 0

    def ragged(self, name: str) -> tuple[array[int], array[int]]:
        """(offsets, values) of the per-document term list ``name`` (``seq``, ``set`` or ``plc``)."""
        if name not in _RAGGED:
            raise ValueError(f"unknown term list {name!r}; expected one of {list(_RAGGED)}")
        ptr: array[int] = getattr(self, f"{name}_ptr")
        values: array[int] = getattr(self, name)
        return ptr, values

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The live documents and the whole vocabulary as the flat arrays named in :data:`ARRAY_NAMES`."""
        alive = np.frombuffer(self.alive, dtype=np.uint8).astype(bool)
        arrays: dict[str, np.ndarray] = {}
        arrays["terms_blob"], arrays["terms_ptr"] = _pack(self.terms)
        arrays["kind"] = np.frombuffer(self.kind, dtype=np.int8).copy()
        arrays["ids_blob"], arrays["ids_ptr"] = _pack([i for i, a in zip(self.ids, alive, strict=True) if a])
        arrays["loc_blob"], arrays["loc_ptr"] = _pack(self.loc_names)
        for name in _RAGGED:
            arrays[f"{name}_ptr"], arrays[name] = _compact(*self.ragged(name), alive)
        for name, dtype in (("norm", np.float64), ("time", np.float64), ("kel", np.int32), ("kec", np.int32)):
            arrays[name] = np.frombuffer(getattr(self, name), dtype=dtype)[alive].copy()
        return {name: arrays[name] for name in ARRAY_NAMES}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], *, aware: bool | None) -> IndexStorage:
        """Check and rebuild storage from :meth:`to_arrays` output; raises :class:`IndexStateError`
        saying what is inconsistent."""
        missing = [name for name in ARRAY_NAMES if name not in arrays]
        if missing:
            raise IndexStateError(f"arrays {missing} are missing")
        a = {name: np.asarray(arrays[name]) for name in ARRAY_NAMES}
        try:
            terms = _unpack(a["terms_blob"], a["terms_ptr"])
            ids = _unpack(a["ids_blob"], a["ids_ptr"])
            locs = _unpack(a["loc_blob"], a["loc_ptr"])
        except (TypeError, ValueError, IndexError, UnicodeDecodeError) as exc:
            raise IndexStateError(f"its string tables are malformed ({exc})") from exc
        n_terms, n_docs = len(terms), len(ids)
        _check_structure(a, n_terms, n_docs, len(locs))
        if len(set(ids)) != n_docs:
            raise IndexStateError("it holds duplicate complaint ids")
        vocab = {t: i for i, t in enumerate(terms)}
        if len(vocab) != n_terms:
            raise IndexStateError("its vocabulary holds repeated terms")
        if not np.isfinite(a["norm"]).all():
            raise IndexStateError("it holds non-finite norms")
        # document frequencies and postings are derived, never trusted from the file
        df = np.bincount(a["set"], minlength=n_terms) + np.bincount(a["plc"], minlength=n_terms)
        owner = np.repeat(np.arange(n_docs, dtype=np.int32), np.diff(a["set_ptr"]))
        sorted_owner = owner[np.argsort(a["set"], kind="stable")]
        bounds = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(a["set"], minlength=n_terms), out=bounds[1:])
        raw = sorted_owner.tobytes()
        return cls(
            terms=terms,
            vocab=vocab,
            df=array("i", df.astype(np.int32).tobytes()),
            kind=array("b", a["kind"].tobytes()),
            postings=[array("i", raw[bounds[t] * 4 : bounds[t + 1] * 4]) for t in range(n_terms)],
            ids=ids,
            pos={i: n for n, i in enumerate(ids)},
            alive=bytearray(b"\x01" * n_docs),
            seq_ptr=array("q", a["seq_ptr"].astype(np.int64).tobytes()),
            seq=array("i", a["seq"].tobytes()),
            set_ptr=array("q", a["set_ptr"].astype(np.int64).tobytes()),
            set=array("i", a["set"].tobytes()),
            plc_ptr=array("q", a["plc_ptr"].astype(np.int64).tobytes()),
            plc=array("i", a["plc"].tobytes()),
            norm=array("d", a["norm"].tobytes()),
            time=array("d", a["time"].tobytes()),
            kel=array("i", a["kel"].tobytes()),
            kec=array("i", a["kec"].tobytes()),
            loc_vocab={n: i for i, n in enumerate(locs)},
            loc_names=locs,
            aware=aware,
            n_alive=n_docs,
        )


def _pack(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [s.encode("utf-8") for s in strings]
    ptr = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=ptr[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), ptr


def _unpack(blob: np.ndarray, ptr: np.ndarray) -> list[str]:
    raw = blob.tobytes()
    return [raw[ptr[i] : ptr[i + 1]].decode("utf-8") for i in range(len(ptr) - 1)]


def _compact(ptr: array[int], data: array[int], alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and values of a ragged array, keeping the rows of live documents only."""
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


def _check_structure(a: Mapping[str, np.ndarray], n_terms: int, n_docs: int, n_locs: int) -> None:
    for name, dtype in _DTYPES.items():
        if a[name].dtype != dtype or a[name].ndim != 1:
            raise IndexStateError(f"array {name!r} has dtype {a[name].dtype}, expected {np.dtype(dtype)}")
    for name in _RAGGED:
        ptr, data = a[f"{name}_ptr"], a[name]
        if ptr.size != n_docs + 1 or ptr[0] != 0 or ptr[-1] != data.size or np.any(np.diff(ptr) < 0):
            raise IndexStateError(f"offsets of {name!r} are inconsistent")
        if data.size and (data.min() < 0 or data.max() >= n_terms):
            raise IndexStateError(f"{name!r} refers to unknown terms")
    for name in _PER_DOC:
        if a[name].size != n_docs:
            raise IndexStateError(f"array {name!r} has {a[name].size} rows for {n_docs} documents")
    for name in ("kel", "kec"):
        if a[name].size and (a[name].min() < -2 or a[name].max() >= n_locs):
            raise IndexStateError(f"{name!r} refers to unknown places")
    if a["kind"].size != n_terms:
        raise IndexStateError("term kinds do not match the vocabulary")
