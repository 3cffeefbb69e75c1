"""Run an app built from a :class:`Settings` object: one uvicorn process, or gunicorn with uvicorn workers.

Both go through documented APIs: ``uvicorn.run(app)`` for one process, and gunicorn's "custom
application" (``gunicorn.app.base.BaseApplication``) with the ``uvicorn-worker`` worker class for
several. Gunicorn forks its workers, so each one builds the app from the same settings object (no
environment variables carry configuration). Gunicorn's TCP listener has TCP_NODELAY set, which the
accepted connections inherit: responses are not held back by Nagle's algorithm and delayed ACKs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from uvicorn_worker import UvicornWorker

# More processes than this mostly multiply memory (each holds the model and the duplicate index).
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """One worker per core this process may run on, at most :data:`MAX_DEFAULT_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


class ServiceWorker(UvicornWorker):  # type: ignore[misc]  # uvicorn-worker ships no type hints
    """uvicorn's gunicorn worker without the ``Server`` header and without trusting proxy headers."""

    CONFIG_KWARGS: dict[str, Any] = {
        **UvicornWorker.CONFIG_KWARGS,
        "server_header": False,
        "proxy_headers": False,
    }


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_single(
    build: Callable[[], FastAPI], *, host: str, port: int, log_level: str, access_log: bool
) -> None:
    """Serve ``build()`` in this process with uvicorn (its own socket keeps TCP_NODELAY on)."""
    _configure_logging(log_level)
    import uvicorn

    uvicorn.run(
        build(),
        host=host,
        port=port,
        log_level=log_level.lower(),
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
    )


def run_workers(
    build: Callable[[], FastAPI],
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    access_log: bool,
    timeout: int = 120,
) -> None:
    """Serve ``build()`` from ``workers`` gunicorn worker processes sharing one listening socket.

    ``build`` runs in every worker after the fork. ``timeout`` is how long a silent worker may take
    (model loading included) before gunicorn restarts it.
    """
    from gunicorn.app.base import BaseApplication

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": ServiceWorker,
        "loglevel": log_level.lower(),
        "accesslog": "-" if access_log else None,
        "timeout": timeout,
        "graceful_timeout": 30,
        "proc_name": "lapor-nlp-service",
    }

    class _Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 25.1 would open a control socket in $HOME, shared by every instance.
                self.cfg.set("control_socket_disable", True)

        def load(self) -> FastAPI:
            _configure_logging(log_level)
            return build()

    _Application().run()
