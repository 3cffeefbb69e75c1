"""`lapor-nlp preprocess` and `lapor-nlp redact`."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from lapor_nlp.cli import main


def test_redact_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["redact", "atas nama Budi Santoso, hp 0812 3456 7890", "RT 05 RW 03"]) == 0
    assert capsys.readouterr().out.splitlines() == ["atas nama [NAME], hp [PHONE]", "RT 05 RW 03"]


def test_preprocess_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preprocess", "jln rusak parah gak diperbaiki"]) == 0
    assert capsys.readouterr().out.strip() == "jalan rusak parah tidak perbaiki"


def test_preprocess_no_stem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preprocess", "--no-stem", "jln rusak parah gak diperbaiki"]) == 0
    assert capsys.readouterr().out.strip() == "jalan rusak parah tidak diperbaiki"


def test_preprocess_switches(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["preprocess", "--no-redact", "--no-slang", "--no-stopwords", "--no-stem", "yg 081234567890"])
        == 0
    )
    assert capsys.readouterr().out.strip() == "yg 081234567890"


def test_stdin_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("NIK 3578012345678901\nlampu matiii\n"))
    assert main(["redact"]) == 0
    assert capsys.readouterr().out.splitlines() == ["NIK [NIK]", "lampu matiii"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("NIK 3578012345678901\nlampu matiii\n"))
    assert main(["preprocess"]) == 0
    assert capsys.readouterr().out.splitlines() == ["nik __nik__", "lampu mati"]


def test_console_script_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lapor_nlp.cli", "redact", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "placeholders" in done.stdout
