"""lapor_nlp: triage Indonesian citizen complaints (SP4N-LAPOR!).

Public API: the text pipeline lives in :mod:`lapor_nlp.text`, routing in :class:`lapor_nlp.Router`,
duplicate detection in :mod:`lapor_nlp.duplicates`, reading and writing tables (CSV, TSV, XLSX, Parquet,
JSON Lines) in :mod:`lapor_nlp.tables` (``read_table``/``write_table`` also here).
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
    from lapor_nlp.tables import read_table, write_table

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Router pulls in scikit-learn and pandas: import it on first use so `lapor-nlp --help` stays fast.
    if name == "Router":
        from lapor_nlp.routing.router import Router

        return Router
    if name in ("read_table", "write_table"):
        from lapor_nlp import tables

        return getattr(tables, name)
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
    "read_table",
    "write_table",
]
