"""lapor_nlp: triage Indonesian citizen complaints (SP4N-LAPOR!).

Public API: the text pipeline lives in :mod:`lapor_nlp.text`, routing in :class:`lapor_nlp.Router`,
duplicate detection in :mod:`lapor_nlp.duplicates`.
"""

from __future__ import annotations

from lapor_nlp.errors import (
    DataFormatError,
    EmptyComplaintError,
    IndexStateError,
    InputError,
    LaporError,
    ModelError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelVersionError,
    UnknownLabelError,
)

__version__ = "0.1.0"

__all__ = [
    "DataFormatError",
    "EmptyComplaintError",
    "IndexStateError",
    "InputError",
    "LaporError",
    "ModelError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "ModelVersionError",
    "UnknownLabelError",
    "__version__",
]
