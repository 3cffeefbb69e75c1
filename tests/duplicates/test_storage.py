"""IndexStorage: one record for the index's state, to/from the saved arrays; files of the old code load.

``fixtures/index_format1.npz`` was written by the code before IndexStorage existed (commit e4f49d4) from
the fictional texts below: ``id0``..``id4`` added with aware timestamps one day apart and locations
``kel0``/``kel1``, then ``id1`` removed (the ``index`` fixture of test_persistence.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from lapor_nlp.duplicates import DuplicateIndex
from lapor_nlp.duplicates.storage import ARRAY_NAMES, IndexStorage
from lapor_nlp.errors import IndexStateError

OLD_FILE = Path(__file__).parent / "fixtures" / "index_format1.npz"
TEXTS = [
    "Lampu PJU mati di jalan Kutisari Indah gang 3 sudah seminggu",
    "Jalan berlubang di depan pasar Wonokromo mohon diperbaiki",
    "Sampah menumpuk di sungai Jagir dekat jembatan titik A",
    "Saluran tersumbat RT 4 RW 2 Kutisari banjir tiap hujan",
    "Pohon tumbang menutup jalan Ngagel Jaya Selatan no 12",
]
T0 = datetime(2023, 2, 1, tzinfo=UTC)


def _build() -> DuplicateIndex:
    idx = DuplicateIndex(max_gap_days=900)
    for n, text in enumerate(TEXTS):
        idx.add(f"id{n}", text, submitted_at=T0 + timedelta(days=n), location={"kelurahan": f"kel{n % 2}"})
    idx.remove("id1")
    return idx


def _results(idx: DuplicateIndex) -> list[list[tuple[str, float]]]:
    when = T0 + timedelta(days=30)
    return [
        [
            (m.id, round(m.score, 9))
            for m in idx.query(t, k=5, submitted_at=when, location={"kelurahan": "kel0"})
        ]
        for t in TEXTS
    ]


def _file_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in ARRAY_NAMES}


def _assert_same_arrays(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert list(got) == list(want) == list(ARRAY_NAMES)
    for name in ARRAY_NAMES:
        assert got[name].dtype == want[name].dtype, name
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


def test_file_of_the_old_code_loads_and_saves_unchanged(tmp_path: Path) -> None:
    loaded = DuplicateIndex.load(OLD_FILE)
    assert loaded.ids == ["id0", "id2", "id3", "id4"] and loaded.max_gap_days == 900
    assert loaded.storage.aware is True and len(loaded) == 4
    _assert_same_arrays(loaded.storage.to_arrays(), _file_arrays(OLD_FILE))
    loaded.save(tmp_path / "again.npz")
    _assert_same_arrays(_file_arrays(tmp_path / "again.npz"), _file_arrays(OLD_FILE))
    assert loaded.query(TEXTS[3], k=1)[0].id == "id3"


def test_storage_round_trip_through_arrays_keeps_results() -> None:
    idx = _build()
    arrays = idx.storage.to_arrays()
    assert len(arrays["ids_ptr"]) == 5  # the removed complaint is compacted away
    storage = IndexStorage.from_arrays(arrays, aware=idx.storage.aware)
    rebuilt = DuplicateIndex(max_gap_days=900, storage=storage)
    assert rebuilt.ids == idx.ids and len(rebuilt) == 4
    assert _results(rebuilt) == _results(idx)
    assert list(storage.df) == list(IndexStorage.from_arrays(storage.to_arrays(), aware=True).df)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.pop("kel"), "missing"),
        (lambda a: a.update(set=a["set"] + 10_000), "unknown terms"),
        (lambda a: a.update(norm=a["norm"][:-1]), "rows for 4 documents"),
        (lambda a: a.update(seq_ptr=a["seq_ptr"][::-1].copy()), "offsets of 'seq'"),
        (lambda a: a.update(kind=a["kind"].astype(np.int64)), "dtype"),
    ],
    ids=["missing-array", "unknown-term", "short-column", "bad-offsets", "wrong-dtype"],
)
def test_from_arrays_refuses_inconsistent_arrays(change, message: str) -> None:  # type: ignore[no-untyped-def]
    arrays = _build().storage.to_arrays()
    change(arrays)
    with pytest.raises(IndexStateError, match=message):
        IndexStorage.from_arrays(arrays, aware=True)
