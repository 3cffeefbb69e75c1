"""Prediction on Dask equals the in-process path, and each worker loads the model once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp.batch import load_count, predict_dask, predict_frame, prediction_columns, read_dask
from lapor_nlp.batch.models import get_router
from lapor_nlp.errors import DataFormatError, InputError


def test_predict_dask_equals_in_process_row_for_row(
    local_cluster, batch_model: Path, batch_complaints
) -> None:
    import dask.dataframe as dd

    df = batch_complaints.drop(columns=["topic", "agency"])
    local = predict_frame(get_router(batch_model), df)
    remote = predict_dask(dd.from_pandas(df, npartitions=5), batch_model).compute()
    assert len(remote) == len(df) == 96
    assert remote["id"].tolist() == df["id"].tolist()
    for target in ("topic", "agency"):
        assert remote[f"{target}_pred"].tolist() == local[f"{target}_pred"].tolist()
        assert remote[f"{target}_score"].tolist() == local[f"{target}_score"].tolist()
    pd.testing.assert_frame_equal(remote, local)
    assert set(local[["topic_pred"]].iloc[:, 0]) >= {"PJU", "Sampah"}


def test_predict_dask_loads_the_model_once_per_worker(
    local_cluster, batch_model: Path, tmp_path, batch_complaints
):
    import dask.dataframe as dd

    model = tmp_path / "copy"  # a new path: a new cache key, so these loads start from zero
    shutil.copytree(batch_model, model)
    before = local_cluster.run(load_count)
    df = pd.concat([batch_complaints] * 3, ignore_index=True)
    out = predict_dask(dd.from_pandas(df, npartitions=12), model).compute()
    assert len(out) == len(df)
    loads = {w: n - before[w] for w, n in local_cluster.run(load_count).items()}
    assert len(loads) == 2
    assert all(n <= 1 for n in loads.values()), loads  # 12 partitions, at most one load per worker
    assert sum(loads.values()) >= 1


def test_predict_frame_keeps_rows_order_and_dtypes(batch_model: Path, batch_complaints) -> None:
    df = batch_complaints.head(10).assign(n=range(10), weight=[0.5] * 10).iloc[::-1]
    out = predict_frame(get_router(batch_model), df, top_k=2)
    assert out.index.tolist() == df.index.tolist()
    assert out.dtypes[list(df.columns)].to_dict() == df.dtypes.to_dict()
    assert list(out.columns[len(df.columns) :]) == list(prediction_columns(["topic", "agency"]))
    assert out["topic_score"].dtype == "float64"
    assert all(len(pd.io.json.ujson_loads(v)) == 2 for v in out["topic_topk"])


def test_predict_frame_on_an_empty_frame_has_the_meta_dtypes(batch_model: Path, batch_complaints) -> None:
    out = predict_frame(get_router(batch_model), batch_complaints.head(0))
    assert len(out) == 0
    assert {c: str(out[c].dtype) for c in prediction_columns(["topic"])} == {
        "topic_pred": str(pd.Series([], dtype="str").dtype),
        "topic_score": "float64",
        "topic_topk": str(pd.Series([], dtype="str").dtype),
        "topic_decision": str(pd.Series([], dtype="str").dtype),
        "decision": str(pd.Series([], dtype="str").dtype),
    }


def test_predict_frame_decision_follows_the_routing_targets(batch_model: Path, batch_complaints) -> None:
    df = batch_complaints.head(40)
    router = get_router(batch_model)
    default = predict_frame(router, df)
    assert (default["decision"] == default["agency_decision"]).all()  # the agency alone routes
    both = predict_frame(router, df, routing_targets=["topic", "agency"])
    expected = [
        "auto" if a == t == "auto" else "review"
        for a, t in zip(both["agency_decision"], both["topic_decision"], strict=True)
    ]
    assert both["decision"].tolist() == expected
    assert predict_frame(router, df, routing_targets="topic,agency")["decision"].tolist() == expected
    with pytest.raises(InputError, match="routing targets"):
        predict_frame(router, df, routing_targets=["category"])


def test_predict_dask_checks_the_text_column_before_running(batch_model: Path, batch_complaints) -> None:
    import dask.dataframe as dd

    ddf = dd.from_pandas(batch_complaints.rename(columns={"text": "isi"}), npartitions=2)
    with pytest.raises(DataFormatError, match="text column 'text' not found"):
        predict_dask(ddf, batch_model)
    with pytest.raises(InputError, match="already has columns"):
        predict_dask(dd.from_pandas(batch_complaints.assign(topic_pred="x"), npartitions=2), batch_model)


def test_read_dask_parts_and_globs(tmp_path: Path, batch_complaints) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    for i in range(3):
        batch_complaints.iloc[i * 32 : (i + 1) * 32].to_parquet(parts / f"part-{i:05d}.parquet", index=False)
        batch_complaints.iloc[i * 32 : (i + 1) * 32].to_csv(tmp_path / f"export-{i}.csv", index=False)
    ddf = read_dask(parts)
    assert ddf.npartitions == 3
    pd.testing.assert_frame_equal(ddf.compute().reset_index(drop=True), batch_complaints)
    from_csv = read_dask(str(tmp_path / "export-*.csv"), min_partitions=6)
    assert from_csv.npartitions == 6
    assert from_csv.compute()["id"].tolist() == batch_complaints["id"].tolist()
    with pytest.raises(DataFormatError, match="matches no file"):
        read_dask(str(tmp_path / "nothing-*.csv"))


def test_predict_dask_without_a_model_says_so(tmp_path: Path, batch_complaints) -> None:
    import dask.dataframe as dd

    from lapor_nlp.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="no model at"):
        predict_dask(dd.from_pandas(batch_complaints, npartitions=2), tmp_path / "missing")


def test_write_dask_replaces_only_a_directory_of_parts(tmp_path: Path, batch_complaints) -> None:
    import dask.dataframe as dd

    from lapor_nlp.batch import write_dask

    ddf = dd.from_pandas(batch_complaints, npartitions=3)
    out = tmp_path / "out"
    assert write_dask(ddf, out) == 96
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.parquet" for i in range(3)]
    assert write_dask(ddf.head(10, compute=False), out) == 10  # parts only: replaced
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(DataFormatError, match="more than Parquet parts"):
        write_dask(ddf, out)
    assert (out / "notes.txt").read_text() == "keep me"
    assert write_dask(ddf, tmp_path / "all.csv") == 96
    assert read_dask(tmp_path / "all.csv").compute()["id"].tolist() == batch_complaints["id"].tolist()


def test_read_dask_xlsx_glob_with_a_sheet(tmp_path: Path, batch_complaints) -> None:
    for i in range(2):
        with pd.ExcelWriter(tmp_path / f"export-{i}.xlsx") as writer:
            pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="cover", index=False)
            batch_complaints.iloc[i::2].to_excel(writer, sheet_name="data", index=False)
    ddf = read_dask(str(tmp_path / "export-*.xlsx"), sheet="data")
    assert ddf.npartitions == 2
    out = ddf.compute()
    assert len(out) == 96 and set(out["id"].astype(str)) == set(batch_complaints["id"])
