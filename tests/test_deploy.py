"""deploy/: the Dockerfile, compose.yaml and prometheus.yml agree with the service they deploy.

Docker need not exist here: the files are parsed and checked against the code (entry point, port,
health check route, setting names). hadolint and `docker compose config` run only where installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed (pip install lapor-nlp[service])")
yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SETTING_NAME = re.compile(r"\bLAPOR_NLP_[A-Z0-9_]+\b")


def _instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of deploy/Dockerfile, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (DEPLOY / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def _one(name: str) -> str:
    found = [args for word, args in _instructions() if word == name]
    assert len(found) == 1, f"expected one {name} in deploy/Dockerfile, found {len(found)}"
    return found[0]


def _exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def _settings_env_names() -> set[str]:
    from service.app.config import Settings

    return {f"LAPOR_NLP_{name.upper()}" for name in Settings.model_fields}


def _routes() -> set[str]:
    from service.app.main import create_app

    return set(create_app().openapi()["paths"])


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())  # type: ignore[no-any-return]


def test_dockerfile_base_user_and_install() -> None:
    assert re.fullmatch(r"python:3\.1[1-9]-slim", _one("FROM")), _one("FROM")
    users = [args for word, args in _instructions() if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert ".[service]" in _one("RUN") and "pip install" in _one("RUN")


def test_dockerfile_entrypoint_is_the_service_console_script() -> None:
    entry = _exec_form(_one("ENTRYPOINT"))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entry == ["lapor-nlp-service"] and scripts["lapor-nlp-service"] == "service.app.cli:main"
    from service.app.cli import build_parser

    args = build_parser().parse_args(_exec_form(_one("CMD")))
    assert args.command == "serve" and args.host == "0.0.0.0"


def test_dockerfile_port_and_health_check_match_the_service() -> None:
    from service.app.cli import DEFAULT_PORT, build_parser

    assert _one("EXPOSE").split("/")[0] == str(DEFAULT_PORT)
    assert build_parser().parse_args(_exec_form(_one("CMD"))).port == DEFAULT_PORT
    check = _one("HEALTHCHECK")
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]*)", check)
    assert url is not None, check
    assert int(url.group(1)) == DEFAULT_PORT
    assert url.group(2) in _routes() and url.group(2) == "/healthz"


def test_dockerfile_bakes_the_default_model_where_the_settings_look() -> None:
    envs = " ".join(args for word, args in _instructions() if word == "ENV")
    assert set(SETTING_NAME.findall(envs)) <= _settings_env_names()
    model_dir = re.search(r"LAPOR_NLP_MODEL_DIR=(\S+)", envs)
    assert model_dir is not None
    copy = [args.split() for word, args in _instructions() if word == "COPY"]
    assert ["${MODEL_DIR}", model_dir.group(1)] in copy
    assert "ARG MODEL_DIR=models/default" in (DEPLOY / "Dockerfile").read_text()
    assert (ROOT / "models" / "default").is_dir()


def test_compose_env_names_are_real_settings() -> None:
    used = set(SETTING_NAME.findall((DEPLOY / "compose.yaml").read_text()))
    assert used, "compose.yaml configures the service through LAPOR_NLP_* variables"
    assert used <= _settings_env_names(), used - _settings_env_names()
    env = _compose()["services"]["service"]["environment"]
    assert env["LAPOR_NLP_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["LAPOR_NLP_DATABASE_URL"]


def test_compose_replicas_postgres_and_prometheus() -> None:
    from service.app.cli import DEFAULT_PORT, build_parser

    services = _compose()["services"]
    svc = services["service"]
    assert "replicas" in svc["deploy"]
    assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    args = build_parser().parse_args(svc["command"])
    assert args.command == "serve" and args.port == DEFAULT_PORT and args.workers == 1
    assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
    pg = services["postgres"]
    assert "healthcheck" in pg and any(v.endswith(":/var/lib/postgresql/data") for v in pg["volumes"])
    assert pg["environment"]["POSTGRES_DB"] in svc["environment"]["LAPOR_NLP_DATABASE_URL"]
    mounts = services["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts


def test_prometheus_scrapes_every_replica() -> None:
    from service.app.cli import DEFAULT_PORT

    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] in _routes()
    (sd,) = job["dns_sd_configs"]
    assert sd["names"] == ["service"] and sd["type"] == "A" and sd["port"] == DEFAULT_PORT
    assert "service" in _compose()["services"]


def test_dockerignore_keeps_private_and_heavy_files_out() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", ".lapor-nlp", "*.env", "datasets"} <= ignored
    copied = {args.split()[0] for word, args in _instructions() if word == "COPY"}
    assert not copied & ignored  # nothing the image needs is ignored


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
def test_dockerfile_passes_hadolint() -> None:
    proc = subprocess.run(["hadolint", str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="docker compose is not installed")
def test_compose_config_is_valid() -> None:
    proc = subprocess.run(
        ["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=dict(os.environ, LAPOR_NLP_API_KEYS="intake:x,admin:y"),
    )
    assert proc.returncode == 0, proc.stderr
