"""save/load: round trip, atomic writes, refusal of corrupt, tampered and foreign files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from lapor_nlp.duplicates import DuplicateIndex
from lapor_nlp.errors import IndexStateError

TEXTS = [
    "Lampu PJU mati di jalan Kutisari Indah gang 3 sudah seminggu",
    "Jalan berlubang di depan pasar Wonokromo mohon diperbaiki",
    "Sampah menumpuk di sungai Jagir dekat jembatan titik A",
    "Saluran tersumbat RT 4 RW 2 Kutisari banjir tiap hujan",
    "Pohon tumbang menutup jalan Ngagel Jaya Selatan no 12",
]
T0 = datetime(2023, 2, 1, tzinfo=UTC)


@pytest.fixture
def index() -> DuplicateIndex:
    idx = DuplicateIndex(max_gap_days=900)
    for n, text in enumerate(TEXTS):
        idx.add(f"id{n}", text, submitted_at=T0 + timedelta(days=n), location={"kelurahan": f"kel{n % 2}"})
    idx.remove("id1")
    return idx


def _snapshot(idx: DuplicateIndex) -> list[list[tuple[str, float]]]:
    when = T0 + timedelta(days=30)
    return [
        [
            (m.id, round(m.score, 9))
            for m in idx.query(t, k=5, submitted_at=when, location={"kelurahan": "kel0"})
        ]
        for t in TEXTS
    ]


def test_round_trip_keeps_results_settings_and_rejects_mixed_time_kinds(
    index: DuplicateIndex, tmp_path: Path
) -> None:
    path = tmp_path / "dups.npz"
    index.save(path)
    loaded = DuplicateIndex.load(path)
    assert len(loaded) == len(index) == 4 and loaded.ids == index.ids
    assert loaded.threshold == index.threshold and loaded.max_gap_days == 900
    assert _snapshot(loaded) == _snapshot(index)
    with pytest.raises(IndexStateError):
        loaded.add("naive", "teks baru", submitted_at=datetime(2023, 3, 1))
    loaded.add("id1", "Jalan berlubang di depan pasar Wonokromo")  # removed id is free again
    assert loaded.query("jalan berlubang pasar wonokromo", k=1)[0].id == "id1"


def test_save_is_atomic_and_leaves_no_temp_files(index: DuplicateIndex, tmp_path: Path) -> None:
    path = tmp_path / "dups.npz"
    path.write_bytes(b"previous version")
    index.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["dups.npz"]
    assert DuplicateIndex.load(path).ids == index.ids


def test_save_into_missing_directory_fails_clearly(index: DuplicateIndex, tmp_path: Path) -> None:
    with pytest.raises(IndexStateError, match="does not exist"):
        index.save(tmp_path / "nope" / "dups.npz")


def _rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _bump_norm(a: dict) -> None:  # type: ignore[type-arg]
    a["norm"] = a["norm"] + 1.0


def _new_version(a: dict) -> None:  # type: ignore[type-arg]
    header = json.loads(a["header"].tobytes())
    header["format_version"] = 99
    a["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)


def _object_array(a: dict) -> None:  # type: ignore[type-arg]
    a["seq"] = np.array([{"evil": 1}], dtype=object)


@pytest.mark.parametrize(
    ("change", "message"),
    [(_bump_norm, "checksum"), (_new_version, "format version"), (_object_array, "corrupt")],
    ids=["tampered-values", "future-version", "pickled-object"],
)
def test_tampered_file_is_refused(index: DuplicateIndex, tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dups.npz"
    index.save(path)
    _rewrite(path, change)
    with pytest.raises(IndexStateError, match=message):
        DuplicateIndex.load(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip at all", b"PK\x03\x04 truncated"],
    ids=["empty", "garbage", "truncated-zip"],
)
def test_corrupt_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "dups.npz"
    path.write_bytes(content)
    with pytest.raises(IndexStateError, match="refusing to load"):
        DuplicateIndex.load(path)


def test_foreign_npz_and_missing_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    buf = io.BytesIO()
    np.savez(buf, x=np.arange(3))
    path.write_bytes(buf.getvalue())
    with pytest.raises(IndexStateError, match="no header"):
        DuplicateIndex.load(path)
    with pytest.raises(IndexStateError, match="no saved duplicate index"):
        DuplicateIndex.load(tmp_path / "missing.npz")
    assert zipfile.is_zipfile(path)
