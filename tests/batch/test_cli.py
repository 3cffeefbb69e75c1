"""`--engine dask` on the command line: the issue's exact predict commands, errors on one line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp.cli import main
from lapor_nlp.tables import read_table

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models" / "default"


def _parquet_parts(frame: pd.DataFrame, directory: Path, parts: int) -> Path:
    directory.mkdir()
    size = -(-len(frame) // parts)
    for i in range(parts):
        frame.iloc[i * size : (i + 1) * size].to_parquet(directory / f"part-{i:05d}.parquet", index=False)
    return directory


@pytest.mark.slow
def test_cli_predict_parquet_directory_local_and_dask_agree(
    tmp_path: Path, batch_complaints: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (DEFAULT_MODEL / "metadata.json").is_file():
        pytest.skip(f"no bundled model at {DEFAULT_MODEL}")
    frame = batch_complaints.drop(columns=["topic", "agency"]).assign(
        n=range(len(batch_complaints)), weight=[i / 7 for i in range(len(batch_complaints))]
    )
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    in_dir = _parquet_parts(frame, tmp_path / "in", 3)
    local_dir, dask_dir = tmp_path / "out-local", tmp_path / "out-dask"
    model = str(DEFAULT_MODEL.relative_to(ROOT)) if Path.cwd() == ROOT else str(DEFAULT_MODEL)
    assert main(["predict", model, str(in_dir), "--output", str(local_dir)]) == 0
    assert (
        main(["predict", model, str(in_dir), "--output", str(dask_dir), "--engine", "dask", "--workers", "2"])
        == 0
    )
    assert "96 rows written" in capsys.readouterr().err
    assert local_dir.is_dir() and dask_dir.is_dir()
    assert sorted(p.name for p in dask_dir.iterdir())[0] == "part-00000.parquet"
    local, remote = read_table(local_dir), read_table(dask_dir)
    pd.testing.assert_frame_equal(remote, local)
    assert remote["id"].tolist() == frame["id"].tolist()  # same rows, same order
    assert remote[list(frame.columns)].dtypes.to_dict() == frame.dtypes.to_dict()
    metadata = read_table(local_dir).columns
    for target in ("topic", "agency"):
        assert {f"{target}_{s}" for s in ("pred", "score", "topk", "decision")} <= set(metadata)
    assert remote["topic_score"].between(0, 1).all()


@pytest.mark.slow
def test_cli_bad_scheduler_is_a_one_line_error(
    tmp_path: Path, batch_model: Path, batch_complaints: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    in_dir = _parquet_parts(batch_complaints, tmp_path / "in", 2)
    argv = ["predict", str(batch_model), str(in_dir), "--output", str(tmp_path / "out"), "--engine", "dask"]
    assert main([*argv, "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lapor-nlp predict: error: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'")
    assert "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_scheduler_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from lapor_nlp.cli import build_parser

    monkeypatch.setenv("LAPOR_NLP_DASK_SCHEDULER", "tcp://scheduler.example:8786")
    args = build_parser().parse_args(["duplicates", "x.csv", "-o", "g.csv", "--engine", "dask"])
    assert (args.engine, args.scheduler, args.workers) == ("dask", "tcp://scheduler.example:8786", 2)
    args = build_parser().parse_args(["predict", "m", "x", "--output", "o", "--scheduler", "tcp://h:1"])
    assert (args.engine, args.scheduler) == ("local", "tcp://h:1")


@pytest.mark.slow
def test_cli_duplicates_on_dask_reads_a_csv_glob(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.batch.test_duplicates import make_export

    from lapor_nlp.batch.duplicates import find_groups_by_region

    export = make_export()
    for i in range(2):
        export.iloc[i::2].to_csv(tmp_path / f"export-{i}.csv", index=False)
    out = tmp_path / "groups.csv"
    pattern = str(tmp_path / "export-*.csv")
    argv = ["duplicates", pattern, "-o", str(out), "--engine", "dask", "--workers", "2"]
    assert main(argv) == 0
    groups = read_table(out)
    expected = find_groups_by_region(read_table(pattern))
    assert groups["id"].tolist() == expected["id"].tolist()
    assert groups["group"].astype(int).tolist() == expected["group"].tolist()
    assert main([*argv, "--index", str(tmp_path / "i.npz")]) == 2
    assert "--index needs --engine local" in capsys.readouterr().err
