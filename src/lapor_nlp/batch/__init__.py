"""Batch work on Dask DataFrames: prediction, duplicate groups and report figures over big inputs.

Fit in one process, apply per partition (the dask-ml ``ParallelPostFit`` way). The in-process CLI path
and the Dask path call the same per-partition functions, so their results are identical::

    from lapor_nlp.batch import dask_client, predict_dask, read_dask
    with dask_client(workers=2) as client:                 # or dask_client("tcp://host:8786")
        out = predict_dask(read_dask("complaints/"), "models/default")
        out.to_parquet("predicted/")
        groups = find_groups_dask(read_dask("exports/*.csv"))  # region by region
        report = build_report(prepare_dask(read_dask("archive/")))  # lapor_nlp.insights.build_report

Needs the ``dask`` extra (``pip install lapor-nlp[dask]``); nothing here imports Dask until used.
"""

from __future__ import annotations

from lapor_nlp.batch.cluster import dask_client
from lapor_nlp.batch.duplicates import find_groups_by_region, find_groups_dask
from lapor_nlp.batch.io import read_dask, write_dask
from lapor_nlp.batch.models import get_router, load_count
from lapor_nlp.batch.predict import predict_dask, predict_frame, prediction_columns
from lapor_nlp.batch.report import prepare_dask

__all__ = [
    "dask_client",
    "find_groups_by_region",
    "find_groups_dask",
    "get_router",
    "load_count",
    "predict_dask",
    "predict_frame",
    "prediction_columns",
    "prepare_dask",
    "read_dask",
    "write_dask",
]
