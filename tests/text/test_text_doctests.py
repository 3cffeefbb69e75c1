"""The examples in the text pipeline's docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "lapor_nlp.text.clean",
    "lapor_nlp.text.redact",
    "lapor_nlp.text.stem",
    "lapor_nlp.text._confix",
    "lapor_nlp.text.preprocessor",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), verbose=False)
    assert result.failed == 0 and result.attempted >= 1
