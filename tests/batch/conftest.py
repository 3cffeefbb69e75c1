"""Fixtures for the Dask batch tests: a small trained router on disk and one 2-process LocalCluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from tests.routing.conftest import make_complaints

pytest.importorskip("distributed", reason="the Dask engine needs the [dask] extra (dask, distributed)")


@pytest.fixture(scope="session")
def batch_complaints() -> pd.DataFrame:
    return make_complaints()


@pytest.fixture(scope="session")
def batch_model(batch_complaints: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lapor_nlp import Router

    router = Router.train(
        batch_complaints,
        text="text",
        targets=["topic", "agency"],
        location=["kecamatan", "kelurahan"],
        progress=False,
        min_auto_count=5,
    )
    path = tmp_path_factory.mktemp("batch") / "model"
    router.save(path)
    return path


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[object]:
    """A LocalCluster of 2 worker processes (one thread each), shared by the tests of this package."""
    from lapor_nlp.batch import dask_client

    with dask_client(workers=2) as c:
        yield c
