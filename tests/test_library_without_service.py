"""The library works without the service extra: no module under src/lapor_nlp needs fastapi, pydantic or
the ``service`` package, and `lapor-nlp serve` says in one line how to get the service."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

# Runs in a fresh interpreter: a meta-path finder makes the service's dependencies unimportable.
_BLOCKER = """
import importlib.abc, sys
BLOCKED = {"fastapi", "pydantic", "pydantic_settings", "pydantic_core", "starlette", "uvicorn",
           "uvicorn_worker", "gunicorn", "service"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None
sys.meta_path.insert(0, Block())
"""

_IMPORT_ALL = """
import importlib, pkgutil, sys
import lapor_nlp
names = ["lapor_nlp"]
for info in pkgutil.walk_packages(lapor_nlp.__path__, "lapor_nlp."):
    if info.name.rsplit(".", 1)[-1] == "__main__":
        continue
    importlib.import_module(info.name)
    names.append(info.name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
print(len(names))
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-c", _BLOCKER + code, *args],
        env=env,
        cwd=SRC,  # not the repo root, where the `service` package would be importable from the cwd
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.integration
def test_every_library_module_imports_without_the_service_extra() -> None:
    proc = _run(_IMPORT_ALL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    count = int(proc.stdout.strip().splitlines()[-1])
    expected = sum(1 for p in (SRC / "lapor_nlp").rglob("*.py") if p.name != "__main__.py")
    assert count == expected


def test_serve_without_the_service_extra_says_how_to_install_it() -> None:
    code = "from lapor_nlp.cli import main\nsys.exit(main(sys.argv[1:]))"
    for command in (["serve", "--workers", "2"], ["export-feedback", "-o", "x.csv"]):
        proc = _run(code, *command)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert "pip install lapor-nlp[service]" in lines[0]
        assert "Traceback" not in proc.stderr


def test_no_service_import_under_src() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(service|fastapi|pydantic|pydantic_settings|uvicorn)\b", re.M)
    offenders = [
        str(p.relative_to(ROOT)) for p in (SRC / "lapor_nlp").rglob("*.py") if pattern.search(p.read_text())
    ]
    assert offenders == []
