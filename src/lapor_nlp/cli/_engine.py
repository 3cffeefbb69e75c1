"""`--engine/--workers/--scheduler`: the options shared by the commands that can run on Dask."""

from __future__ import annotations

import argparse
import os

#: Environment variable naming the default Dask scheduler address.
SCHEDULER_ENV = "LAPOR_NLP_DASK_SCHEDULER"


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine {local,dask}``, ``--workers N`` and ``--scheduler ADDR`` to ``parser``."""
    group = parser.add_argument_group("batch engine")
    group.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="local: in this process (default); dask: partitions on a Dask cluster",
    )
    group.add_argument(
        "--workers", type=int, default=2, help="worker processes of the local Dask cluster (2)"
    )
    group.add_argument(
        "--scheduler",
        default=os.environ.get(SCHEDULER_ENV) or None,
        help=f"address of a running Dask scheduler, e.g. tcp://host:8786 (default: ${SCHEDULER_ENV}; "
        "none: a local cluster of --workers processes)",
    )
