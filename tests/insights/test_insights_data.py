from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp.errors import DataFormatError
from lapor_nlp.insights import load_complaints, prepare_complaints


def test_prepare_complaints_requires_submitted_at() -> None:
    with pytest.raises(DataFormatError, match="submitted_at"):
        prepare_complaints(pd.DataFrame({"text": ["a"], "created": ["2024-01-01"]}))


def test_prepare_complaints_rejects_non_frame() -> None:
    with pytest.raises(DataFormatError, match="DataFrame"):
        prepare_complaints([{"submitted_at": "2024-01-01"}])  # type: ignore[arg-type]


def test_prepare_complaints_counts_unparseable_dates() -> None:
    frame = pd.DataFrame(
        {
            "submitted_at": ["2024-01-01 08:00", "kemarin sore", "", "2024-01-03", "31/31/2024"],
            "responded_at": ["2024-01-02", "", "", "bukan tanggal", ""],
        }
    )
    data = prepare_complaints(frame)
    assert data.unparseable_dates["submitted_at"] == 2
    assert len(data.frame) == 2  # the empty and the two unparseable submissions are dropped
    assert data.unparseable_dates["responded_at"] == 1
    assert any("2 row(s) with an unparseable submitted_at" in n for n in data.notes)
    assert any("1 row(s) with an empty submitted_at" in n for n in data.notes)
    assert any("unparseable responded_at" in n for n in data.notes)


def test_prepare_complaints_all_dates_bad_is_an_error() -> None:
    with pytest.raises(DataFormatError, match="no complaint has a usable submitted_at"):
        prepare_complaints(pd.DataFrame({"submitted_at": ["x", "y"]}))


def test_prepare_complaints_maps_topic_and_notes_missing_columns() -> None:
    data = prepare_complaints(pd.DataFrame({"submitted_at": ["2024-01-01"], "topic": [""]}))
    assert data.dimensions == ("category",)
    assert data.frame["category"].tolist() == ["(none)"]
    assert not data.has_responses
    notes = " ".join(data.notes)
    assert "responded_at" in notes and "'agency'" in notes and "'kecamatan'" in notes and "id" in notes


def test_prepare_complaints_response_before_submission_is_unknown() -> None:
    data = prepare_complaints(
        pd.DataFrame(
            {"submitted_at": ["2024-01-05", "2024-01-05"], "responded_at": ["2024-01-04", "2024-01-06"]}
        )
    )
    assert data.frame["responded_at"].isna().tolist() == [True, False]
    assert data.frame["_responded_unknown"].tolist() == [True, False]
    assert any("answered before they were submitted" in n for n in data.notes)


def test_prepare_complaints_mixes_naive_and_aware_timestamps() -> None:
    # naive values are WIB wall-clock times; values with an offset are converted to WIB
    data = prepare_complaints(
        pd.DataFrame({"submitted_at": ["2024-01-01 07:00", "2024-01-01T08:00:00+07:00", "2024-01-01T01:30Z"]})
    )
    assert data.frame["submitted_at"].tolist() == [
        pd.Timestamp("2024-01-01 07:00"),
        pd.Timestamp("2024-01-01 08:00"),
        pd.Timestamp("2024-01-01 08:30"),
    ]


def test_prepare_complaints_reads_day_first_and_excel_dates() -> None:
    data = prepare_complaints(
        pd.DataFrame({"submitted_at": ["05/02/2024 08:15", "45327.34375", "02/13/2024 08:15"]})
    )
    assert data.frame["submitted_at"].tolist() == [pd.Timestamp("2024-02-05 08:15")] * 2
    assert data.unparseable_dates["submitted_at"] == 1  # month-first is never guessed


def test_load_complaints_sniffs_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id;submitted_at;topic\n1;2024-01-01;PJU\n2;2024-01-02;Sampah\n", encoding="utf-8")
    data = load_complaints(path)
    assert data.frame["category"].tolist() == ["PJU", "Sampah"]
    assert data.frame["id"].tolist() == ["1", "2"]


def test_load_complaints_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="no such file"):
        load_complaints(tmp_path / "nope.csv")


def test_load_complaints_utf16(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("submitted_at,text\n2024-01-01,jalan rusak \xe9\xe9\n".encode("utf-16"))
    assert load_complaints(path).frame["text"].tolist() == ["jalan rusak \xe9\xe9"]
