"""Dispatch on the routing targets, the disposition of a complaint, and lookups by the intake id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from lapor_nlp.routing import AgencyPolicy
from service.app.config import Settings
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter, FakeSuggestion, FakeTarget


class UnsureCategoryRouter(FakeRouter):
    """Confident agency, unsure category (the case the older rule held back)."""

    def _one(self, X: str, location: Any, top_k: int) -> FakeSuggestion:
        s = super()._one(X, location, top_k)
        cat = s.targets["topic"]
        unsure = FakeTarget(cat.label, 0.4, cat.top_k, "review", cat.explanation, 0.85)
        return FakeSuggestion({"topic": unsure, "agency": s.targets["agency"]})


def _client(database_url: str, **overrides: object) -> TestClient:
    settings = make_settings(database_url, audit_share=0.0, **overrides)
    return TestClient(create_app(settings, router=UnsureCategoryRouter(), index_factory=FakeIndex))


def _route(c: TestClient, text: str, id_: str) -> dict[str, Any]:
    r = c.post("/v1/route", headers=INTAKE, json={"text": text, "id": id_})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_dispatch_on_agency_by_default_category_to_confirm(database_url: str) -> None:
    with _client(database_url) as c:
        body = _route(c, "sampah menumpuk di pasar", "D-1")
        assert body["status"] == "auto"
        assert body["agency"]["decision"] == "auto" and body["category"]["decision"] == "review"
        assert body["category"]["threshold"] == 0.85 and body["category"]["score"] == 0.4
        assert body["disposition"]["agency"] == "Dinas Lingkungan Hidup"
        assert body["disposition"]["by"] == "model" and body["disposition"]["category_confirmed"] is False
        unsure = _route(c, "tolong dicek ya", "D-2")  # nothing confident: waits for review
        assert unsure["status"] == "review" and unsure["disposition"] is None
        page = c.get("/v1/suggestions?status=categorise", headers=ADMIN).json()
        assert [i["id"] for i in page["items"]] == ["D-1"]
        assert c.get("/v1/suggestions?status=review", headers=ADMIN).json()["total"] == 1
        assert c.get("/v1/model", headers=INTAKE).json()["routing_targets"] == ["agency"]


def test_dispatch_older_rule_needs_both_targets(database_url: str) -> None:
    with _client(database_url, routing_targets="category,agency") as c:
        body = _route(c, "sampah menumpuk di pasar", "E-1")
        assert body["status"] == "review" and body["agency"]["decision"] == "auto"
        assert body["disposition"] is None
        assert c.get("/v1/suggestions?status=categorise", headers=ADMIN).json()["total"] == 0
        assert c.get("/v1/model", headers=INTAKE).json()["routing_targets"] == ["category", "agency"]


@pytest.mark.parametrize("value", ["", "topic", "agency,kecamatan", " , "])
def test_dispatch_routing_targets_setting_is_checked(value: str) -> None:
    with pytest.raises(ValidationError, match="LAPOR_NLP_ROUTING_TARGETS"):
        Settings(routing_targets=value)


def test_dispatch_decided_complaint_replays_the_decision(database_url: str) -> None:
    with _client(database_url) as c:
        first = _route(c, "lampu jalan mati", "F-1")
        decision = {"agency": "Kecamatan Rungkut", "category": "lainnya", "reviewer": "ani"}
        r = c.post(f"/v1/suggestions/{first['suggestion_id']}/decision", headers=ADMIN, json=decision)
        assert r.status_code == 200, r.text
        again = _route(c, "lampu jalan mati", "F-1")
        assert again["status"] == "decided"
        assert (
            again["disposition"]["agency"] == "Kecamatan Rungkut" and again["disposition"]["by"] == "reviewer"
        )
        # Nothing in the answer still names the model's agency as the label to dispatch on.
        assert again["agency"]["label"] == "Kecamatan Rungkut" and again["agency"]["decision"] == "decided"
        assert again["agency"]["suggested_label"] == first["agency"]["label"] != "Kecamatan Rungkut"
        looked_up = c.get("/v1/complaints/F-1", headers=INTAKE)
        assert looked_up.status_code == 200
        assert looked_up.json()["disposition"] == again["disposition"]
        assert looked_up.json()["history"][0]["reviewer"] == "ani"


def test_dispatch_complaint_lookup_by_intake_id(database_url: str) -> None:
    with _client(database_url) as c:
        spaced = _route(c, "jalan berlubang besar", "G 7")
        assert (
            c.get("/v1/complaints/G%207", headers=INTAKE).json()["suggestion_id"] == spaced["suggestion_id"]
        )
        routed = _route(c, "jalan berlubang lagi", "G-8")
        body = c.get("/v1/complaints/G-8", headers=INTAKE).json()
        assert body["suggestion_id"] == routed["suggestion_id"] and body["status"] == "auto"
        assert body["disposition"]["agency"] == routed["agency"]["label"]
        missing = c.get("/v1/complaints/nope", headers=INTAKE)
        assert missing.status_code == 404 and missing.json()["type"] == "SuggestionNotFoundError"
        assert c.get("/v1/complaints/G-8").status_code == 401


def _table() -> AgencyPolicy:
    rows = (
        [("lampu-pju", "Dinas Perhubungan", "Rungkut")] * 5
        + [("lainnya", "Kecamatan Rungkut", "Rungkut")] * 3
        + [("lainnya", "Kecamatan Sukolilo", "Sukolilo")] * 3
    )
    cats, agencies, kec = zip(*rows, strict=True)
    times = [datetime(2022, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(len(rows))]
    return AgencyPolicy(reviewer_weight=2.0).fit(cats, agencies, locations={"kecamatan": kec}, times=times)


def _policy_client(database_url: str, table: AgencyPolicy | None) -> TestClient:
    settings = make_settings(database_url, audit_share=0.0)
    app = create_app(
        settings, router=FakeRouter(), index_factory=FakeIndex, policy_loader=lambda model: table
    )
    return TestClient(app)


def test_policy_endpoint_proposes_and_follows_reviewers(database_url: str) -> None:
    with _policy_client(database_url, _table()) as c:
        r = c.get("/v1/policy/agency", params={"category": "lampu-pju"}, headers=INTAKE)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["agency"] == "Dinas Perhubungan" and body["share"] == 1.0 and body["n"] == 5
        place = c.get(
            "/v1/policy/agency", params={"category": "lainnya", "kecamatan": "Rungkut"}, headers=ADMIN
        ).json()
        assert place["agency"] == "Kecamatan Rungkut" and place["role"] == "Kecamatan {kecamatan}"
        no_place = c.get("/v1/policy/agency", params={"category": "lainnya"}, headers=INTAKE).json()
        assert no_place["agency"] is None and no_place["n"] == 6
        unknown = c.get("/v1/policy/agency", params={"category": "nope"}, headers=INTAKE).json()
        assert unknown["agency"] is None and unknown["n"] == 0
        # Reviewers now send street lights to the environment office: the table follows.
        for i in range(4):
            sid = _route(c, f"lampu mati di gang {i}", f"P-{i}")["suggestion_id"]
            decision = {"agency": "Dinas Lingkungan Hidup", "category": "lampu-pju", "reviewer": "ani"}
            assert c.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=decision).status_code == 200
        typo = _route(c, "lampu mati lagi", "P-x")["suggestion_id"]
        bad = {"agency": "kominfo", "category": "lampu-pju", "reviewer": "ani"}  # unknown: never learned
        assert c.post(f"/v1/suggestions/{typo}/decision", headers=ADMIN, json=bad).status_code == 200
        after = c.get("/v1/policy/agency", params={"category": "lampu-pju"}, headers=INTAKE).json()
        assert after["agency"] == "Dinas Lingkungan Hidup" and after["n"] == 9
        assert c.get("/v1/policy/agency", params={"category": "lampu-pju"}).status_code == 401


def test_policy_endpoint_without_a_table_says_so(database_url: str) -> None:
    with _policy_client(database_url, None) as c:
        r = c.get("/v1/policy/agency", params={"category": "lampu-pju"}, headers=INTAKE)
        assert r.status_code == 200 and r.json()["table"] is False and r.json()["agency"] is None
        assert c.get("/v1/policy/agency", headers=INTAKE).status_code == 422


def test_undo_takes_back_the_latest_decision_of_its_reviewer(database_url: str) -> None:
    with _client(database_url) as c:
        waiting = _route(c, "tolong dicek ya", "U-1")
        sid = waiting["suggestion_id"]
        decision = {"agency": "Dinas Sosial", "category": "lainnya", "reviewer": "ani"}
        assert c.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=decision).status_code == 200
        other = c.delete(f"/v1/suggestions/{sid}/decision", params={"reviewer": "budi"}, headers=ADMIN)
        assert other.status_code == 409 and other.json()["type"] == "IdConflictError"
        assert c.delete(f"/v1/suggestions/{sid}/decision", params={"reviewer": "ani"}).status_code == 401
        r = c.delete(f"/v1/suggestions/{sid}/decision", params={"reviewer": "ani"}, headers=ADMIN)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "review" and body["decision"] is None and body["history"] == []
        assert body["agency"]["label"] == waiting["agency"]["label"] and body["disposition"] is None
        again = c.delete(f"/v1/suggestions/{sid}/decision", params={"reviewer": "ani"}, headers=ADMIN)
        assert again.status_code == 409
        # a complaint dispatched with its category to confirm goes back to that queue
        auto = _route(c, "sampah menumpuk", "U-2")["suggestion_id"]
        decision = {"agency": "Dinas Lingkungan Hidup", "category": "sampah", "reviewer": "ani"}
        c.post(f"/v1/suggestions/{auto}/decision", headers=ADMIN, json=decision)
        assert c.get("/v1/suggestions?status=categorise", headers=ADMIN).json()["total"] == 0
        c.delete(f"/v1/suggestions/{auto}/decision", params={"reviewer": "ani"}, headers=ADMIN)
        assert c.get("/v1/suggestions?status=categorise", headers=ADMIN).json()["total"] == 1


def test_model_info_serves_the_aliases_beside_the_model(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "aliases.tsv").write_text(
        "# comment\nDinas Perhubungan\tDishub\nDinas Lingkungan Hidup\tDLH\n", encoding="utf-8"
    )
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", model_dir=model_dir)
    app = create_app(settings, loader=lambda path: FakeRouter(), index_factory=FakeIndex)
    with TestClient(app) as c:
        aliases = c.get("/v1/model", headers=INTAKE).json()["aliases"]
    assert aliases == {"Dinas Perhubungan": ["Dishub"], "Dinas Lingkungan Hidup": ["DLH"]}


def test_migration_0003_fills_routed_with_the_older_rule(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    from service.app.db.migrate import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    columns = (
        "text, location, model_version, category_target, category_label, category_score, category_decision, "
        "category_top_k, category_explanation, agency_label, agency_score, agency_decision, agency_top_k, "
        "agency_explanation, duplicates, status, created_at"
    )
    with engine.begin() as conn:
        for cat, ag, status in (("auto", "auto", "auto"), ("review", "auto", "review")):
            conn.execute(
                text(
                    f"INSERT INTO suggestions ({columns}) VALUES ('x', '{{}}', 'v', 'topic', 'c', 0.5, :cat, "
                    "'[]', '[]', 'a', 0.9, :ag, '[]', '[]', '[]', :status, '2026-01-01 00:00:00')"
                ),
                {"cat": cat, "ag": ag, "status": status},
            )
    upgrade(engine)
    with engine.connect() as conn:
        routed = conn.execute(text("SELECT routed FROM suggestions ORDER BY id")).scalars().all()
    engine.dispose()
    assert routed == ["auto", "review"]
