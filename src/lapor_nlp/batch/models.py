"""Load a Router once per process and keep it, keyed by its directory and content hash.

Dask workers call :func:`get_router` from inside every partition task: the first call in a worker
process loads the model, later calls (other partitions, later jobs) reuse it. The key includes the
SHA-256 of ``metadata.json`` (which itself holds the hash of every model file), so a directory that is
replaced by a retrained model is loaded again instead of serving stale predictions.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from lapor_nlp.errors import ModelNotFoundError

if TYPE_CHECKING:
    from lapor_nlp.routing.router import Router

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], Router] = {}
_LOADS = 0
_KEEP = 2


def model_key(model_dir: str | Path) -> tuple[str, str]:
    """``(absolute directory, sha256 of its metadata.json)``: what identifies a model's content."""
    path = Path(model_dir).resolve()
    try:
        digest = hashlib.sha256((path / "metadata.json").read_bytes()).hexdigest()
    except OSError as exc:
        raise ModelNotFoundError(
            f"no model at {path} (metadata.json unreadable: {exc.strerror}); pass a directory written by "
            "`lapor-nlp train` that every worker can read at this path"
        ) from exc
    return str(path), digest


def get_router(model_dir: str | Path) -> Router:
    """The Router saved in ``model_dir``, loaded at most once per process for the same content."""
    global _LOADS
    from lapor_nlp.routing.router import Router

    key = model_key(model_dir)
    with _LOCK:
        router = _CACHE.get(key)
        if router is None:
            router = Router.load(key[0])
            _LOADS += 1
            while len(_CACHE) >= _KEEP:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = router
        return router


def load_count() -> int:
    """How many times this process has loaded a model through :func:`get_router`."""
    return _LOADS
