"""Public-API drift: what ``lapor_nlp`` and ``lapor_nlp.text`` export (httpx test_exported_members style).

Tolerant to other modules adding names: ``__all__`` must stay sorted, every listed name must exist, and
the text pipeline's names must be exported from ``lapor_nlp.text`` with the agreed signatures.
"""

from __future__ import annotations

import inspect

import lapor_nlp
import lapor_nlp.text
from lapor_nlp import errors


def test_all_is_sorted_and_every_name_exists() -> None:
    assert lapor_nlp.__all__ == sorted(lapor_nlp.__all__)
    assert len(set(lapor_nlp.__all__)) == len(lapor_nlp.__all__)
    for name in lapor_nlp.__all__:
        assert getattr(lapor_nlp, name) is not None, name


def test_every_error_class_is_exported() -> None:
    public_errors = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, errors.LaporError)
    }
    assert public_errors <= set(lapor_nlp.__all__)


def test_text_exports() -> None:
    assert lapor_nlp.text.__all__ == sorted(lapor_nlp.text.__all__)
    assert set(lapor_nlp.text.__all__) == {
        name for name in vars(lapor_nlp.text) if not name.startswith("_") and name in lapor_nlp.text.__all__
    }
    assert {"Preprocessor", "clean", "redact"} <= set(lapor_nlp.text.__all__)
    for name in lapor_nlp.text.__all__:
        assert getattr(lapor_nlp.text, name) is not None


def test_text_signatures() -> None:
    params = inspect.signature(lapor_nlp.text.Preprocessor).parameters
    for name in ("redact", "slang", "stopwords", "stem"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY and params[name].default is True
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert list(inspect.signature(lapor_nlp.text.redact).parameters) == ["text"]
    assert list(inspect.signature(lapor_nlp.text.clean).parameters) == ["text"]
    assert inspect.signature(lapor_nlp.text.redact).return_annotation in (str, "str")
