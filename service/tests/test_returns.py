"""Returns ("Bukan Wewenang") and acceptances from the receiving office: review queue, guard, metrics,
feedback export (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from service.app.db.engine import build_engine
from service.app.feedback import iter_feedback
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, KEYS, make_settings
from service.tests.fakes import FakeIndex, FakeRouter

AGENCY_KEY = "agency-test-key-5555555555"
AGENCY = {"X-API-Key": AGENCY_KEY}
DLH = "Dinas Lingkungan Hidup"


def _app(url: str, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "api_keys": f"{KEYS},agency:{AGENCY_KEY}",
        "guard_ttl_seconds": 0.0,
        **overrides,
    }
    return create_app(make_settings(url, **values), router=FakeRouter(), index_factory=FakeIndex)


def _route(c: TestClient, text: str, id_: str) -> dict[str, Any]:
    r = c.post("/v1/route", headers=INTAKE, json={"text": text, "id": id_})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _return(c: TestClient, sid: int, agency: str = DLH, key: dict[str, str] = AGENCY) -> Any:
    return c.post(
        f"/v1/suggestions/{sid}/return",
        headers=key,
        json={"agency": agency, "reason": "Bukan wewenang: urusan kecamatan", "by": "operator-dlh"},
    )


def _agency_state(c: TestClient, label: str = DLH) -> dict[str, Any] | None:
    guard = c.get("/v1/model", headers=INTAKE).json()["guard"]
    return guard["targets"].get("agency", {}).get(label)  # type: ignore[no-any-return]


def test_a_returned_complaint_is_back_in_review_first_without_the_returning_office(database_url: str) -> None:
    with TestClient(_app(database_url)) as c:
        waiting = _route(c, "tolong warga miskin", "R-0")  # in review already, routed first
        sent = _route(c, "sampah menumpuk di gang", "R-1")
        assert sent["status"] == "auto" and sent["agency"]["label"] == DLH
        assert _return(c, sent["suggestion_id"], key=INTAKE).status_code == 403
        r = _return(c, sent["suggestion_id"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "review"
        assert body["returned"]["agency"] == DLH and body["returned"]["by"] == "operator-dlh"
        assert body["returned"]["reason"].startswith("Bukan wewenang") and body["returned"]["returned_at"]
        # the office that returned it is not offered first, and not pre-selected
        assert body["agency"]["label"] != DLH and body["agency"]["decision"] == "review"
        assert body["agency"]["top_k"][-1]["label"] == DLH
        queue = c.get("/v1/suggestions?status=review", headers=ADMIN).json()["items"]
        assert [i["id"] for i in queue] == ["R-1", "R-0"]  # returned ones first
        assert queue[1]["suggestion_id"] == waiting["suggestion_id"] and queue[1]["returned"] is None
        # the admin key may return too; bad input is refused clearly
        assert _return(c, waiting["suggestion_id"], key=ADMIN).status_code == 200
        assert _return(c, 999999).status_code == 404
        bad = c.post(
            f"/v1/suggestions/{sent['suggestion_id']}/return",
            headers=AGENCY,
            json={"agency": DLH, "reason": "  ", "by": "x"},
        )
        assert bad.status_code == 422
        # a reviewer decides again: the export marks it as a strong example with its final label
        r = c.post(
            f"/v1/suggestions/{sent['suggestion_id']}/decision",
            headers=ADMIN,
            json={"agency": "Kecamatan Rungkut", "category": "sampah", "reviewer": "ani"},
        )
        assert r.status_code == 200 and r.json()["status"] == "decided"
    engine = build_engine(database_url)
    with Session(engine) as session:
        records = {r["id"]: r for r in iter_feedback(session)}
    engine.dispose()
    assert records["R-1"]["agency"] == "Kecamatan Rungkut" and records["R-1"]["strong_example"] == "1"
    assert records["R-1"]["returned_by"] == DLH and records["R-1"]["suggested_agency"] == DLH


def test_22_returns_pause_the_agency_and_the_next_like_complaint_goes_to_review(database_url: str) -> None:
    with TestClient(_app(database_url, audit_share=0.0)) as c:
        sent = [_route(c, f"sampah menumpuk di rt {i}", f"S-{i}") for i in range(22)]
        assert all(s["status"] == "auto" and s["agency"]["label"] == DLH for s in sent)
        for s in sent:
            assert _return(c, s["suggestion_id"]).status_code == 200
        queue = c.get("/v1/suggestions?status=review&limit=200", headers=ADMIN).json()
        assert queue["total"] == 22 and all(i["returned"]["agency"] == DLH for i in queue["items"])
        state = _agency_state(c)
        assert state is not None and state["auto"] is False
        assert (state["reviewed"], state["correct"]) == (22, 0) and "0 of 2" in state["reason"]
        like = _route(c, "sampah menumpuk di pasar", "S-next")
        assert like["status"] == "review" and like["guard_held"] == ["agency"]
        info = c.get("/v1/model", headers=INTAKE).json()
        assert info["agency_responses"][DLH] == {"returned": 22, "accepted": 0}
        metrics = c.get("/metrics").text
        assert f'lapor_agency_returns_total{{agency="{DLH}"}} 22.0' in metrics


def test_acceptances_count_as_right_and_a_decision_counts_instead_of_the_office(database_url: str) -> None:
    with TestClient(_app(database_url, audit_share=0.0)) as c:
        sent = [_route(c, f"sampah di blok {i}", f"A-{i}") for i in range(4)]
        for s in sent[:3]:
            r = c.post(
                f"/v1/suggestions/{s['suggestion_id']}/accept",
                headers=AGENCY,
                json={"agency": DLH, "by": "x"},
            )
            assert r.status_code == 200 and r.json()["agency_decision"] == "auto"
        assert _return(c, sent[3]["suggestion_id"]).status_code == 200
        state = _agency_state(c)
        assert state is not None and (state["reviewed"], state["correct"]) == (4, 3)
        # the reviewer confirms the returned one was DLH's after all: the decision counts, not the return
        c.post(
            f"/v1/suggestions/{sent[3]['suggestion_id']}/decision",
            headers=ADMIN,
            json={"agency": DLH, "category": "sampah", "reviewer": "ani"},
        )
        state = _agency_state(c)
        assert state is not None and (state["reviewed"], state["correct"]) == (4, 4)
        # a return by an office the model did not suggest says nothing about the model
        other = _route(c, "sampah lagi", "A-x")
        assert _return(c, other["suggestion_id"], agency="Dinas Perhubungan").status_code == 200
        state = _agency_state(c)
        assert state is not None and state["reviewed"] == 4
        assert c.get("/v1/model", headers=INTAKE).json()["agency_responses"][DLH] == {
            "returned": 1,
            "accepted": 3,
        }
        assert 'lapor_agency_accepts_total{agency="Dinas Lingkungan Hidup"} 3.0' in c.get("/metrics").text


@pytest.mark.parametrize("days", [1e-5])
def test_accept_after_days_counts_silence_as_acceptance(database_url: str, days: float) -> None:
    with TestClient(_app(database_url, audit_share=0.0, accept_after_days=days)) as c:
        sent = [_route(c, f"sampah di blok {i}", f"D-{i}") for i in range(3)]
        time.sleep(days * 86400 + 0.2)
        assert _return(c, sent[0]["suggestion_id"]).status_code == 200
        state = _agency_state(c)
        assert state is not None and (state["reviewed"], state["correct"]) == (3, 2)
    with TestClient(_app(database_url, audit_share=0.0)) as c:  # off: only the return counts
        state = _agency_state(c)
        assert state is not None and (state["reviewed"], state["correct"]) == (1, 0)
