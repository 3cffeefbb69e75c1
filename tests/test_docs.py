"""The docs site builds with ``--strict`` and every code example in it runs.

A fenced ``python``, ``sh`` or ``bash`` block in ``README.md`` and ``docs/*.md`` is executed, page by
page in one scratch directory (so a block may use what an earlier block of its page wrote), with
``datasets/`` and the repository's models linked in (new models are written to the scratch directory,
never the repository). A block that cannot run here (it needs a running server, Docker, your own
export...) is preceded by ``<!-- not-runnable: REASON -->``; the reason is required. Blocks of other
languages (``text``, ``toml``, ``json``) are not run. ``docs/notes/`` is not part of the site.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RUNNABLE = {"python", "sh", "bash"}
MARKER = re.compile(r"<!--\s*not-runnable:(?P<reason>.*?)-->\s*$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*$")


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    lang: str
    code: str
    skip_reason: str | None


def examples(path: Path) -> list[Example]:
    """The fenced code blocks of ``path`` with their not-runnable reasons."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, lang = i, match["lang"]
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        previous = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.search(previous)
        reason = marker["reason"].strip() if marker else None
        if marker and not reason:
            raise AssertionError(f"{path.name}:{start + 1}: a not-runnable marker needs a reason")
        found.append(Example(path.name, start + 1, lang, "\n".join(lines[start + 1 : end]) + "\n", reason))
        i = end + 1
    return found


PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def test_docs_pages_have_examples_and_reasons() -> None:
    every = [e for p in PAGES for e in examples(p)]
    runnable = [e for e in every if e.lang in RUNNABLE and e.skip_reason is None]
    assert {p.name for p in PAGES} >= {
        "index.md",
        "integrator.md",
        "admin.md",
        "data-scientist.md",
        "operator.md",
    }
    assert len(runnable) >= 10
    assert all(e.lang for e in every), [f"{e.page}:{e.line}" for e in every if not e.lang]


def test_marker_parsing(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        "# t\n\n<!-- not-runnable: needs a server -->\n```sh\ncurl x\n```\n\n```python\nprint(1)\n```\n",
        encoding="utf-8",
    )
    first, second = examples(page)
    assert (first.lang, first.skip_reason, first.code) == ("sh", "needs a server", "curl x\n")
    assert (second.lang, second.skip_reason, second.line) == ("python", None, 8)
    page.write_text("<!-- not-runnable: -->\n```sh\nx\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="needs a reason"):
        examples(page)


def _scratch(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "work"
    work.mkdir()
    (work / "datasets").symlink_to(ROOT / "datasets", target_is_directory=True)
    (work / "models").mkdir()  # examples write their own models here, never into the repository
    for model in (ROOT / "models").iterdir():
        (work / "models" / model.name).symlink_to(model, target_is_directory=model.is_dir())
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    return work, env


@pytest.mark.slow
@pytest.mark.integration  # trains on the sample, loads the bundled model
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_docs_examples_run(page: Path, tmp_path: Path) -> None:
    work, env = _scratch(tmp_path)
    ran = 0
    for example in examples(page):
        if example.lang not in RUNNABLE or example.skip_reason is not None:
            continue
        if example.lang == "python":
            cmd = [sys.executable, "-c", example.code]
        else:
            cmd = ["bash", "-euo", "pipefail", "-c", example.code]
        done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (
            f"{example.page}:{example.line} ({example.lang}) failed with {done.returncode}:\n"
            f"{example.code}\n--- stdout\n{done.stdout[-2000:]}\n--- stderr\n{done.stderr[-3000:]}"
        )
        ran += 1
    if ran == 0:
        pytest.skip(f"{page.name} has no runnable example")


@pytest.mark.slow
def test_docs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    site = tmp_path / "site"
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "lapor-nlp report" in cli and "--language" in cli and "--period-days" in cli
    config = (site / "reference" / "configuration" / "index.html").read_text(encoding="utf-8")
    assert "LAPOR_NLP_AUDIT_SHARE" in config and "no description yet" not in config
    api = (site / "reference" / "http-api" / "index.html").read_text(encoding="utf-8")
    assert "/v1/route/batch" in api and (site / "reference" / "openapi.json").is_file()
    for guide in ("integrator", "admin", "data-scientist", "operator"):
        assert (site / guide / "index.html").is_file(), guide
    assert "fonts.googleapis" not in (site / "index.html").read_text(encoding="utf-8")


def test_readme_is_a_landing_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "make run" in readme and "make test" in readme
    for guide in ("integrator.md", "admin.md", "data-scientist.md", "operator.md"):
        assert f"docs/{guide}" in readme, guide
