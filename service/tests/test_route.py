"""POST /v1/route and /v1/route/batch over SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.tests.conftest import ADMIN, INTAKE
from service.tests.fakes import FakeRouter

NIK = "3578012345670001"
PHONE = "081234567890"


def test_route_returns_suggestion_and_stores_it(client: TestClient) -> None:
    r = client.post(
        "/v1/route",
        headers=INTAKE,
        json={
            "text": "Jalan berlubang besar di depan pasar, mohon diperbaiki",
            "id": "LAPOR-1",
            "location": {"kecamatan": "Rungkut", "kelurahan": "Medokan Ayu"},
            "submitted_at": "2026-01-02T03:04:05+07:00",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["category"]["label"] == "jalan-rusak"
    assert body["agency"] == {
        "label": "Dinas Sumber Daya Air dan Bina Marga",
        "score": 0.97,
        "decision": "auto",
        "top_k": body["agency"]["top_k"],
        "explanation": ["jalan"],
        "threshold": 0.9,
        "suggested_label": None,
    }
    assert [c["label"] for c in body["agency"]["top_k"]][0] == "Dinas Sumber Daya Air dan Bina Marga"
    assert len(body["agency"]["top_k"]) == 3
    assert body["status"] == "auto" and body["model_version"] == "fake-1"
    assert body["explanation"] == ["jalan"] and body["duplicates"] == []
    stored = client.get(f"/v1/suggestions/{body['suggestion_id']}", headers=ADMIN).json()
    assert stored["id"] == "LAPOR-1"
    assert stored["location"] == {"kecamatan": "Rungkut", "kelurahan": "Medokan Ayu"}
    assert stored["submitted_at"].startswith("2026-01-01T20:04:05")  # kept, in UTC
    assert stored["decision"] is None and stored["history"] == []


def test_route_uncertain_goes_to_review_and_location_reaches_router(client: TestClient) -> None:
    body = client.post(
        "/v1/route",
        headers=INTAKE,
        json={"text": "mohon bantuan warga", "location": {"kecamatan": "Rungkut"}},
    ).json()
    assert body["status"] == "review"
    assert body["agency"]["label"] == "Kecamatan Rungkut" and body["agency"]["decision"] == "review"


def test_route_finds_earlier_duplicates_with_evidence(client: TestClient) -> None:
    first = client.post(
        "/v1/route", headers=INTAKE, json={"text": "sampah menumpuk di gang lima dekat masjid", "id": "A"}
    ).json()
    second = client.post(
        "/v1/route", headers=INTAKE, json={"text": "sampah menumpuk di gang lima dekat masjid lagi"}
    ).json()
    assert second["duplicates"][0]["suggestion_id"] == first["suggestion_id"]
    assert second["duplicates"][0]["id"] == "A"
    assert second["duplicates"][0]["is_duplicate"] is True
    assert "masjid" in second["duplicates"][0]["evidence"]


def test_route_stores_redacted_text_only(client: TestClient, database_url: str) -> None:
    r = client.post(
        "/v1/route",
        headers=INTAKE,
        json={"text": f"Saya Budi Santoso NIK {NIK} hp {PHONE} email budi@contoh.id, jalan rusak"},
    )
    assert r.status_code == 200
    stored = client.get(f"/v1/suggestions/{r.json()['suggestion_id']}", headers=ADMIN).json()["text"]
    assert "[NIK]" in stored and "[PHONE]" in stored and "[EMAIL]" in stored
    engine = create_engine(database_url)
    with engine.connect() as conn:
        dump = " ".join(str(row) for row in conn.execute(text("SELECT * FROM suggestions")))
    engine.dispose()
    for secret in (NIK, PHONE, "budi@contoh.id"):
        assert secret not in dump


def test_route_same_id_is_idempotent_and_conflicts_on_new_text(
    client: TestClient, fake_router: FakeRouter
) -> None:
    calls = fake_router.calls  # the start-up warm-up predicted once already
    a = client.post("/v1/route", headers=INTAKE, json={"text": "lampu jalan mati", "id": "X-1"}).json()
    b = client.post("/v1/route", headers=INTAKE, json={"text": "lampu jalan mati", "id": "X-1"}).json()
    assert a == b and fake_router.calls == calls + 1
    r = client.post("/v1/route", headers=INTAKE, json={"text": "lain cerita", "id": "X-1"})
    assert r.status_code == 409 and r.json()["type"] == "IdConflictError"


def test_route_batch_routes_each_in_order(client: TestClient) -> None:
    texts = ["jalan rusak", "sampah di sungai", "lampu padam", "tolong warga"]
    r = client.post("/v1/route/batch", headers=INTAKE, json={"complaints": [{"text": t} for t in texts]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["category"]["label"] for x in results] == ["jalan-rusak", "sampah", "lampu-pju", "lainnya"]
    assert len({x["suggestion_id"] for x in results}) == 4


def test_route_batch_limits(client: TestClient) -> None:
    too_many = {"complaints": [{"text": f"jalan rusak {i}"} for i in range(101)]}
    r = client.post("/v1/route/batch", headers=INTAKE, json=too_many)
    assert r.status_code == 413 and "limit is 100" in r.json()["detail"]
    # One bad text rejects the whole batch before anything is stored.
    r = client.post(
        "/v1/route/batch", headers=INTAKE, json={"complaints": [{"text": "jalan"}, {"text": "  "}]}
    )
    assert r.status_code == 422 and r.json()["type"] == "EmptyComplaintError"
    assert client.get("/v1/suggestions", headers=ADMIN).json()["total"] == 0
    assert client.post("/v1/route/batch", headers=INTAKE, json={"complaints": []}).status_code == 422


def test_route_numeric_id_and_naive_time_are_accepted(client: TestClient) -> None:
    body = client.post(
        "/v1/route",
        headers=INTAKE,
        json={"text": "lampu mati", "id": 12345, "submitted_at": "2026-01-02T03:04:05"},
    ).json()
    assert body["id"] == "12345"
    stored = client.get(f"/v1/suggestions/{body['suggestion_id']}", headers=ADMIN).json()
    assert stored["submitted_at"].startswith("2026-01-01T20:04:05")  # taken as WIB (UTC+7), stored as UTC


def test_route_concurrent_requests_share_batched_predictions(tmp_path: Path) -> None:
    import threading

    import httpx

    from service.app.main import create_app
    from service.tests.conftest import make_settings
    from service.tests.fakes import FakeIndex
    from service.tests.helpers import live_server

    router = FakeRouter(delay=0.02)  # slow enough for requests to queue up behind each other
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}"), router=router, index_factory=FakeIndex
    )
    texts = [f"{word} {i}" for i in range(6) for word in ("jalan rusak", "sampah", "mohon", "?? !!")]
    results: dict[str, tuple[int, dict]] = {}
    with live_server(app) as base:

        def send(chunk: list[str]) -> None:
            with httpx.Client(base_url=base, headers=INTAKE, timeout=30) as http:
                for text in chunk:
                    r = http.post("/v1/route", json={"text": text, "location": {"kecamatan": "Rungkut"}})
                    results[text] = (r.status_code, r.json())

        threads = [threading.Thread(target=send, args=(texts[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert max(router.batch_sizes) > 1  # some predictions were batched
    for sent, (status, body) in results.items():
        if sent.startswith("??"):  # one bad text fails only its own request
            assert status == 422 and body["type"] == "EmptyComplaintError"
            continue
        assert status == 200
        expected = router._one(sent, {"kecamatan": "Rungkut"}, 3)  # the same answer as a lone prediction
        assert body["agency"]["label"] == expected.targets["agency"].label
        assert body["category"]["score"] == expected.targets["topic"].score
