"""Reviewer claims: the oldest unclaimed items, held for one reviewer until decided, released or expired."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter

# FakeRouter: "tolong ..." goes to review, "jalan/sampah/lampu" is routed auto.
REVIEW = [f"tolong warga nomor {i}" for i in range(8)]


def _route(client: TestClient, texts: list[str]) -> list[int]:
    return [client.post("/v1/route", headers=INTAKE, json={"text": t}).json()["suggestion_id"] for t in texts]


def _claim(client: TestClient, reviewer: str, **body: object) -> dict:
    r = client.post("/v1/suggestions/claim", headers=ADMIN, json={"reviewer": reviewer, **body})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _ids(claimed: dict) -> list[int]:
    return [item["suggestion_id"] for item in claimed["items"]]


def _decide(client: TestClient, sid: int, reviewer: str, **extra: object):  # type: ignore[no-untyped-def]
    body = {"agency": "Dinas Perhubungan", "category": "lainnya", "reviewer": reviewer, **extra}
    return client.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=body)


def test_claims_hand_each_reviewer_other_items_oldest_first(client: TestClient) -> None:
    ids = _route(client, ["jalan rusak", *REVIEW[:5]])
    review = ids[1:]
    ani = _claim(client, "ani", limit=2)
    assert _ids(ani) == review[:2]
    assert all(item["claimed_by"] == "ani" for item in ani["items"])
    assert ani["items"][0]["claimed_until"] == ani["claimed_until"]
    budi = _claim(client, "budi", limit=2)
    assert _ids(budi) == review[2:4]
    # Claiming again renews what the reviewer holds (first), then tops up with free items.
    again = _claim(client, "ani", limit=3)
    assert _ids(again) == [*review[:2], review[4]]
    assert again["claimed_until"] >= ani["claimed_until"]
    assert _claim(client, "citra", limit=5)["items"] == []  # everything is held
    shown = client.get(f"/v1/suggestions/{review[0]}", headers=ADMIN).json()
    assert shown["claimed_by"] == "ani"


def test_claim_filters_and_audit_queue(client: TestClient) -> None:
    _route(client, REVIEW[:2])
    assert _claim(client, "ani", limit=5, agency="Kecamatan Rungkut")["items"] == []
    assert _claim(client, "ani", status="audit")["items"] == []  # only auto decisions are audited
    r = client.post("/v1/suggestions/claim", headers=ADMIN, json={"reviewer": "ani", "status": "decided"})
    assert r.status_code == 422
    r = client.post("/v1/suggestions/claim", headers=ADMIN, json={"reviewer": "  "})
    assert r.status_code == 422
    r = client.post("/v1/suggestions/claim", headers=INTAKE, json={"reviewer": "ani"})
    assert r.status_code == 403


def test_decision_on_another_reviewers_claim_is_409_unless_forced(client: TestClient) -> None:
    sid = _route(client, REVIEW[:1])[0]
    _claim(client, "ani")
    r = _decide(client, sid, "budi")
    assert r.status_code == 409
    body = r.json()
    assert body["type"] == "ClaimedByOther" and body["claimed_by"] == "ani" and body["claimed_until"]
    assert client.get(f"/v1/suggestions/{sid}", headers=ADMIN).json()["status"] == "review"
    # renewing someone else's claim is refused the same way
    r = client.post(f"/v1/suggestions/{sid}/claim", headers=ADMIN, json={"reviewer": "budi"})
    assert r.status_code == 409 and r.json()["type"] == "ClaimedByOther"
    forced = _decide(client, sid, "supervisor", force=True)
    assert forced.status_code == 200 and forced.json()["decision"]["reviewer"] == "supervisor"
    assert forced.json()["claimed_by"] is None  # a decision ends the claim
    r = client.post(f"/v1/suggestions/{sid}/claim", headers=ADMIN, json={"reviewer": "ani"})
    assert r.status_code == 409 and r.json()["type"] == "AlreadyDecided"
    assert (
        client.post("/v1/suggestions/999999/claim", headers=ADMIN, json={"reviewer": "a"}).status_code == 404
    )


def test_holder_decides_and_decided_items_are_not_claimed_again(client: TestClient) -> None:
    ids = _route(client, REVIEW[:2])
    assert _ids(_claim(client, "ani")) == ids[:1]
    assert _decide(client, ids[0], "ani").status_code == 200
    assert _ids(_claim(client, "ani", limit=5)) == ids[1:]
    assert _ids(_claim(client, "budi", limit=5)) == []


def test_release_on_sign_out_hands_items_to_others(client: TestClient) -> None:
    ids = _route(client, REVIEW[:3])
    _claim(client, "ani", limit=3)
    r = client.post("/v1/suggestions/release", headers=ADMIN, json={"reviewer": "ani", "ids": [ids[0]]})
    assert r.status_code == 200 and r.json() == {"released": 1}
    assert _ids(_claim(client, "budi", limit=3)) == ids[:1]
    r = client.post("/v1/suggestions/release", headers=ADMIN, json={"reviewer": "ani"})
    assert r.json() == {"released": 2}
    assert _ids(_claim(client, "budi", limit=3)) == ids
    assert client.post("/v1/suggestions/release", headers=ADMIN, json={"reviewer": "ani"}).json() == {
        "released": 0
    }


def test_renew_keeps_a_claim_past_its_first_expiry(client: TestClient) -> None:
    sid = _route(client, REVIEW[:1])[0]
    first = _claim(client, "ani")
    renewed = client.post(f"/v1/suggestions/{sid}/claim", headers=ADMIN, json={"reviewer": "ani"})
    assert renewed.status_code == 200
    assert renewed.json()["claimed_until"] >= first["claimed_until"]
    assert renewed.json()["items"][0]["claimed_by"] == "ani"


@pytest.fixture
def short_claims(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", claim_seconds=0.5)
    with TestClient(create_app(settings, router=FakeRouter(), index_factory=FakeIndex)) as c:
        yield c


def test_expired_claims_go_to_the_next_reviewer(short_claims: TestClient) -> None:
    ids = _route(short_claims, REVIEW[:1])
    assert _ids(_claim(short_claims, "ani")) == ids
    assert _ids(_claim(short_claims, "budi")) == []
    time.sleep(0.7)
    assert short_claims.get(f"/v1/suggestions/{ids[0]}", headers=ADMIN).json()["claimed_by"] is None
    assert _ids(_claim(short_claims, "budi")) == ids
    assert _decide(short_claims, ids[0], "ani").status_code == 409  # ani's claim ran out; budi holds it


def test_concurrent_claims_never_hand_an_item_twice(client: TestClient) -> None:
    ids = _route(client, REVIEW)

    def take(reviewer: str) -> list[int]:
        return _ids(_claim(client, reviewer, limit=2))

    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(take, [f"r{i}" for i in range(6)]))
    flat = [sid for g in got for sid in g]
    assert len(flat) == len(set(flat)) == len(ids)  # 8 items, 6 x 2 asked: all handed, none twice
    assert sorted(flat) == sorted(ids)
