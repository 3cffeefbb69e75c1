"""Shared fixtures: where the third-party data lives, and skipping cleanly where it does not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """Path of ../shared/datasets; skips the test with a clear reason where it is absent."""
    if not (SHARED_DATASETS / "surabaya" / "complaints_2022.csv").is_file():
        pytest.skip(f"shared datasets not found at {SHARED_DATASETS} (set LAPOR_NLP_SHARED_DATASETS)")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def surabaya_csv(shared_datasets: Path) -> Path:
    """The Surabaya 2022 complaint export."""
    return shared_datasets / "surabaya" / "complaints_2022.csv"
