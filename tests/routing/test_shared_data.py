"""Routing on the real third-party data in ../shared (slow; skipped where the data is missing)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp import Router
from lapor_nlp.routing.evaluation import evaluate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models" / "default"


@pytest.mark.slow
def test_surabaya_later_data_beats_chance_and_keeps_auto_precise(surabaya_csv: Path) -> None:
    df = pd.read_csv(surabaya_csv, dtype=str, keep_default_na=False)
    train = df[df.submitted_at < "2022-07-01"].iloc[::2]  # every other complaint of Jan-Jun: ~2,400 rows
    test = df[df.submitted_at >= "2022-10-01"].iloc[::3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        router = Router.train(
            train, text="text", targets=["agency"], location=["kecamatan", "kelurahan"], progress=False
        )
        m = evaluate(router, test)["agency"].metrics
    assert m["top1_accuracy"] >= 0.65 and m["top3_accuracy"] >= 0.8
    assert m["auto_share"] >= 0.2 and m["auto_precision"] >= 0.9
    roles = router.metadata["targets"]["agency"]["resolver"]["roles"]
    assert set(roles) == {"Kelurahan {kelurahan}", "Kecamatan {kecamatan}"}  # detected, not hard-coded


@pytest.mark.slow
def test_lapor_2013_already_stemmed_three_classes(shared_datasets: Path) -> None:
    path = shared_datasets / "lapor_2013_3class" / "complaints.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False).sample(n=4000, random_state=0)
    train, test = df.iloc[:3000], df.iloc[3000:]
    router = Router.train(train, text="text", targets=["category"], progress=False)
    m = evaluate(router, test)["category"].metrics
    assert m["top1_accuracy"] >= 0.95
    assert m["auto_share"] >= 0.7 and m["auto_precision"] >= 0.97


@pytest.mark.integration
def test_default_model_loads_and_routes() -> None:
    if not (DEFAULT_MODEL / "metadata.json").is_file():
        pytest.skip("models/default has not been trained")
    router = Router.load(DEFAULT_MODEL)
    assert router.targets == ("topic", "agency")
    assert router.location_columns == ("kecamatan", "kelurahan")
    s = router.predict(
        "lampu penerangan jalan umum mati sudah seminggu", location={"kelurahan": "Medokan Ayu"}
    )
    assert s["agency"].label == "Dinas Perhubungan" and s["topic"].label
    size = sum(p.stat().st_size for p in DEFAULT_MODEL.iterdir())
    assert size <= 25_000_000
    card = router.model_card
    assert "lapor-nlp train" in card and "complaints_2022.csv" in card and "one city" in card
    features = " ".join(router.featurizer.get_feature_names_out())
    assert not re.search(r"\d{6,}|@", features)
