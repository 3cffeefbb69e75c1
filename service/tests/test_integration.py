"""The service with the library's real classes: DuplicateIndex always, Router where it is available."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeRouter

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = Path(os.environ.get("LAPOR_NLP_TEST_MODEL_DIR", ROOT / "models" / "default"))
WHERE = {"kecamatan": "Rungkut", "kelurahan": "Kalirungkut"}


def _router_class():  # type: ignore[no-untyped-def]
    import lapor_nlp

    router = getattr(lapor_nlp, "Router", None)
    if router is None:
        pytest.skip("lapor_nlp.Router is not available in this checkout")
    return router


@pytest.fixture
def real_model_client(tmp_path: Path) -> Iterator[TestClient]:
    _router_class()
    if not (DEFAULT_MODEL / "metadata.json").is_file():
        pytest.skip(f"no default model at {DEFAULT_MODEL} (train it first)")
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", model_dir=DEFAULT_MODEL)
    with TestClient(create_app(settings)) as c:
        yield c


def test_integration_real_duplicate_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    text = "Sampah menumpuk di gang mawar dekat pos ronda sudah seminggu tidak diangkut"
    with TestClient(create_app(make_settings(url), router=FakeRouter())) as c:
        first = c.post(
            "/v1/route",
            headers=INTAKE,
            json={"text": text, "id": "S-1", "location": WHERE, "submitted_at": "2026-03-01T08:00:00"},
        ).json()
        c.post("/v1/route", headers=INTAKE, json={"text": "Lampu jalan mati di depan sekolah"})
    with TestClient(create_app(make_settings(url), router=FakeRouter())) as c:  # index rebuilt from the DB
        again = c.post(
            "/v1/route",
            headers=INTAKE,
            json={
                "text": "Sampah menumpuk di gang mawar dekat pos ronda belum diangkut juga",
                "location": WHERE,
                "submitted_at": "2026-03-03T08:00:00+07:00",
            },
        ).json()
    best = again["duplicates"][0]
    assert best["suggestion_id"] == first["suggestion_id"] and best["id"] == "S-1"
    assert best["is_duplicate"] is True
    assert "same kelurahan" in best["evidence"]
    assert all(
        d["suggestion_id"] != first["suggestion_id"] + 1 or not d["is_duplicate"] for d in again["duplicates"]
    )


def test_integration_real_router_routes_and_decides(real_model_client: TestClient) -> None:
    info = real_model_client.get("/v1/model", headers=INTAKE).json()
    assert info["targets"]["agency"] == "agency" and info["labels"]["agency"]
    r = real_model_client.post(
        "/v1/route",
        headers=INTAKE,
        json={
            "text": "Lampu penerangan jalan umum di depan balai RW mati sudah seminggu, mohon diperbaiki",
            "location": WHERE,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    for target in ("category", "agency"):
        assert body[target]["label"] in info["labels"][target]
        assert 0.0 <= body[target]["score"] <= 1.0 and len(body[target]["top_k"]) == 3
        assert body[target]["decision"] in ("auto", "review")
    assert body["model_version"] == info["version"]
    d = real_model_client.post(
        f"/v1/suggestions/{body['suggestion_id']}/decision",
        headers=ADMIN,
        json={"agency": body["agency"]["label"], "category": body["category"]["label"], "reviewer": "ani"},
    )
    assert d.status_code == 200 and d.json()["decision"]["outcome"] == "accepted"
    assert real_model_client.post("/v1/route", headers=INTAKE, json={"text": "?? !!"}).status_code == 422


# Hand-written complaint templates per (topic, agency): enough rows for Router.train to fit on.
TEMPLATES = {
    ("lampu-pju", "Dinas Perhubungan"): "lampu penerangan jalan mati di gang {n}, mohon segera dinyalakan",
    ("sampah", "Dinas Lingkungan Hidup"): "sampah menumpuk di tepi sungai blok {n} tidak diangkut petugas",
    ("jalan-rusak", "Dinas Sumber Daya Air dan Bina Marga"): "jalan berlubang dan aspal rusak di jalan {n}",
}


@pytest.mark.integration
def test_integration_retrain_loop_export_train_reload(tmp_path: Path) -> None:
    """docs/admin.md's three steps: export-feedback, lapor-nlp train, POST /v1/model/reload."""
    _router_class()
    from lapor_nlp.cli import main as cli_main

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    model_dir = tmp_path / "models" / "default"
    settings = make_settings(url, duplicates_k=0, model_dir=model_dir)
    with TestClient(create_app(settings, router=FakeRouter())) as c:
        for n in range(30):
            for (topic, agency), template in TEMPLATES.items():
                sid = c.post(
                    "/v1/route",
                    headers=INTAKE,
                    json={"text": template.format(n=n) + f" nomor {n * 7 % 13}", "location": WHERE},
                ).json()["suggestion_id"]
                c.post(
                    f"/v1/suggestions/{sid}/decision",
                    headers=ADMIN,
                    json={"agency": agency, "category": topic, "reviewer": "ani"},
                )
        c.post("/v1/route", headers=INTAKE, json={"text": "jalan rusak tidak direview"})

        out = tmp_path / "feedback.csv"
        assert cli_main(["export-feedback", "--database-url", url, "--output", str(out)]) == 0
        assert "jalan rusak tidak direview" not in out.read_text(encoding="utf-8")
        train = ["train", str(out), "--text-column", "text", "--target", "topic", "--target", "agency",
                 "--location-column", "kecamatan", "--location-column", "kelurahan",
                 "--out", str(model_dir), "--quiet"]  # fmt: skip
        assert cli_main(train) == 0

        assert c.get("/v1/model", headers=INTAKE).json()["version"] == "fake-1"
        reloaded = c.post("/v1/model/reload", headers=ADMIN)
        assert reloaded.status_code == 200, reloaded.text
        assert set(reloaded.json()["labels"]["agency"]) == {agency for _, agency in TEMPLATES}
        routed = c.post("/v1/route", headers=INTAKE, json={"text": "lampu jalan mati di gang lima",
                                                           "location": WHERE}).json()  # fmt: skip
        assert routed["agency"]["label"] == "Dinas Perhubungan"
        assert routed["model_version"] == reloaded.json()["version"] != "fake-1"


@pytest.mark.slow
def test_integration_real_model_reload_under_load(tmp_path: Path) -> None:
    import threading
    import time

    import httpx

    from service.tests.helpers import live_server

    _router_class()
    if not (DEFAULT_MODEL / "metadata.json").is_file():
        pytest.skip(f"no default model at {DEFAULT_MODEL} (train it first)")
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", model_dir=DEFAULT_MODEL)
    statuses: list[int] = []
    stop = threading.Event()
    with live_server(create_app(settings)) as base:

        def hammer(n: int) -> None:
            with httpx.Client(base_url=base, headers=INTAKE, timeout=60) as http:
                i = 0
                while not stop.is_set():
                    r = http.post("/v1/route", json={"text": f"sampah menumpuk di gang {n} blok {i}"})
                    statuses.append(r.status_code)
                    i += 1

        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        before = len(statuses)
        with httpx.Client(base_url=base, headers=ADMIN, timeout=120) as http:
            reloaded = http.post("/v1/model/reload")
        during = len(statuses) - before
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
    assert reloaded.status_code == 200
    assert during > 0  # requests kept being served while the new model loaded
    assert set(statuses) == {200}


def test_real_model_routes_hostile_texts(real_model_client: TestClient) -> None:
    """Texts that crashed the explainer or the place reader: a suggestion or a 4xx, never a 5xx."""
    for text in (
        "\U0002a196",
        "\U0002a196 jalan",
        "jalan \u00b2",
        "\u202e\u0627\u0644\u0637\u0631\u064a\u0642",
        "\ud800x",
    ):
        body = json.dumps({"text": text})  # ASCII JSON: a lone surrogate travels as \\ud800
        r = real_model_client.post(
            "/v1/route", headers={**INTAKE, "Content-Type": "application/json"}, content=body
        )
        assert r.status_code in (200, 422), (text, r.status_code, r.text[:200])
    r = real_model_client.post(
        "/v1/route/batch",
        headers=INTAKE,
        json={"complaints": [{"text": "\U0002a196"}, {"text": "jalan \u00b2"}]},
    )
    assert r.status_code in (200, 422), r.text[:200]
