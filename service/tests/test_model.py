"""GET /v1/model and POST /v1/model/reload: swap models with no failed request."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from lapor_nlp import ModelNotFoundError
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter
from service.tests.helpers import live_server


def _loader_for(tmp_path: Path) -> tuple[object, list[str]]:
    loaded: list[str] = []

    def loader(path: Path) -> FakeRouter:
        if not Path(path).is_dir():
            raise ModelNotFoundError(f"no model at {path}")
        loaded.append(Path(path).name)
        return FakeRouter(version=f"fake-{Path(path).name}")

    return loader, loaded


def test_model_info(sqlite_client: TestClient) -> None:
    info = sqlite_client.get("/v1/model", headers=INTAKE).json()
    assert info["version"] == "fake-1"
    assert info["targets"] == {"category": "topic", "agency": "agency"}
    assert "Dinas Lingkungan Hidup" in info["labels"]["agency"]
    assert info["metrics"] == {"agency": {"accuracy": 0.5}}
    assert info["card"].startswith("# Fake model")


def test_model_reload_swaps_and_failure_keeps_old(tmp_path: Path) -> None:
    (tmp_path / "models" / "default").mkdir(parents=True)
    (tmp_path / "models" / "v2").mkdir()
    loader, loaded = _loader_for(tmp_path)
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", model_dir=tmp_path / "models" / "default")
    app = create_app(settings, index_factory=FakeIndex, loader=loader)  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/v1/model", headers=INTAKE).json()["version"] == "fake-default"
        r = c.post("/v1/model/reload", headers=ADMIN, json={"model_dir": "v2"})
        assert r.status_code == 200 and r.json()["version"] == "fake-v2"
        assert (
            c.post("/v1/route", headers=INTAKE, json={"text": "jalan"}).json()["model_version"] == "fake-v2"
        )
        r = c.post("/v1/model/reload", headers=ADMIN, json={"model_dir": "missing"})
        assert r.status_code == 422 and "previous model keeps serving" in r.json()["detail"]
        r = c.post("/v1/model/reload", headers=ADMIN, json={"model_dir": "../../etc"})
        assert r.status_code == 422 and r.json()["type"] == "ModelDirError"
        assert c.get("/v1/model", headers=INTAKE).json()["version"] == "fake-v2"
        assert c.post("/v1/model/reload", headers=ADMIN).json()["version"] == "fake-default"
        assert 'lapor_model_info{version="fake-default"} 1.0' in c.get("/metrics").text
    assert loaded == ["default", "v2", "default"]


@pytest.mark.slow
def test_model_reload_under_load_fails_no_request(tmp_path: Path) -> None:
    (tmp_path / "models" / "default").mkdir(parents=True)

    def slow_loader(path: Path) -> FakeRouter:
        import time

        time.sleep(0.2)  # a real model takes a while to load; requests must keep flowing meanwhile
        return FakeRouter(version=f"fake-{time.monotonic_ns()}", delay=0.002)

    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", model_dir=tmp_path / "models" / "default")
    app = create_app(settings, index_factory=FakeIndex, loader=slow_loader)
    statuses: list[int] = []
    versions: set[str] = set()
    stop = threading.Event()
    with live_server(app) as base:

        def hammer(n: int) -> None:
            with httpx.Client(base_url=base, headers=INTAKE, timeout=30) as http:
                i = 0
                while not stop.is_set() and i < 200:
                    r = http.post("/v1/route", json={"text": f"jalan rusak nomor {n}-{i}"})
                    statuses.append(r.status_code)
                    versions.add(r.json().get("model_version", "?"))
                    i += 1

        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        with httpx.Client(base_url=base, headers=ADMIN, timeout=30) as http:
            for _ in range(3):
                assert http.post("/v1/model/reload").status_code == 200
        stop.set()
        for t in threads:
            t.join()
    assert statuses and set(statuses) == {200}
    assert len(versions) >= 2  # requests were served by more than one model across the swaps


def test_model_version_includes_training_data_hash() -> None:
    from service.app.state import model_version

    class Hashed(FakeRouter):
        @property
        def metadata(self) -> dict[str, object]:
            return {"data": {"sha256": "b58854a83ea1115484724b0e26b4f4ba"}}

    assert model_version(Hashed(version="0.1.0")) == "0.1.0+b58854a8"
    assert model_version(FakeRouter(version="0.1.0")) == "0.1.0"
