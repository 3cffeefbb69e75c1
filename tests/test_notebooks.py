"""Execute the notebooks (jupytext percent scripts) on small data so that they cannot rot.

Fast runs use the hand-written sample in ``datasets/samples``; the slow runs use ``../shared/datasets``
subsampled through ``LAPOR_NLP_NOTEBOOK_SAMPLE``. Outputs are discarded, never written back.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLES = ROOT / "datasets" / "samples"
# notebook -> public names it needs; the test skips with the reason when they are not importable yet
NEEDS = {
    "01-explore.py": ("lapor_nlp.insights", "prepare_complaints"),
    "02-retrain.py": ("lapor_nlp", "Router"),
    "03-duplicates.py": ("lapor_nlp.duplicates", "DuplicateIndex"),
}


def _execute(name: str, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.skip("no 'python3' Jupyter kernel; run `make install` to register it")
    module, attr = NEEDS[name]
    try:
        getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"{name} needs {module}.{attr}, which is not available yet ({exc})")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = jupytext.read(NOTEBOOKS / name)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_notebooks_are_all_covered() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.py")) == sorted(NEEDS)


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_notebook_runs_on_hand_written_sample(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _execute(
        name,
        monkeypatch,
        {
            "LAPOR_NLP_NOTEBOOK_DATA": str(SAMPLES / "complaints_sample.csv"),
            "LAPOR_NLP_NOTEBOOK_PAIRS": str(SAMPLES / "duplicate_pairs_sample.csv"),
            "LAPOR_NLP_NOTEBOOK_SAMPLE": "0",
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_notebook_runs_on_shared_data_subsample(
    name: str, monkeypatch: pytest.MonkeyPatch, shared_datasets: Path
) -> None:
    monkeypatch.delenv("LAPOR_NLP_NOTEBOOK_DATA", raising=False)
    _execute(
        name,
        monkeypatch,
        {
            "LAPOR_NLP_SHARED_DATASETS": str(shared_datasets),
            "LAPOR_NLP_NOTEBOOK_SAMPLE": "600",
        },
    )
