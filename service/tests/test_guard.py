"""Audit sampling and the live precision guard, on the fake router (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from lapor_nlp.routing.monitoring import errors_to_pause
from service.app.db.models import GuardEventRow
from service.app.guard import audit_sampled
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter, FakeSuggestion, FakeTarget

DLH = "Dinas Lingkungan Hidup"
DISHUB = "Dinas Perhubungan"
MIN_EVIDENCE = 10


def _app(url: str, router: Any = None, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {"guard_ttl_seconds": 0.0, "guard_min_evidence": MIN_EVIDENCE, **overrides}
    settings = make_settings(url, **values)
    return create_app(settings, router=router or FakeRouter(), index_factory=FakeIndex)


@pytest.fixture
def audit_all(database_url: str) -> Iterator[TestClient]:
    with TestClient(_app(database_url, audit_share=1.0), raise_server_exceptions=False) as c:
        yield c


def _route(c: TestClient, text: str, id_: str) -> dict[str, Any]:
    r = c.post("/v1/route", headers=INTAKE, json={"text": text, "id": id_})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _decide(c: TestClient, sid: int, agency: str, category: str = "sampah") -> None:
    r = c.post(
        f"/v1/suggestions/{sid}/decision",
        headers=ADMIN,
        json={"agency": agency, "category": category, "reviewer": "ani"},
    )
    assert r.status_code == 200, r.text


def _agency_state(c: TestClient, label: str = DLH) -> dict[str, Any] | None:
    guard = c.get("/v1/model", headers=INTAKE).json()["guard"]
    return guard["targets"].get("agency", {}).get(label)  # type: ignore[no-any-return]


def test_audit_sampled_is_deterministic_and_near_the_share() -> None:
    keys = [f"LAPOR-{i}" for i in range(4000)]
    picked = [k for k in keys if audit_sampled(k, 0.05)]
    assert picked == [k for k in keys if audit_sampled(k, 0.05)]
    assert 0.04 < len(picked) / len(keys) < 0.06
    assert not any(audit_sampled(k, 0.0) for k in keys[:100])
    assert all(audit_sampled(k, 1.0) for k in keys[:100])


def test_audit_marks_sampled_auto_decisions_and_queue_filters_them(database_url: str) -> None:
    share = 0.3
    with TestClient(_app(database_url, audit_share=share)) as c:
        routed = [_route(c, f"sampah menumpuk di blok {i}", f"A-{i}") for i in range(20)]
        review = _route(c, "tolong warga miskin", "R-1")  # review decisions are never audited
        expected = {f"A-{i}" for i in range(20) if audit_sampled(f"A-{i}", share)}
        assert {r["id"] for r in routed if r["audit"]} == expected and 0 < len(expected) < 20
        assert all(r["status"] == "auto" for r in routed) and review["audit"] is False
        page = c.get("/v1/suggestions?status=audit&limit=200", headers=ADMIN).json()
        assert {item["id"] for item in page["items"]} == expected and page["total"] == len(expected)
        assert all(item["audit"] and item["status"] == "auto" for item in page["items"])
        # once reviewed, an audit leaves the queue and keeps its mark
        first = page["items"][0]
        _decide(c, first["suggestion_id"], DLH)
        again = c.get("/v1/suggestions?status=audit&limit=200", headers=ADMIN).json()
        assert again["total"] == len(expected) - 1
        assert c.get(f"/v1/suggestions/{first['suggestion_id']}", headers=INTAKE).json()["audit"] is True


def test_audit_without_intake_id_uses_the_suggestion_id(database_url: str) -> None:
    with TestClient(_app(database_url, audit_share=0.5)) as c:
        routed = [
            c.post("/v1/route", headers=INTAKE, json={"text": f"sampah di gang {i}"}).json()
            for i in range(12)
        ]
        stored = [
            c.get(f"/v1/suggestions/{r['suggestion_id']}", headers=INTAKE).json()["audit"] for r in routed
        ]
    expected = [audit_sampled(f"suggestion-{r['suggestion_id']}", 0.5) for r in routed]
    assert [r["audit"] for r in routed] == expected and stored == expected and any(expected)


def test_guard_pauses_a_class_after_a_policy_change_and_resumes_after_a_new_model(
    audit_all: TestClient, database_url: str
) -> None:
    c = audit_all
    # 1. before the change: reviewers confirm 20 audited `auto` decisions of agency DLH
    before = 20
    for i in range(before):
        row = _route(c, f"sampah menumpuk di rt {i}", f"B-{i}")
        assert row["status"] == "auto" and row["audit"] is True
        _decide(c, row["suggestion_id"], DLH)
    state = _agency_state(c)
    assert state is not None and state["reviewed"] == before and state["correct"] == before and state["auto"]

    # 2. policy change: complaints about rubbish now go to DISHUB. Documented bound: the class leaves
    #    `auto` after errors_to_pause(correct before, target, min_evidence) wrong reviews (4 here).
    bound = errors_to_pause(before, 0.95, z=1.96, min_evidence=MIN_EVIDENCE)
    assert bound == 4
    for k in range(1, bound + 1):
        row = _route(c, f"sampah liar di sungai {k}", f"C-{k}")
        assert row["status"] == "auto", f"paused too early, after {k - 1} wrong reviews"
        _decide(c, row["suggestion_id"], DISHUB)
    state = _agency_state(c)
    assert state is not None and state["auto"] is False
    assert (state["reviewed"], state["correct"]) == (before + bound, before)
    assert state["since"] and "20 of 24" in state["reason"] and state["lower_bound"] < 0.95

    # 3. while paused: the agency goes to review (category stays auto), evidence keeps coming
    held = _route(c, "sampah dibuang di taman", "D-1")
    assert held["status"] == "review" and held["guard_held"] == ["agency"]
    assert held["agency"]["decision"] == "review" and held["category"]["decision"] == "auto"
    assert held["audit"] is False  # not an auto decision
    _decide(c, held["suggestion_id"], DLH)  # even a confirmation does not resume it
    state = _agency_state(c)
    assert state is not None and state["reviewed"] == before + bound + 1 and state["auto"] is False
    metrics = c.get("/metrics").text
    assert f'lapor_guard_auto_enabled{{label="{DLH}",target="agency"}} 0.0' in metrics
    assert 'lapor_guard_auto_enabled{label="sampah",target="category"} 1.0' in metrics
    assert f'lapor_guard_lower_bound{{label="{DLH}",target="agency"}}' in metrics

    # 4. a new model version (what a promoted retrain does): fresh evidence, auto again, switch logged
    c.app.state.models.loader = lambda _path: FakeRouter(version="fake-2")  # type: ignore[attr-defined]
    r = c.post("/v1/model/reload", headers=ADMIN, json={})
    assert r.status_code == 200, r.text
    assert r.json()["guard"]["targets"] == {}
    again = _route(c, "sampah menumpuk lagi", "E-1")
    assert again["status"] == "auto" and again["guard_held"] == []
    engine = create_engine(database_url)
    with Session(engine) as s:
        events = s.scalars(select(GuardEventRow).order_by(GuardEventRow.id)).all()
        kinds = [(e.kind, e.target, e.label, e.reviewed, e.correct) for e in events]
    engine.dispose()
    assert kinds == [("pause", "agency", DLH, 24, 20), ("resume", "agency", DLH, 0, 0)]


def test_guard_keeps_a_pause_through_a_refresh_and_resumes_after_a_full_retrain(
    audit_all: TestClient, database_url: str
) -> None:
    c = audit_all
    for i in range(20):
        _decide(c, _route(c, f"sampah menumpuk di rt {i}", f"B-{i}")["suggestion_id"], DLH)
    for k in range(4):
        _decide(c, _route(c, f"sampah liar di sungai {k}", f"C-{k}")["suggestion_id"], DISHUB)
    state = _agency_state(c)
    assert state is not None and state["auto"] is False
    models = c.app.state.models  # type: ignore[attr-defined]
    served = models.get().source
    refresh = {"settings": {"mode": "refresh", "champion": served}}
    models.loader = lambda _path: FakeRouter(version="fake-2", promotion=refresh)
    assert c.post("/v1/model/reload", headers=ADMIN, json={}).status_code == 200
    held = _route(c, "sampah menumpuk lagi", "E-1")
    assert held["status"] == "review" and held["guard_held"] == ["agency"]  # same thresholds: still paused
    state = _agency_state(c)
    assert state is not None and state["auto"] is False and "refresh" in state["reason"]
    full = {"settings": {"mode": "full", "champion": served}}
    models.loader = lambda _path: FakeRouter(version="fake-3", promotion=full)
    assert c.post("/v1/model/reload", headers=ADMIN, json={}).status_code == 200
    assert _route(c, "sampah menumpuk sekali lagi", "F-1")["status"] == "auto"
    engine = create_engine(database_url)
    with Session(engine) as s:
        kinds = [
            (e.kind, e.model_version, e.reviewed)
            for e in s.scalars(select(GuardEventRow).order_by(GuardEventRow.id))
        ]
    engine.dispose()
    assert kinds == [("pause", "fake-1", 24), ("pause", "fake-2", 24), ("resume", "fake-3", 0)]


def test_guard_does_not_pause_before_the_minimum_evidence(database_url: str) -> None:
    with TestClient(_app(database_url, audit_share=1.0)) as c:
        for i in range(MIN_EVIDENCE - 1):  # every one wrong, but fewer than the minimum
            _decide(c, _route(c, f"sampah berserakan {i}", f"F-{i}")["suggestion_id"], DISHUB)
        state = _agency_state(c)
        assert state is not None and state["auto"] is True and state["correct"] == 0
        _decide(c, _route(c, "sampah berserakan lagi", "F-last")["suggestion_id"], DISHUB)
        state = _agency_state(c)
        assert state is not None and state["auto"] is False and state["reviewed"] == MIN_EVIDENCE


def test_guard_counts_reviews_where_only_this_target_was_auto(database_url: str) -> None:
    class AgencyOnlyRouter(FakeRouter):
        """Confident agency, unsure category: under the older rule the suggestion goes to review."""

        def _one(self, X: str, location: Any, top_k: int) -> FakeSuggestion:
            s = super()._one(X, location, top_k)
            cat = s.targets["topic"]
            unsure = FakeTarget(cat.label, 0.4, cat.top_k, "review", cat.explanation)
            return FakeSuggestion({"topic": unsure, "agency": s.targets["agency"]})

    app = _app(database_url, router=AgencyOnlyRouter(), audit_share=0.0, routing_targets="category,agency")
    with TestClient(app) as c:
        for i in range(3):
            row = _route(c, f"sampah di pasar {i}", f"G-{i}")
            assert row["status"] == "review" and row["agency"]["decision"] == "auto"
            _decide(c, row["suggestion_id"], DLH if i else DISHUB)
        guard = c.get("/v1/model", headers=INTAKE).json()["guard"]
    assert guard["targets"]["agency"][DLH]["reviewed"] == 3
    assert guard["targets"]["agency"][DLH]["correct"] == 2
    assert "category" not in guard["targets"]  # the category was never auto: no evidence
    assert guard["target_precision"] == 0.95 and guard["rule"] == "upper"


def test_guard_verdict_is_shared_by_apps_on_one_database(database_url: str) -> None:
    with TestClient(_app(database_url, audit_share=1.0)) as a, TestClient(_app(database_url)) as b:
        for i in range(MIN_EVIDENCE):
            _decide(a, _route(a, f"sampah di selokan {i}", f"H-{i}")["suggestion_id"], DISHUB)
        # b recorded nothing itself; it reads the same evidence and the pause event from the database
        state = _agency_state(b)
        assert state is not None and state["auto"] is False
        assert _route(b, "sampah di selokan baru", "H-b")["guard_held"] == ["agency"]


def test_guard_can_be_switched_off(database_url: str) -> None:
    with TestClient(_app(database_url, audit_share=1.0, guard_enabled=False)) as c:
        for i in range(MIN_EVIDENCE + 2):
            _decide(c, _route(c, f"sampah di got {i}", f"I-{i}")["suggestion_id"], DISHUB)
        assert _route(c, "sampah di got lagi", "I-x")["status"] == "auto"
        state = _agency_state(c)
        assert state is not None and state["auto"] is True and state["correct"] == 0


def test_migration_from_0001_keeps_rows(tmp_path: Path) -> None:
    from sqlalchemy import text

    from service.app.db.engine import build_engine
    from service.app.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = build_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO suggestions (text, location, created_at, model_version, category_target, "
                "category_label, category_score, category_decision, category_top_k, category_explanation, "
                "agency_label, agency_score, agency_decision, agency_top_k, agency_explanation, duplicates, "
                "status) VALUES ('x', '{}', '2026-01-01 00:00:00', 'v', 'topic', 'sampah', 0.9, 'auto', "
                f"'[]', '[]', '{DLH}', 0.9, 'auto', '[]', '[]', '[]', 'auto')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT audit, guard_held, status FROM suggestions")).one()
    engine.dispose()
    assert (bool(row[0]), row[1], row[2]) == (False, "", "auto")


def test_routing_pauses_without_writing_and_a_later_read_records_the_event(database_url: str) -> None:
    """A replica that first sees a crossing while routing holds the class; the event is written later."""
    lenient = _app(database_url, audit_share=1.0, guard_min_evidence=1000)
    with TestClient(lenient) as a, TestClient(_app(database_url)) as b:
        for i in range(MIN_EVIDENCE):
            _decide(a, _route(a, f"sampah di kali {i}", f"K-{i}")["suggestion_id"], DISHUB)
        engine = create_engine(database_url)
        with Session(engine) as s:
            assert s.scalars(select(GuardEventRow)).all() == []  # a's rule never crossed
            assert _route(b, "sampah di kali lagi", "K-b")["guard_held"] == ["agency"]
            s.expire_all()
            assert s.scalars(select(GuardEventRow)).all() == []  # routing did not write
            state = _agency_state(b)
            s.expire_all()
            events = s.scalars(select(GuardEventRow)).all()
        engine.dispose()
        assert state is not None and state["auto"] is False and state["since"] is not None
        assert [(e.kind, e.reviewed, e.correct) for e in events] == [("pause", MIN_EVIDENCE, 0)]
