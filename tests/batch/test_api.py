"""The batch package's public names, and that importing it does not import Dask."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lapor_nlp.batch


def test_batch_all_is_sorted_and_every_name_exists() -> None:
    assert lapor_nlp.batch.__all__ == sorted(lapor_nlp.batch.__all__)
    for name in lapor_nlp.batch.__all__:
        assert getattr(lapor_nlp.batch, name) is not None, name


@pytest.mark.integration
def test_importing_batch_leaves_dask_unimported() -> None:
    code = (
        "import sys, lapor_nlp.batch\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
