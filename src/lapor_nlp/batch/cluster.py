"""A ``dask.distributed`` client: an existing scheduler by address, or a LocalCluster of processes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lapor_nlp.errors import ClusterError, InputError

if TYPE_CHECKING:
    from distributed import Client


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, workers: int = 2, timeout: float = 10.0) -> Iterator[Client]:
    """Yield a client of ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``) or of a new LocalCluster.

    The LocalCluster has ``workers`` worker processes with one thread each (the model code holds the
    GIL, so processes, not threads, give parallelism); it is shut down on exit. An unreachable
    scheduler raises :class:`~lapor_nlp.errors.ClusterError` after ``timeout`` seconds. While the
    client is open, Dask keeps pandas' own string dtype (``dataframe.convert-string`` off), so frames
    made from pandas or Parquet keep the dtypes the in-process path sees.
    """
    import dask

    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ClusterError(
            "the Dask engine needs dask and distributed; install them with `pip install lapor-nlp[dask]`"
        ) from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{timeout}s")  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); expected an address such as "
                "tcp://HOST:8786 of a running `dask scheduler`, or leave --scheduler out for a local cluster"
            ) from exc
        with client, dask.config.set({"dataframe.convert-string": False}):
            yield client
        return
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InputError(f"workers must be a positive integer, got {workers!r}")
    # Batch jobs need no statistical profiler; it costs ~1.5% of a core per idle worker (measured).
    with (
        dask.config.set({"distributed.worker.profile.enabled": False}),
        LocalCluster(  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never clash with another cluster
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
        dask.config.set({"dataframe.convert-string": False}),
    ):
        yield client
