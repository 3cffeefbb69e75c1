"""POST /v1/route/batch is one transaction: all complaints are stored, or none (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import store
from service.app.db.models import SuggestionRow
from service.tests.conftest import ADMIN, INTAKE


def _total(client: TestClient) -> int:
    return int(client.get("/v1/suggestions", headers=ADMIN).json()["total"])


def _indexed(client: TestClient) -> int:
    return len(client.app.state.duplicates.index)  # type: ignore[attr-defined]


def _batch(client: TestClient, complaints: list[dict[str, Any]]) -> Any:
    return client.post("/v1/route/batch", headers=INTAKE, json={"complaints": complaints})


def test_batch_id_conflict_on_a_later_item_stores_nothing(client: TestClient) -> None:
    assert (
        client.post("/v1/route", headers=INTAKE, json={"text": "lampu jalan mati", "id": "A-1"}).status_code
        == 200
    )
    before, indexed = _total(client), _indexed(client)
    r = _batch(
        client,
        [
            {"text": "jalan rusak di depan pasar", "id": "B-1"},
            {"text": "sampah menumpuk di sungai", "id": "B-2"},
            {"text": "cerita lain sama sekali", "id": "A-1"},
        ],
    )
    assert r.status_code == 409
    assert r.json()["type"] == "IdConflictError"
    assert "complaints[2]" in r.json()["detail"] and "'A-1'" in r.json()["detail"]
    assert _total(client) == before
    assert _indexed(client) == indexed
    # The earlier items were not stored: sending them again routes them as new.
    r = _batch(client, [{"text": "jalan rusak di depan pasar", "id": "B-1"}])
    assert r.status_code == 200 and _total(client) == before + 1


def test_batch_same_id_twice_with_other_text_is_a_conflict(client: TestClient) -> None:
    r = _batch(client, [{"text": "jalan rusak", "id": "C-1"}, {"text": "lampu padam", "id": "C-1"}])
    assert r.status_code == 409 and "complaints[1]" in r.json()["detail"]
    assert _total(client) == 0 and _indexed(client) == 0


def test_batch_same_id_twice_with_same_text_is_stored_once(client: TestClient) -> None:
    r = _batch(client, [{"text": "jalan rusak", "id": "D-1"}, {"text": "jalan rusak", "id": "D-1"}])
    assert r.status_code == 200
    first, second = r.json()["results"]
    assert first["suggestion_id"] == second["suggestion_id"]
    assert _total(client) == 1


def test_batch_bad_text_names_the_item(client: TestClient) -> None:
    r = _batch(client, [{"text": "jalan rusak"}, {"text": "!!! ???"}])
    assert r.status_code == 422 and "complaints[1]" in r.json()["detail"]
    assert _total(client) == 0


def test_batch_later_items_see_earlier_ones_as_duplicates(client: TestClient) -> None:
    r = _batch(
        client,
        [
            {"text": "lampu jalan mati di gang tiga sejak kemarin", "id": "E-1"},
            {"text": "lampu jalan mati di gang tiga sejak kemarin malam", "id": "E-2"},
        ],
    )
    assert r.status_code == 200
    first, second = r.json()["results"]
    assert first["duplicates"] == []
    assert [d["suggestion_id"] for d in second["duplicates"]] == [first["suggestion_id"]]
    assert second["duplicates"][0]["id"] == "E-1"
    assert _indexed(client) == 2


def test_batch_race_with_another_replica_rolls_back_and_undoes_the_index(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another replica stores the id of a later item (other text) while this batch is predicted."""
    real_predict = store._predict

    def predict_then_race(*args: Any, **kwargs: Any) -> Any:
        out = real_predict(*args, **kwargs)
        with client.app.state.sessionmaker() as other:  # type: ignore[attr-defined]
            other.add(_row("F-2", "teks lain dari replika lain"))
            other.commit()
        monkeypatch.setattr(store, "_predict", real_predict)
        return out

    monkeypatch.setattr(store, "_predict", predict_then_race)
    r = _batch(client, [{"text": "jalan rusak parah", "id": "F-1"}, {"text": "got mampet", "id": "F-2"}])
    assert r.status_code == 409 and "complaints[1]" in r.json()["detail"]
    assert _total(client) == 1  # only the other replica's row
    dups = client.app.state.duplicates  # type: ignore[attr-defined]
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        ids = [row.id for row in session.query(SuggestionRow).all()]
        store.rebuild_index(session, dups)
    assert sorted(int(k) for k in dups.index.docs) == ids  # the rolled-back F-1 is not indexed


def test_single_route_race_on_same_id_replays_the_stored_result(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_predict = store._predict
    text = "trotoar dipakai parkir liar"

    def predict_then_race(*args: Any, **kwargs: Any) -> Any:
        out = real_predict(*args, **kwargs)
        with client.app.state.sessionmaker() as other:  # type: ignore[attr-defined]
            other.add(_row("G-1", text))
            other.commit()
        monkeypatch.setattr(store, "_predict", real_predict)
        return out

    monkeypatch.setattr(store, "_predict", predict_then_race)
    r = client.post("/v1/route", headers=INTAKE, json={"text": text, "id": "G-1"})
    assert r.status_code == 200, r.text
    assert r.json()["category"]["label"] == "stored-elsewhere"  # the other replica's result
    assert _total(client) == 1


def _row(external_id: str, text: str) -> SuggestionRow:
    target = {"label": "stored-elsewhere", "score": 0.5, "decision": "review", "top_k": [], "explanation": []}
    return SuggestionRow(
        external_id=external_id,
        text=text,
        location={},
        model_version="other",
        category_target="topic",
        category_label=target["label"],
        category_score=0.5,
        category_decision="review",
        category_top_k=[],
        category_explanation=[],
        agency_label="x",
        agency_score=0.5,
        agency_decision="review",
        agency_top_k=[],
        agency_explanation=[],
        duplicates=[],
        status="review",
    )


def test_index_sync_finds_rows_committed_out_of_id_order(client: TestClient) -> None:
    """Replica X takes id 1001, replica Y commits 1002 first: a sync in between must not lose 1001.

    (Explicit ids above the sequence, so the route at the end does not collide with them.)"""
    dups = client.app.state.duplicates  # type: ignore[attr-defined]
    sessionmaker = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with sessionmaker() as session:
        late = _row("H-1", "pohon tumbang menutup jalan")
        late.id = 1001
        early = _row("H-2", "got mampet di depan sekolah")
        early.id = 1002
        session.add(early)
        session.commit()
        store.rebuild_index(session, dups)
        assert 1001 in dups.open_gaps() and "1001" not in dups.index
        session.add(late)
        session.commit()
        store.rebuild_index(session, dups)
    assert "1001" in dups.index and "1002" in dups.index
    assert 1001 not in dups.open_gaps()
    r = client.post("/v1/route", headers=INTAKE, json={"text": "pohon tumbang menutup jalan raya"})
    assert 1001 in [d["suggestion_id"] for d in r.json()["duplicates"]]
