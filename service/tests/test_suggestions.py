"""The review queue: listing, paging, filters, decisions that keep the original suggestion."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.tests.conftest import ADMIN, INTAKE

TEXTS = ["tolong warga satu", "jalan rusak", "tolong warga dua", "sampah", "tolong warga tiga"]


def _route_all(client: TestClient) -> list[dict]:
    return [client.post("/v1/route", headers=INTAKE, json={"text": t}).json() for t in TEXTS]


def test_suggestions_list_filters_and_pages_oldest_first(client: TestClient) -> None:
    routed = _route_all(client)
    review = client.get("/v1/suggestions?status=review", headers=ADMIN).json()
    assert review["total"] == 3
    assert [i["text"] for i in review["items"]] == [
        "tolong warga satu",
        "tolong warga dua",
        "tolong warga tiga",
    ]
    page = client.get("/v1/suggestions?limit=2&offset=2", headers=ADMIN).json()
    assert page["total"] == 5 and [i["suggestion_id"] for i in page["items"]] == [
        routed[2]["suggestion_id"],
        routed[3]["suggestion_id"],
    ]
    newest = client.get("/v1/suggestions?order=newest&limit=1", headers=ADMIN).json()["items"][0]
    assert newest["suggestion_id"] == routed[-1]["suggestion_id"]
    auto = client.get("/v1/suggestions?status=auto&agency=Dinas%20Lingkungan%20Hidup", headers=ADMIN).json()
    assert [i["text"] for i in auto["items"]] == ["sampah"]
    assert client.get("/v1/suggestions?category=jalan-rusak", headers=ADMIN).json()["total"] == 1


def test_suggestions_decision_accept_override_keeps_original(client: TestClient) -> None:
    routed = _route_all(client)
    sid = routed[0]["suggestion_id"]
    accept = {
        "agency": routed[0]["agency"]["label"],
        "category": routed[0]["category"]["label"],
        "reviewer": "ani",
    }
    r = client.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=accept)
    assert r.status_code == 200
    assert r.json()["decision"]["outcome"] == "accepted" and r.json()["status"] == "decided"
    override = {"agency": "Dinas Lingkungan Hidup", "category": "sampah", "reviewer": "budi"}
    body = client.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=override).json()
    assert body["decision"]["outcome"] == "overridden" and body["decision"]["reviewer"] == "budi"
    assert [d["reviewer"] for d in body["history"]] == ["ani", "budi"]
    # The labels are the decided ones (dispatch on them); the model's own suggestion is kept beside them.
    assert body["agency"]["label"] == "Dinas Lingkungan Hidup" and body["agency"]["decision"] == "decided"
    assert body["agency"]["suggested_label"] == routed[0]["agency"]["label"]
    assert body["category"]["top_k"] == routed[0]["category"]["top_k"]
    assert body["disposition"]["agency"] == "Dinas Lingkungan Hidup"
    assert body["disposition"]["by"] == "reviewer" and body["disposition"]["category"] == "sampah"
    assert client.get("/v1/suggestions?status=review", headers=ADMIN).json()["total"] == 2
    assert client.get("/v1/suggestions?status=decided", headers=ADMIN).json()["total"] == 1


def test_suggestions_unknown_agency_is_accepted_and_flagged(client: TestClient) -> None:
    sid = _route_all(client)[0]["suggestion_id"]
    r = client.post(
        f"/v1/suggestions/{sid}/decision",
        headers=ADMIN,
        json={"agency": "Dinas Baru Sekali", "category": "lainnya", "reviewer": "ani"},
    )
    assert r.status_code == 200
    decision = r.json()["decision"]
    assert decision["agency"] == "Dinas Baru Sekali"
    assert decision["unknown_agency"] is True and decision["unknown_category"] is False
    assert (
        client.get(f"/v1/suggestions/{sid}", headers=ADMIN).json()["decision"]["agency"]
        == "Dinas Baru Sekali"
    )


def test_suggestions_mark_duplicate(client: TestClient) -> None:
    routed = _route_all(client)
    a, b = routed[0]["suggestion_id"], routed[2]["suggestion_id"]
    body = {"agency": "Dinas Perhubungan", "category": "lainnya", "reviewer": "ani", "duplicate_of": a}
    r = client.post(f"/v1/suggestions/{b}/decision", headers=ADMIN, json=body)
    assert r.status_code == 200 and r.json()["decision"]["outcome"] == "duplicate"
    assert r.json()["decision"]["duplicate_of"] == a
    for bad, status in ((b, 422), (12345, 422)):
        r = client.post(f"/v1/suggestions/{b}/decision", headers=ADMIN, json={**body, "duplicate_of": bad})
        assert r.status_code == status and r.json()["type"] == "InvalidReferenceError"


def test_suggestions_decision_validation(client: TestClient) -> None:
    sid = _route_all(client)[0]["suggestion_id"]
    for body in (
        {"agency": "x", "category": "y"},
        {"agency": " ", "category": "y", "reviewer": "z"},
        {"agency": 1, "category": "y", "reviewer": "z"},
    ):
        r = client.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=body)
        assert r.status_code == 422 and r.json()["type"] == "ValidationError"
    assert client.get(f"/v1/suggestions/{sid}", headers=ADMIN).json()["decision"] is None
