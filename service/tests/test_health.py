"""/healthz, /readyz and the Prometheus /metrics page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter


def test_health_and_ready(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/healthz").json() == {
        "status": "ok",
        "model_version": "fake-1",
        "database": None,
        "indexed": None,
    }
    ready = sqlite_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def test_metrics_count_requests_decisions_backlog(sqlite_client: TestClient) -> None:
    a = sqlite_client.post("/v1/route", headers=INTAKE, json={"text": "tolong warga"}).json()
    sqlite_client.post("/v1/route", headers=INTAKE, json={"text": "tolong lagi warga"})
    sqlite_client.post("/v1/route", headers=INTAKE, json={"text": "jalan rusak"})
    sqlite_client.post("/v1/route", headers=INTAKE, json={"text": " "})
    sqlite_client.post(
        f"/v1/suggestions/{a['suggestion_id']}/decision",
        headers=ADMIN,
        json={"agency": "Dinas Sosial", "category": "lainnya", "reviewer": "ani"},
    )
    text = sqlite_client.get("/metrics").text
    assert 'lapor_http_requests_total{method="POST",route="/v1/route",status="200"} 3.0' in text
    assert 'lapor_http_requests_total{method="POST",route="/v1/route",status="422"} 1.0' in text
    assert 'lapor_http_request_duration_seconds_count{method="POST",route="/v1/route"} 4.0' in text
    assert 'lapor_suggestions_total{decision="review"} 2.0' in text
    assert 'lapor_suggestions_total{decision="auto"} 1.0' in text
    assert 'lapor_decisions_total{outcome="overridden"} 1.0' in text
    assert "lapor_review_backlog 1.0" in text
    assert 'lapor_model_info{version="fake-1"} 1.0' in text


def test_readyz_says_the_same_on_every_worker(tmp_path: Path) -> None:
    """Two apps on one database stand for two workers: complaints routed through one count on both."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    apps = [create_app(make_settings(url), router=FakeRouter(), index_factory=FakeIndex) for _ in range(2)]
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        assert one.get("/readyz").json()["indexed"] == two.get("/readyz").json()["indexed"] == 0
        for text in ("tolong warga", "jalan rusak", "sampah numpuk"):
            assert one.post("/v1/route", headers=INTAKE, json={"text": text}).status_code == 200
        assert one.get("/readyz").json()["indexed"] == two.get("/readyz").json()["indexed"] == 3
