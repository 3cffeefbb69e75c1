"""Saving and loading: round trip, integrity checks, atomic writes, no personal data in the vocabulary."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from skops.io import dumps

import lapor_nlp._files
from lapor_nlp import Router
from lapor_nlp.errors import ModelIntegrityError, ModelNotFoundError, ModelVersionError
from lapor_nlp.routing import persistence


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    return dst


def _rehash(model: Path, name: str) -> None:
    meta = json.loads((model / "metadata.json").read_text())
    meta["files"][name] = persistence._sha256((model / name).read_bytes())
    (model / "metadata.json").write_text(json.dumps(meta))


def test_save_load_round_trip_predicts_the_same(trained_router: Router, saved_router: Path) -> None:
    loaded = Router.load(saved_router)
    text = "lampu penerangan jalan mati sudah seminggu"
    assert loaded.predict(text) == trained_router.predict(text)
    assert (
        loaded.targets == trained_router.targets
        and loaded.location_columns == trained_router.location_columns
    )
    assert sorted(p.name for p in saved_router.iterdir()) == [
        "MODEL_CARD.md",
        "features.skops",
        "metadata.json",
        "target-0.skops",
        "target-1.skops",
    ]
    assert "# Model card" in loaded.model_card and "agency" in loaded.model_card
    assert loaded.metadata["files"]["features.skops"]


def test_load_missing_directory_or_file(saved_router: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="train one"):
        Router.load(tmp_path / "nowhere")
    model = _copy(saved_router, tmp_path)
    (model / "target-1.skops").unlink()
    with pytest.raises(ModelNotFoundError, match="target-1.skops"):
        Router.load(model)


def test_load_refuses_modified_file(saved_router: Path, tmp_path: Path) -> None:
    model = _copy(saved_router, tmp_path)
    data = bytearray((model / "target-0.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (model / "target-0.skops").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="modified"):
        Router.load(model)


def test_load_refuses_corrupt_file_even_with_matching_hash(saved_router: Path, tmp_path: Path) -> None:
    model = _copy(saved_router, tmp_path)
    (model / "features.skops").write_bytes(b"not a zip file at all")
    _rehash(model, "features.skops")
    with pytest.raises(ModelIntegrityError, match="not a readable skops file"):
        Router.load(model)


def test_load_refuses_foreign_types_without_running_them(saved_router: Path, tmp_path: Path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    model = _copy(saved_router, tmp_path)
    (model / "target-0.skops").write_bytes(dumps(Pipeline([("f", FunctionTransformer(print))])))
    _rehash(model, "target-0.skops")
    with pytest.raises(ModelIntegrityError, match="trusted list"):
        Router.load(model)


def test_load_refuses_corrupt_metadata(saved_router: Path, tmp_path: Path) -> None:
    model = _copy(saved_router, tmp_path)
    (model / "metadata.json").write_text("{not json")
    with pytest.raises(ModelIntegrityError, match="metadata.json"):
        Router.load(model)


def test_load_other_sklearn_version_warns_or_refuses(saved_router: Path, tmp_path: Path) -> None:
    model = _copy(saved_router, tmp_path)
    meta = json.loads((model / "metadata.json").read_text())
    major, minor, *_ = meta["sklearn_version"].split(".")
    meta["sklearn_version"] = f"{major}.{int(minor) + 1}.0"
    (model / "metadata.json").write_text(json.dumps(meta))
    with pytest.warns(persistence.ModelVersionWarning, match="scikit-learn"):
        Router.load(model)
    meta["sklearn_version"] = "0.24.2"
    (model / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelVersionError, match="retrain"):
        Router.load(model)


def test_save_replaces_directory_atomically(trained_router: Router, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "model"
    trained_router.save(target)
    before = (target / "metadata.json").read_text()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(lapor_nlp._files.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        trained_router.save(target)
    monkeypatch.undo()
    assert (target / "metadata.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temp dir left behind


def test_vocabulary_holds_no_personal_data(complaints: pd.DataFrame) -> None:
    df = complaints.copy()
    pii = [
        "NIK 3578012345678901",
        "hubungi 0812-3456-7890",
        "email budi.santoso@example.com",
        "nik=3578 0123 4567 8901",
        "wa +62 812 3456 7890",
    ]
    for i, extra in enumerate(pii * 4):
        df.loc[i, "text"] = f"{df.loc[i, 'text']} {extra}"
    router = Router.train(df, text="text", targets=["agency"], progress=False)
    features = list(router.featurizer.get_feature_names_out())
    joined = " ".join(features)
    assert not re.search(r"\d{6,}", joined)
    assert "@" not in joined and "example" not in joined and "santoso" not in joined
    assert not any(re.fullmatch(r"[wc]:0?8\d{2,}", f) for f in features)
