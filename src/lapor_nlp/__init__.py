"""lapor_nlp: triage Indonesian citizen complaints (SP4N-LAPOR!).

Public API: the text pipeline lives in :mod:`lapor_nlp.text`, routing in :class:`lapor_nlp.Router`,
duplicate detection in :mod:`lapor_nlp.duplicates`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lapor_nlp.errors import (
    ClusterError,
    DataFormatError,
    EmptyComplaintError,
    IndexStateError,
    InputError,
    LaporError,
    ModelError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelVersionError,
    TextTypeError,
    UnknownLabelError,
)
from lapor_nlp.types import Suggestion, TargetSuggestion

if TYPE_CHECKING:
    from lapor_nlp.routing.router import Router

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Router pulls in scikit-learn and pandas: import it on first use so `lapor-nlp --help` stays fast.
    if name == "Router":
        from lapor_nlp.routing.router import Router

        return Router
    raise AttributeError(f"module 'lapor_nlp' has no attribute {name!r}")


__all__ = [
    "ClusterError",
    "DataFormatError",
    "EmptyComplaintError",
    "IndexStateError",
    "InputError",
    "LaporError",
    "ModelError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "ModelVersionError",
    "Router",
    "Suggestion",
    "TargetSuggestion",
    "TextTypeError",
    "UnknownLabelError",
    "__version__",
]
