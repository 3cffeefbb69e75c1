"""Text pipeline for informal Indonesian complaints: clean, redact, normalise slang, drop stopwords, stem."""

from __future__ import annotations

from lapor_nlp.text.clean import clean
from lapor_nlp.text.preprocessor import Preprocessor
from lapor_nlp.text.redact import redact

__all__ = ["Preprocessor", "clean", "redact"]
