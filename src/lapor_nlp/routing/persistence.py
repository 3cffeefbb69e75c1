"""Save and load a Router directory safely.

Layout: ``features.skops`` (the fitted featurizer), ``target-<i>.skops`` (one classifier per target),
``metadata.json`` (versions, labels, thresholds, place resolvers, metrics and the SHA-256 of every
file) and ``MODEL_CARD.md``. Loading checks that every file is present and unmodified, then reads the
skops files with an explicit list of trusted types: nothing from a foreign or tampered file is executed.
The directory is written to a temporary sibling and renamed into place, so it is never half-written.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import sklearn
from scipy.sparse import csr_matrix
from skops.io import dumps, get_untrusted_types, loads

from lapor_nlp._files import atomic_directory
from lapor_nlp.errors import ModelIntegrityError, ModelNotFoundError, ModelVersionError
from lapor_nlp.routing.classifier import CalibratedLinearClassifier
from lapor_nlp.routing.features import TextFeaturizer
from lapor_nlp.routing.location import PlaceResolver

METADATA = "metadata.json"
MODEL_CARD = "MODEL_CARD.md"
FEATURES = "features.skops"

#: Every type a routing artefact may contain. skops refuses anything else before building it.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.slice",
    "lapor_nlp.routing.classifier.CalibratedLinearClassifier",
    "lapor_nlp.routing.features.TextFeaturizer",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int32",
    "numpy.int64",
    "numpy.ndarray",
    # The installed scipy's own name for csr_matrix (a private module path that moved before).
    f"{csr_matrix.__module__}.{csr_matrix.__qualname__}",
)


class ModelVersionWarning(UserWarning):
    """The model was saved by another scikit-learn/lapor_nlp version; predictions may differ."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _target_file(i: int) -> str:
    return f"target-{i}.skops"


def save_router(router: Any, directory: Path) -> Path:
    """Write ``router`` to ``directory`` atomically; an existing directory is replaced."""
    from lapor_nlp.routing.model_card import render_model_card

    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    blobs = {FEATURES: dumps(router.featurizer, compression=8)}
    for i, target in enumerate(router.targets):
        blobs[_target_file(i)] = dumps(router.classifiers[target], compression=8)
    metadata = dict(router.metadata)
    metadata["files"] = {name: _sha256(data) for name, data in blobs.items()}
    metadata["target_files"] = {target: _target_file(i) for i, target in enumerate(router.targets)}
    for target in router.targets:
        metadata["targets"][target]["resolver"] = router.resolvers[target].to_dict()
    metadata["thresholds"] = router.thresholds
    card = router.model_card or render_model_card(metadata)
    with atomic_directory(directory) as tmp:  # the old model stays until the new one is in place
        for name, data in blobs.items():
            (tmp / name).write_bytes(data)
        (tmp / METADATA).write_text(json.dumps(metadata, indent=2, ensure_ascii=False, default=str) + "\n")
        (tmp / MODEL_CARD).write_text(card)
    router._metadata = metadata
    router._model_card = card
    return directory


def _read(directory: Path, name: str) -> bytes:
    path = directory / name
    if not path.is_file():
        raise ModelNotFoundError(
            f"{directory}: missing {name}; the model directory is incomplete, retrain it"
        )
    return path.read_bytes()


def _load_skops(data: bytes, name: str, expected: type) -> Any:
    try:
        untrusted = set(get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
    except Exception as exc:  # corrupt zip / schema
        raise ModelIntegrityError(f"{name} is not a readable skops file ({exc}); retrain the model") from exc
    if untrusted:
        raise ModelIntegrityError(
            f"{name} contains types outside the trusted list: {sorted(untrusted)}; refused"
        )
    try:
        obj = loads(data, trusted=list(TRUSTED_TYPES))
    except Exception as exc:
        raise ModelIntegrityError(f"{name} could not be loaded ({exc}); retrain the model") from exc
    if not isinstance(obj, expected):
        raise ModelIntegrityError(f"{name} holds a {type(obj).__name__}, expected {expected.__name__}")
    return obj


def _check_versions(metadata: dict[str, Any], directory: Path) -> None:
    from lapor_nlp.routing.router import FORMAT_VERSION

    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelVersionError(
            f"{directory}: model format {metadata.get('format_version')!r}, this lapor_nlp reads "
            f"{FORMAT_VERSION}; retrain the model with this version"
        )
    saved = str(metadata.get("sklearn_version", "?"))
    if saved.split(".")[:1] != sklearn.__version__.split(".")[:1]:
        raise ModelVersionError(
            f"{directory}: saved with scikit-learn {saved}, running {sklearn.__version__}; retrain the model"
        )
    if saved != sklearn.__version__:
        warnings.warn(
            f"{directory}: saved with scikit-learn {saved}, running {sklearn.__version__}; predictions may "
            "differ slightly, retrain to be sure",
            ModelVersionWarning,
            stacklevel=3,
        )


def load_router(directory: Path) -> Any:
    """Load and verify a router directory (see module docstring)."""
    from lapor_nlp.routing.router import Router

    directory = Path(directory)
    if not directory.is_dir():
        raise ModelNotFoundError(f"no model directory at {directory}; train one with `lapor-nlp train`")
    raw = _read(directory, METADATA)
    try:
        metadata = json.loads(raw)
        files = dict(metadata["files"])
        target_files = dict(metadata["target_files"])
        targets = dict(metadata["targets"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(
            f"{directory}/{METADATA} is corrupt or foreign ({exc}); retrain the model"
        ) from exc
    _check_versions(metadata, directory)
    blobs = {}
    for name, digest in files.items():
        if "/" in name or "\\" in name or name.startswith("."):
            raise ModelIntegrityError(f"{directory}/{METADATA} names an unexpected file {name!r}; refused")
        data = _read(directory, name)
        if _sha256(data) != digest:
            raise ModelIntegrityError(
                f"{directory}/{name} was modified after saving (hash mismatch); refused"
            )
        blobs[name] = data
    card_path = directory / MODEL_CARD
    card = card_path.read_text() if card_path.is_file() else ""
    featurizer = _load_skops(blobs[FEATURES], FEATURES, TextFeaturizer)
    classifiers, resolvers = {}, {}
    try:
        for target, name in target_files.items():
            if name not in blobs:
                raise ModelIntegrityError(f"{directory}/{METADATA}: {name} of target {target!r} has no hash")
            classifiers[target] = _load_skops(blobs[name], name, CalibratedLinearClassifier)
            resolvers[target] = PlaceResolver.from_dict(targets[target]["resolver"])
        thresholds = {t: dict(v) for t, v in metadata["thresholds"].items()}
        return Router(
            featurizer=featurizer,
            classifiers=classifiers,
            resolvers=resolvers,
            thresholds=thresholds,
            text_column=str(metadata["text_column"]),
            location_columns=list(metadata["location_columns"]),
            metadata=metadata,
            model_card=card,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ModelIntegrityError):
            raise
        raise ModelIntegrityError(
            f"{directory}/{METADATA} is incomplete ({exc!r}); retrain the model"
        ) from exc
