"""Exceptions raised on purpose by lapor_nlp.

Every error derives from :class:`LaporError` and from the builtin it narrows, so callers can catch
either. Messages say what was expected, what came in, and what to do::

    LaporError
    ├── InputError(ValueError)            bad argument or data handed to the library
    │   ├── EmptyComplaintError           text empty after cleaning
    │   ├── TextTypeError(TypeError)      a text argument that is not a str (None, bytes, numbers)
    │   ├── DataFormatError               unreadable CSV, missing/misspelt columns, bad dates
    │   └── UnknownLabelError             a label the model was not trained on
    ├── ModelError                        a model artefact cannot be used
    │   ├── ModelNotFoundError(FileNotFoundError)
    │   ├── ModelIntegrityError           tampered, corrupt or foreign file; nothing was executed
    │   └── ModelVersionError             made by an incompatible library version
    ├── IndexStateError(ValueError)       duplicate index misuse (duplicate id, unknown id, corrupt file)
    └── ClusterError(ConnectionError)     Dask scheduler unreachable or the batch cluster failed
"""

from __future__ import annotations


class LaporError(Exception):
    """Base for every error lapor_nlp raises on purpose."""


class InputError(LaporError, ValueError):
    """An argument or data set handed to the library is not usable."""


class EmptyComplaintError(InputError):
    """The complaint text is empty (or only whitespace/noise) after cleaning."""


class TextTypeError(InputError, TypeError):
    """A text argument is not a ``str`` (``None``, bytes, a number ...)."""


class DataFormatError(InputError):
    """A data file or frame is unreadable or misses required columns."""


class UnknownLabelError(InputError):
    """A label that the model does not know."""


class ModelError(LaporError):
    """A model artefact cannot be used."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """No model artefact (or a required file of it) at the given path."""


class ModelIntegrityError(ModelError, ValueError):
    """A model file is corrupt, modified or foreign; it was refused before anything was executed."""


class ModelVersionError(ModelError, ValueError):
    """A model artefact was made by an incompatible version of a library."""


class IndexStateError(LaporError, ValueError):
    """The duplicate index was used inconsistently or its saved file is unusable."""


class ClusterError(LaporError, ConnectionError):
    """The Dask scheduler cannot be reached, or the batch cluster cannot run the work."""
