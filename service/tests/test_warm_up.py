"""Each worker fills its per-word caches at model load, before /readyz says ready (LAPOR_NLP_WARM_UP)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.app.main import create_app
from service.tests.conftest import ADMIN, make_settings
from service.tests.fakes import FakeIndex, FakeRouter


class WarmRouter(FakeRouter):
    def __init__(self, version: str = "fake-1") -> None:
        super().__init__(version)
        self.warmed = 0

    def warm_up(self) -> int:
        self.warmed += 1
        return 3


def test_model_is_warmed_before_ready_and_on_reload(tmp_path: Path) -> None:
    router = WarmRouter()
    fresh = WarmRouter("fake-2")
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", model_dir=tmp_path / "m"),
        router=router,
        index_factory=FakeIndex,
        loader=lambda _path: fresh,
    )
    assert router.warmed == 0
    with TestClient(app) as client:
        assert router.warmed == 1  # during start-up, before the first request
        assert client.get("/readyz").status_code == 200
        (tmp_path / "m").mkdir()
        assert client.post("/v1/model/reload", headers=ADMIN).status_code == 200
        assert fresh.warmed == 1  # a reloaded model is warmed before it is swapped in


def test_warm_up_can_be_switched_off(tmp_path: Path) -> None:
    router = WarmRouter()
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", warm_up=False)
    with TestClient(create_app(settings, router=router, index_factory=FakeIndex)) as client:
        assert client.get("/readyz").status_code == 200
    assert router.warmed == 0
