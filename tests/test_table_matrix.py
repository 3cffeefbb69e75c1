"""Every table-reading command on every kind of input a user really has (issue 11).

Each input is rewritten at test time (in tmp_path, never committed) from ``datasets/samples/`` (always
runs) or from the shared Surabaya 2022 export (skips when ``../shared/datasets`` is missing): as TSV,
XLSX (first sheet and a named ``--sheet``), Parquet with Arrow dtypes, JSON Lines, a directory of Parquet
parts, day-first dates, extra columns, shuffled columns, an all-empty optional column and labels with
stray spaces. December 2022 is the held-out month: it is only run end to end, nothing is tuned on it.
Every run ends in output (exit 0) or a one-line error (exit 2), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lapor_nlp.cli import main
from lapor_nlp.tables import read_table, write_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "datasets" / "samples" / "complaints_sample.csv"
DATES = ("submitted_at", "responded_at")
TRAIN_ARGS = ["--text-column", "text", "--target", "topic", "--target", "agency"]
LOCATION_ARGS = ["--location-column", "kecamatan", "--location-column", "kelurahan"]


def _as_datetimes(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in DATES:
        out[column] = pd.to_datetime(out[column].replace("", None), format="ISO8601")
    return out


def _day_first(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in DATES:
        out[column] = pd.to_datetime(out[column].replace("", None), format="ISO8601").dt.strftime(
            "%d/%m/%Y %H:%M"
        )
        out[column] = out[column].fillna("")
    return out


def _stray_labels(df: pd.DataFrame) -> pd.DataFrame:
    odd = np.arange(len(df)) % 2 == 1
    return df.assign(
        topic=np.where(odd, df["topic"] + " ", df["topic"]),
        agency=np.where(odd, "  " + df["agency"], df["agency"]),
    )


def _write_plain(suffix: str) -> Callable[[pd.DataFrame, Path], tuple[Path, list[str]]]:
    def write(df: pd.DataFrame, directory: Path) -> tuple[Path, list[str]]:
        path = directory / f"export{suffix}"
        write_table(df, path)
        return path, []

    return write


def _xlsx_sheet(df: pd.DataFrame, directory: Path) -> tuple[Path, list[str]]:
    path = directory / "export.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"catatan": ["data ada di lembar 'Data'"]}).to_excel(
            writer, sheet_name="Catatan", index=False
        )
        _as_datetimes(df).to_excel(writer, sheet_name="Data", index=False)
    return path, ["--sheet", "Data"]


def _parquet_arrow(df: pd.DataFrame, directory: Path) -> tuple[Path, list[str]]:
    path = directory / "export.parquet"
    write_table(_as_datetimes(df).convert_dtypes(dtype_backend="pyarrow"), path)
    return path, []


def _parts(df: pd.DataFrame, directory: Path) -> tuple[Path, list[str]]:
    parts = directory / "parts"
    parts.mkdir()
    half = len(df) // 2
    df.iloc[:half].to_parquet(parts / "part-00000.parquet")
    df.iloc[half:].to_parquet(parts / "part-00001.parquet")
    return parts, []


def _with(
    change: Callable[[pd.DataFrame], pd.DataFrame], suffix: str = ".csv"
) -> Callable[..., tuple[Path, list[str]]]:
    def write(df: pd.DataFrame, directory: Path) -> tuple[Path, list[str]]:
        return _write_plain(suffix)(change(df), directory)

    return write


VARIANTS: dict[str, Callable[[pd.DataFrame, Path], tuple[Path, list[str]]]] = {
    "csv": _write_plain(".csv"),
    "tsv": _write_plain(".tsv"),
    "xlsx": _with(_as_datetimes, ".xlsx"),
    "xlsx-sheet": _xlsx_sheet,
    "parquet-arrow": _parquet_arrow,
    "jsonl": _write_plain(".jsonl"),
    "parquet-parts": _parts,
    "day-first": _with(_day_first),
    "extra-columns": _with(lambda df: df.assign(status="selesai", saluran="web", catatan_petugas="")),
    "shuffled-columns": _with(lambda df: df[list(np.random.default_rng(0).permutation(df.columns))]),
    "empty-optional": _with(lambda df: df.assign(kelurahan="")),
    "stray-labels": _with(_stray_labels, ".xlsx"),
}
# Report/evaluate draw PNGs (seconds each): only the slow suite runs them on the variants (the fast
# one covers the report in tests/insights); list a variant here to run it in the fast suite too.
FAST_REPORT: tuple[str, ...] = ()


def _params(names: tuple[str, ...] | list[str], slow_others: bool) -> list[object]:
    return [
        pytest.param(
            name, marks=[] if not slow_others or name in FAST_REPORT else [pytest.mark.slow], id=name
        )
        for name in names
    ]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; a traceback would escape as an exception and fail the test."""
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# -- sources -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def samples() -> pd.DataFrame:
    return read_table(SAMPLES)


@pytest.fixture(scope="module")
def samples_model(samples: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A router trained once on the sample CSV (a few seconds), for predict/evaluate on every variant."""
    from lapor_nlp import Router

    router = Router.train(
        samples, text="text", targets=["topic", "agency"], location=["kecamatan", "kelurahan"], progress=False
    )
    return router.save(tmp_path_factory.mktemp("matrix") / "model")


@pytest.fixture(scope="module")
def shared_slice(surabaya_csv: Path) -> pd.DataFrame:
    """300 complaints of October 2022 (not the held-out December)."""
    df = read_table(surabaya_csv)
    october = df[df["submitted_at"].str.startswith("2022-10")]
    return october.iloc[::2].head(300).reset_index(drop=True)


@pytest.fixture(scope="module")
def shared_model(shared_slice: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lapor_nlp import Router

    router = Router.train(shared_slice, text="text", targets=["topic", "agency"], progress=False)
    return router.save(tmp_path_factory.mktemp("matrix") / "shared-model")


def _check_report(out: Path, n_rows: int) -> None:
    assert (out / "report.html").stat().st_size > 1000
    assert int(pd.read_csv(out / "volume_weekly.csv")["complaints"].sum()) == n_rows  # every date was read
    quality = pd.read_csv(out / "data_quality.csv").set_index("column")["unparseable_dates"]
    assert int(quality["submitted_at"]) == 0


def _report(df: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, extra = VARIANTS[variant](df, tmp_path)
    code, _, err = run(["report", str(path), *extra, "--out", str(tmp_path / "report"), "--quiet"], capsys)
    assert code == 0, err
    _check_report(tmp_path / "report", len(df))


_GROUPS: dict[int, pd.DataFrame] = {}


def _reference_groups(df: pd.DataFrame) -> pd.DataFrame:
    """Duplicate groups of the plain frame (computed once per source)."""
    from lapor_nlp.duplicates.batch import find_groups

    key = int(pd.util.hash_pandas_object(df).sum())
    if key not in _GROUPS:
        _GROUPS[key] = find_groups(df)[0]
    return _GROUPS[key]


def _duplicates(df: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, extra = VARIANTS[variant](df, tmp_path)
    want = _reference_groups(df)
    suffix = path.suffix if path.suffix else ".parquet"
    output = tmp_path / f"groups{suffix}"
    code, _, err = run(["duplicates", str(path), *extra, "--output", str(output), "--quiet"], capsys)
    assert code == 0, err
    got = read_table(output)
    assert list(got.columns) == ["group", "id", "duplicate_of", "score", "evidence"]
    if variant != "empty-optional":  # without kelurahan the location evidence differs
        assert sorted(got["id"].astype(str)) == sorted(want["id"])


def _predict(
    df: pd.DataFrame, model: Path, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, extra = VARIANTS[variant](df, tmp_path)
    suffix = ".parquet" if path.is_dir() else path.suffix
    output = tmp_path / f"predicted{suffix}"
    code, _, err = run(["predict", str(model), str(path), *extra, "--output", str(output), "--quiet"], capsys)
    assert code == 0, err
    got = read_table(output)
    assert len(got) == len(df)
    assert set(df.columns) | {"topic_pred", "topic_score", "agency_decision"} <= set(got.columns)
    if (model.parent / "reference.parquet").exists():
        reference = pd.read_parquet(model.parent / "reference.parquet")
        by_id = dict(zip(reference["id"].astype(str), reference["topic_pred"], strict=True))
        assert [by_id[str(i)] for i in got["id"]] == got["topic_pred"].tolist()


def _evaluate(
    df: pd.DataFrame, model: Path, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, dict[str, float]]:
    path, extra = VARIANTS[variant](df, tmp_path)
    report = tmp_path / "evaluation"
    code, _, err = run(
        ["evaluate", str(model), str(path), *extra, "--report", str(report), "--quiet"], capsys
    )
    assert code == 0, err
    metrics: dict[str, dict[str, float]] = json.loads((report / "metrics.json").read_text())["targets"]
    assert metrics["topic"]["n"] > 0
    return metrics


def _train(
    df: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], location: bool
) -> dict:
    path, extra = VARIANTS[variant](df, tmp_path)
    model = tmp_path / "model"
    args = [
        "train",
        str(path),
        *extra,
        *TRAIN_ARGS,
        *(LOCATION_ARGS if location else []),
        "--out",
        str(model),
    ]
    code, out, err = run(args, capsys)
    assert code == 0, err
    metadata: dict = json.loads((model / "metadata.json").read_text())
    assert metadata["data"]["date_range"]["unparsed"] == 0
    labels = set(metadata["targets"]["topic"]["labels"])
    assert labels and all(label == label.strip() for label in labels)
    if variant == "stray-labels":
        changed = metadata["targets"]["topic"]["normalised_labels"]
        assert changed and all(raw.strip() == c["to"] for raw, c in changed.items())
        assert "normalised" in out and "stray spaces" in (model / "MODEL_CARD.md").read_text()
    else:
        assert metadata["targets"]["topic"]["normalised_labels"] == {}
    return metadata


# -- the samples (always run) ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def samples_reference(samples_model: Path, samples: pd.DataFrame) -> Path:
    from lapor_nlp import Router

    router = Router.load(samples_model)
    suggestions = router.predict(samples, explain=False)
    pd.DataFrame({"id": samples["id"], "topic_pred": [s["topic"].label for s in suggestions]}).to_parquet(
        samples_model.parent / "reference.parquet"
    )
    return samples_model


@pytest.mark.parametrize("variant", _params(list(VARIANTS), slow_others=True))
def test_samples_report(
    samples: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _report(samples, variant, tmp_path, capsys)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_samples_duplicates(
    samples: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _duplicates(samples, variant, tmp_path, capsys)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_samples_predict(
    samples: pd.DataFrame,
    samples_reference: Path,
    variant: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _predict(samples, samples_reference, variant, tmp_path, capsys)


@pytest.mark.parametrize("variant", _params(list(VARIANTS), slow_others=True))
def test_samples_evaluate(
    samples: pd.DataFrame,
    samples_model: Path,
    variant: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics = _evaluate(samples, samples_model, variant, tmp_path, capsys)
    assert metrics["topic"]["top1_accuracy"] > 0.8  # the model saw these rows: labels must match as written
    odd_labelled = (np.arange(len(samples)) % 2 == 1) & samples["topic"].ne("").to_numpy()
    expected = int(odd_labelled.sum()) if variant == "stray-labels" else 0
    assert metrics["topic"]["normalised_label_rows"] == expected


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_samples_train(
    samples: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _train(samples, variant, tmp_path, capsys, location=True)


# -- one-line errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["report", "{xlsx}", "--sheet", "Nope", "--out", "{tmp}/r"], "no sheet named 'Nope'"),
        (["duplicates", "{docx}", "--output", "{tmp}/g.csv"], "unknown table format '.docx'"),
        (["duplicates", "{xlsx}", "--output", "{tmp}/g.docx"], "cannot write a '.docx' file"),
        (["predict", "{model}", "{notext}", "--output", "{tmp}/p.csv"], "text column 'text' not found"),
        (["evaluate", "{model}", "{badjson}", "--report", "{tmp}/e"], "not valid JSON Lines"),
        (["train", "{csv}", "--sheet", "Data", *TRAIN_ARGS, "--out", "{tmp}/m"], ".xlsx workbooks only"),
        (["report", "{tmp}/nothing/*.xlsx", "--out", "{tmp}/r"], "matches no file"),
    ],
    ids=[
        "report-sheet",
        "duplicates-format",
        "duplicates-output",
        "predict-columns",
        "evaluate-jsonl",
        "train-sheet",
        "report-glob",
    ],
)
def test_errors_are_one_line(
    samples: pd.DataFrame,
    samples_model: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    message: str,
) -> None:
    write_table(samples.head(20), tmp_path / "s.xlsx")
    write_table(samples.head(20), tmp_path / "s.csv")
    write_table(samples.head(20).drop(columns="text"), tmp_path / "notext.parquet")
    (tmp_path / "s.docx").write_text("x")
    (tmp_path / "bad.jsonl").write_text('{"text": "jalan rusak"\n')
    names = {
        "xlsx": tmp_path / "s.xlsx",
        "csv": tmp_path / "s.csv",
        "docx": tmp_path / "s.docx",
        "notext": tmp_path / "notext.parquet",
        "badjson": tmp_path / "bad.jsonl",
        "model": samples_model,
        "tmp": tmp_path,
    }
    code, _, err = run([part.format(**names) for part in command], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"lapor-nlp {command[0]}: error:")
    assert message in err


# -- the shared 2022 export (skips without ../shared/datasets) -----------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_shared_report_and_duplicates(
    shared_slice: pd.DataFrame, variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "d").mkdir()
    _report(shared_slice, variant, tmp_path / "r", capsys)
    _duplicates(shared_slice, variant, tmp_path / "d", capsys)


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_shared_train_predict_evaluate(
    shared_slice: pd.DataFrame,
    shared_model: Path,
    variant: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for step in ("t", "p", "e"):
        (tmp_path / step).mkdir()
    _train(shared_slice, variant, tmp_path / "t", capsys, location=variant != "empty-optional")
    _predict(shared_slice, shared_model, variant, tmp_path / "p", capsys)
    metrics = _evaluate(shared_slice, shared_model, variant, tmp_path / "e", capsys)
    assert metrics["topic"]["unknown_label_share"] < 0.5


# -- the held-out month: end to end only ---------------------------------------------------------------
@pytest.fixture(scope="module")
def december(surabaya_csv: Path) -> pd.DataFrame:
    df = read_table(surabaya_csv)
    return df[df["submitted_at"].str.startswith("2022-12")].reset_index(drop=True)


@pytest.mark.slow
def test_held_out_month_end_to_end(
    surabaya_csv: Path, december: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    df = read_table(surabaya_csv)
    earlier = df[df["submitted_at"].str[:7].isin(["2022-09", "2022-10", "2022-11"])].iloc[::3]
    write_table(earlier, tmp_path / "train.parquet")
    write_table(_as_datetimes(december), tmp_path / "december.xlsx")
    dec = str(tmp_path / "december.xlsx")

    assert run(["report", dec, "--out", str(tmp_path / "report"), "--quiet"], capsys)[0] == 0
    _check_report(tmp_path / "report", len(december))
    assert run(["duplicates", dec, "--output", str(tmp_path / "groups.parquet"), "--quiet"], capsys)[0] == 0
    assert set(read_table(tmp_path / "groups.parquet").columns) >= {"group", "id", "duplicate_of"}
    model = str(tmp_path / "model")
    assert (
        run(
            [
                "train",
                str(tmp_path / "train.parquet"),
                *TRAIN_ARGS,
                *LOCATION_ARGS,
                "--out",
                model,
                "--quiet",
            ],
            capsys,
        )[0]
        == 0
    )
    assert run(["predict", model, dec, "--output", str(tmp_path / "pred.jsonl"), "--quiet"], capsys)[0] == 0
    assert len(read_table(tmp_path / "pred.jsonl")) == len(december)
    assert run(["evaluate", model, dec, "--report", str(tmp_path / "eval"), "--quiet"], capsys)[0] == 0
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())["targets"]
    assert metrics["topic"]["n"] > 0 and 0 <= metrics["topic"]["top1_accuracy"] <= 1
