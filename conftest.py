"""Marks shared by both test trees (tests/ and service/tests/).

A test that uses a fixture giving it a trained router, the bundled model, a notebook kernel, a Dask
cluster or a running service process is marked ``integration``, so ``make test-fast`` can leave it out while
``make test`` runs it; the fixtures, not a list of test names, decide.
"""

from __future__ import annotations

import pytest

#: Fixtures whose tests need a model, a kernel, a Dask cluster or a server process.
INTEGRATION_FIXTURES = frozenset(
    {
        "trained_router",
        "saved_router",
        "shared_datasets",
        "surabaya_csv",
        "batch_model",  # tests/batch: trains a router
        "cli_model",  # tests/routing/test_cli.py: trains a router through the CLI
        "local_cluster",  # tests/batch: starts a Dask LocalCluster of worker processes
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
