"""Quality floor on the Surabaya dev pairs (third-party data, read from ../shared; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lapor_nlp.duplicates.calibration import cross_validate, pair_metrics, recall_at_k, replay
from lapor_nlp.duplicates.scorer import default_scorer


@pytest.fixture(scope="module")
def dev_replay(shared_datasets: Path):  # type: ignore[no-untyped-def]
    base = shared_datasets / "surabaya"
    pairs_csv = base / "duplicate_pairs_dev.csv"
    if not pairs_csv.is_file():
        pytest.skip(f"{pairs_csv} not found")
    return replay(pd.read_csv(base / "complaints_2022.csv"), pd.read_csv(pairs_csv))


@pytest.mark.slow
def test_default_scorer_on_dev_pairs(dev_replay) -> None:  # type: ignore[no-untyped-def]
    scorer = default_scorer()
    m = pair_metrics(scorer.predict_proba(dev_replay.X), dev_replay.y, scorer.threshold)
    assert m["f1"] >= 0.80 and m["roc_auc"] >= 0.90
    assert recall_at_k(dev_replay, scorer, np.arange(len(dev_replay.y))) >= 0.95


@pytest.mark.slow
def test_cross_validated_quality_floor(dev_replay) -> None:  # type: ignore[no-untyped-def]
    cv = cross_validate(dev_replay, repeats=1)
    assert cv["f1"] >= 0.78 and cv["roc_auc"] >= 0.88 and cv["recall_at_5"] >= 0.95
