"""`lapor-nlp serve`: local keys for `make run`, clear errors, and a real start on the default model."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lapor_nlp.cli import main as cli_main
from service.app.cli import local_keys as _local_keys
from service.app.config import parse_api_keys
from service.tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_cli_local_keys_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / ".lapor-nlp" / "keys.env"
    spec = _local_keys(path)
    assert [role for role, _ in parse_api_keys(spec)] == ["intake", "admin"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _local_keys(path) == spec
    path.write_text("nothing here\n")
    with pytest.raises(ValueError, match="delete it"):
        _local_keys(path)


def test_cli_serve_without_model_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAPOR_NLP_API_KEYS", "admin:x")
    code = cli_main(
        [
            "serve",
            "--model",
            str(tmp_path / "missing"),
            "--database-url",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
        ]
    )
    assert code == 2
    assert "no model at" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_serve_starts_on_default_model(tmp_path: Path) -> None:
    if not (ROOT / "models" / "default" / "metadata.json").is_file():
        pytest.skip("no models/default (train it first)")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_NLP_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lapor_nlp.cli",
            "serve",
            "--port",
            str(port),
            "--model",
            "models/default",
            "--database-url",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
            "--local-keys",
            str(tmp_path / "keys.env"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("service did not become ready")
        keys = dict(parse_api_keys((tmp_path / "keys.env").read_text().split("=", 1)[1].strip()))
        r = httpx.post(
            f"{base}/v1/route",
            json={"text": "lampu jalan mati di gang tiga"},
            headers={"X-API-Key": keys["intake"]},
        )
        assert r.status_code == 200
        assert httpx.get(f"{base}/admin").status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/admin" in out
    assert keys["admin"] in out  # the local keys are printed for `make run`


def test_default_workers_follow_the_cores() -> None:
    from service.app.server import MAX_DEFAULT_WORKERS, default_workers

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert default_workers() == max(1, min(cores, MAX_DEFAULT_WORKERS))


def test_service_settings_come_from_flags_without_touching_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.app.cli import build_parser, settings_from_args

    monkeypatch.delenv("LAPOR_NLP_API_KEYS", raising=False)
    monkeypatch.setenv("LAPOR_NLP_MAX_BATCH", "7")  # read from the environment ...
    before = dict(os.environ)
    args = build_parser().parse_args(
        [
            "serve",
            "--model",
            "m",
            "--database-url",
            "sqlite:///x.db",
            "--quiet",
            "--local-keys",
            str(tmp_path / "k"),
        ]
    )
    settings = settings_from_args(args)
    assert dict(os.environ) == before  # ... and never written to
    assert settings.max_batch == 7 and str(settings.model_dir) == "m"
    assert settings.database_url == "sqlite:///x.db" and settings.log_level == "WARNING"
    assert [role for role, _ in parse_api_keys(settings.api_keys)] == ["intake", "admin"]
    assert "local API keys" in capsys.readouterr().out


def test_lapor_nlp_serve_hands_its_arguments_to_the_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAPOR_NLP_API_KEYS", "admin:x")
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["serve", "--help"])
    assert exit_info.value.code == 0
    assert "--workers" in capsys.readouterr().out
    code = cli_main(["export-feedback", "--database-url", f"sqlite:///{tmp_path / 'none.db'}", "-o", "x.csv"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lapor-nlp export-feedback: error:")
