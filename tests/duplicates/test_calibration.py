"""The calibration replay through the index's public API, and its command on any table format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lapor_nlp.duplicates.calibration import main, replay
from lapor_nlp.duplicates.index import DuplicateIndex
from lapor_nlp.duplicates.scorer import FEATURE_NAMES
from lapor_nlp.tables import read_table, write_table

SAMPLES = Path(__file__).resolve().parents[2] / "datasets" / "samples"

# Fictional complaints (hand-written for this test).
COMPLAINTS = pd.DataFrame(
    {
        "id": ["a1", "a2", "a3", "a4"],
        "text": [
            "Jalan Melati rusak berlubang besar dekat pasar",
            "Lampu jalan mati di Gang Mawar sejak minggu lalu",
            "Lubang besar di Jalan Melati dekat pasar belum diperbaiki",
            "Sampah menumpuk di taman kota",
        ],
        "submitted_at": ["2024-03-01 08:00", "2024-03-02 09:00", "2024-03-04 10:00", "2024-03-05 11:00"],
        "kecamatan": ["Tegalsari", "Genteng", "Tegalsari", ""],
    }
)
PAIRS = pd.DataFrame({"query_id": ["a3", "a3"], "cand_id": ["a1", "a2"], "label": ["DUP", "NOT_DUP"]})


def test_candidate_features_match_features_and_query() -> None:
    index = DuplicateIndex()
    for row in COMPLAINTS.head(2).itertuples():
        index.add(row.id, row.text, submitted_at=row.submitted_at, location={"kecamatan": row.kecamatan})
    ids, feats = index.candidate_features(COMPLAINTS.text[2], "2024-03-04 10:00", {"kecamatan": "Tegalsari"})
    assert "a1" in ids and feats.shape == (len(ids), len(FEATURE_NAMES))
    expected = index.features(
        COMPLAINTS.text[2], ids, submitted_at="2024-03-04 10:00", location={"kecamatan": "Tegalsari"}
    )
    np.testing.assert_allclose(feats, expected)
    matches = index.query(
        COMPLAINTS.text[2], k=10, submitted_at="2024-03-04 10:00", location={"kecamatan": "Tegalsari"}
    )
    assert {m.id for m in matches} == set(ids)
    none, empty = index.candidate_features("taman kota", "2024-03-04 10:00")
    assert none == [] and empty.shape == (0, len(FEATURE_NAMES))


def test_replay_ranks_the_labelled_candidates() -> None:
    rep = replay(COMPLAINTS, PAIRS)
    assert rep.y.tolist() == [1, 0]
    ids, feats = rep.ranking["a3"]
    assert "a1" in ids
    similarity = FEATURE_NAMES.index("similarity")
    assert rep.X[0, similarity] > rep.X[1, similarity]  # the duplicate shares more words
    assert feats.shape == (len(ids), len(FEATURE_NAMES))


@pytest.mark.slow
def test_calibration_command_reads_any_table_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complaints = read_table(SAMPLES / "complaints_sample.csv")
    pairs = read_table(SAMPLES / "duplicate_pairs_sample.csv")
    assert (
        main([str(SAMPLES / "complaints_sample.csv"), str(SAMPLES / "duplicate_pairs_sample.csv"), "--quiet"])
        == 0
    )
    from_csv = json.loads(capsys.readouterr().out)
    write_table(complaints, tmp_path / "complaints.parquet")
    write_table(pairs, tmp_path / "pairs.xlsx")
    assert main([str(tmp_path / "complaints.parquet"), str(tmp_path / "pairs.xlsx"), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out) == from_csv
    assert from_csv["pairs"] == len(pairs)
