"""`lapor-nlp train|predict|evaluate` end to end on the hand-written corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp.cli import main


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory, complaints: pd.DataFrame) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("cli")
    data = tmp / "train.csv"
    # a semicolon-separated cp1252 export, as spreadsheets write it
    complaints.assign(text=complaints.text + " café").to_csv(data, sep=";", index=False, encoding="cp1252")
    out = tmp / "model"
    code = main(
        [
            "train",
            str(data),
            "--text-column",
            "text",
            "--target",
            "topic",
            "--target",
            "agency",
            "--location-column",
            "kecamatan",
            "--location-column",
            "kelurahan",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    return out, tmp


def test_cli_train_writes_model_dir_with_card(cli_model: tuple[Path, Path]) -> None:
    out, _ = cli_model
    card = (out / "MODEL_CARD.md").read_text()
    assert "lapor-nlp train" in card and "--location-column kelurahan" in card
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["command"].startswith("lapor-nlp train") and meta["location_columns"] == [
        "kecamatan",
        "kelurahan",
    ]


def test_cli_predict_adds_columns(cli_model: tuple[Path, Path], complaints: pd.DataFrame) -> None:
    out, tmp = cli_model
    inp = tmp / "in.csv"
    complaints.drop(columns=["topic", "agency", "kecamatan"]).head(8).to_csv(inp, index=False)
    pred = tmp / "pred.csv"
    assert main(["predict", str(out), str(inp), "--output", str(pred), "--top-k", "2", "--quiet"]) == 0
    df = pd.read_csv(pred, dtype=str, keep_default_na=False)
    for target in ("topic", "agency"):
        assert {f"{target}_pred", f"{target}_score", f"{target}_topk", f"{target}_decision"} <= set(
            df.columns
        )
        topk = json.loads(df[f"{target}_topk"][0])
        assert len(topk) == 2 and topk[0][0] == df[f"{target}_pred"][0]
        assert set(df[f"{target}_decision"]) <= {"auto", "review"}
    assert list(df.columns[:4]) == ["id", "text", "submitted_at", "kelurahan"]
    assert (df.agency_pred.str.startswith("Kelurahan ") & ~df.agency_pred.str.contains("{")).any()


def test_cli_predict_text_column_override(cli_model: tuple[Path, Path], complaints: pd.DataFrame) -> None:
    out, tmp = cli_model
    inp = tmp / "renamed.csv"
    complaints.rename(columns={"text": "isi"}).head(3).to_csv(inp, index=False)
    pred = tmp / "renamed_pred.csv"
    assert main(["predict", str(out), str(inp), "--output", str(pred), "--quiet"]) == 2
    assert not pred.exists()
    assert (
        main(["predict", str(out), str(inp), "--output", str(pred), "--text-column", "isi", "--quiet"]) == 0
    )
    assert len(pd.read_csv(pred)) == 3


def test_cli_evaluate_writes_report(cli_model: tuple[Path, Path], complaints: pd.DataFrame) -> None:
    out, tmp = cli_model
    test = tmp / "test.csv"
    complaints.head(40).to_csv(test, index=False, sep="\t")
    report = tmp / "report"
    assert main(["evaluate", str(out), str(test), "--report", str(report), "--quiet"]) == 0
    metrics = json.loads((report / "metrics.json").read_text())["targets"]
    assert metrics["agency"]["top1_accuracy"] > 0.9
    assert "label_noise" in metrics["agency"] and "macro_f1_classes_ge20" in metrics["topic"]
    md = (report / "report.md").read_text()
    for name in ("confusion", "reliability", "precision_coverage", "per_class"):
        assert (report / f"agency_{name}.png").stat().st_size > 5000
        assert f"agency_{name}.png" in md


def test_cli_evaluate_unknown_labels(cli_model: tuple[Path, Path], complaints: pd.DataFrame, capsys) -> None:  # type: ignore[no-untyped-def]
    out, tmp = cli_model
    test = tmp / "unknown.csv"
    df = complaints.head(20).copy()
    df.loc[:2, "topic"] = "Topik Baru"
    df.to_csv(test, index=False)
    assert main(["evaluate", str(out), str(test), "--report", str(tmp / "r2")]) == 0
    assert "unknown to the model" in capsys.readouterr().err
    df["agency"] = "Instansi Lain"
    df.to_csv(test, index=False)
    assert main(["evaluate", str(out), str(test), "--report", str(tmp / "r3"), "--quiet"]) == 2
    assert "none of the" in capsys.readouterr().err


def test_cli_train_errors_are_clear(tmp_path: Path, complaints: pd.DataFrame, capsys) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d.csv"
    complaints.to_csv(data, index=False)
    out = tmp_path / "m"
    assert (
        main(
            ["train", str(data), "--text-column", "teks", "--target", "agency", "--out", str(out), "--quiet"]
        )
        == 2
    )
    assert "did you mean 'text'" in capsys.readouterr().err
    assert not out.exists()
    assert (
        main(
            [
                "train",
                str(tmp_path / "missing.csv"),
                "--text-column",
                "text",
                "--target",
                "agency",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 2
    )
    assert "no such file" in capsys.readouterr().err
    assert main(["predict", str(tmp_path / "nomodel"), str(data), "--output", str(tmp_path / "o.csv")]) == 2
    assert "train one" in capsys.readouterr().err
