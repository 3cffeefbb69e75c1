"""The skops trusted-type list names scipy's sparse matrix the way the installed scipy does."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from skops.io import dumps, get_untrusted_types

from lapor_nlp.routing.persistence import TRUSTED_TYPES


def test_trusted_types_cover_the_installed_scipy_csr_matrix() -> None:
    blob = dumps({"weights": csr_matrix(np.eye(3, dtype=np.float32))})
    assert set(get_untrusted_types(data=blob)) <= set(TRUSTED_TYPES)
    assert f"{csr_matrix.__module__}.{csr_matrix.__qualname__}" in get_untrusted_types(data=blob)
