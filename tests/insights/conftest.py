"""Fixtures for the insights tests (hand-written data in :mod:`insights_samples`)."""

from __future__ import annotations

import pandas as pd
import pytest
from insights_samples import spike_rows


@pytest.fixture
def spike_frame() -> pd.DataFrame:
    """16 steady weeks plus a planted flood spike: 12 'Banjir' complaints in Gubeng in week 12."""
    return spike_rows()
