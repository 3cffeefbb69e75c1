"""Background retrain: feedback export, one at a time, champion/challenger swap, verdict in /v1/model."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.app.feedback import export_feedback_frame
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter

DLH = "Dinas Lingkungan Hidup"
BASE_CSV = (
    "text,topic,agency\nlampu jalan mati,lampu-pju,Dinas Perhubungan\n"
    "sampah numpuk,sampah,Dinas Lingkungan Hidup\n"
)


@dataclass(frozen=True)
class FakeVerdict:
    """Stands in for lapor_nlp.routing.PromotionVerdict."""

    promote: bool
    reason: str
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "promote": self.promote,
            "reason": self.reason,
            "window": {"start": "2026-01-01", "end": "2026-01-28", "n": self.n},
            "champion": {"agency": {"top1": 0.70}},
            "candidate": {"agency": {"top1": 0.75 if self.promote else 0.65}},
            "rule": "candidate top-1 >= champion top-1",
        }


class FakeRetrain:
    """Records what it was given, writes promotion.json, optionally waits for a gate."""

    def __init__(self, promote: bool, gate: threading.Event | None = None) -> None:
        self.promote = promote
        self.gate = gate
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, champion_dir: Path, base: pd.DataFrame, feedback: pd.DataFrame, out_dir: Path, **kw: Any
    ) -> FakeVerdict:
        if self.gate is not None:
            self.gate.wait(10)
        self.calls.append(
            {"champion": champion_dir, "base": base, "feedback": feedback, "out": out_dir, **kw}
        )
        verdict = FakeVerdict(
            self.promote, "better" if self.promote else "worse on the window", len(feedback)
        )
        out_dir.mkdir(parents=True)
        (out_dir / "promotion.json").write_text(json.dumps(verdict.to_dict()), encoding="utf-8")
        return verdict


def _client(tmp_path: Path, retrain: Any, *, base: bool = True) -> TestClient:
    models = tmp_path / "models"
    (models / "default").mkdir(parents=True, exist_ok=True)
    base_path = tmp_path / "base.csv"
    base_path.write_text(BASE_CSV, encoding="utf-8")
    settings = make_settings(
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        model_dir=models / "default",
        retrain_base=base_path if base else None,
        audit_share=1.0,
    )
    app = create_app(
        settings,
        router=FakeRouter(),
        index_factory=FakeIndex,
        loader=lambda path: FakeRouter(version=f"fake-{path.name}"),
        retrain_fn=retrain,
    )
    return TestClient(app, raise_server_exceptions=False)


def _fill(c: TestClient) -> None:
    """One audited auto decision reviewed, one review suggestion reviewed, one auto never reviewed."""
    audited = c.post("/v1/route", headers=INTAKE, json={"text": "sampah di gang", "id": "R-1"}).json()
    review = c.post("/v1/route", headers=INTAKE, json={"text": "tolong warga miskin", "id": "R-2"}).json()
    assert audited["audit"] is True and review["status"] == "review"
    c.post("/v1/route", headers=INTAKE, json={"text": "lampu mati di gang", "id": "R-3"})  # never reviewed
    for sid, agency, cat in (
        (audited["suggestion_id"], DLH, "sampah"),
        (review["suggestion_id"], DLH, "lainnya"),
    ):
        r = c.post(
            f"/v1/suggestions/{sid}/decision",
            headers=ADMIN,
            json={"agency": agency, "category": cat, "reviewer": "ani"},
        )
        assert r.status_code == 200


def _wait(c: TestClient) -> dict[str, Any]:
    c.app.state.retrainer.wait(30)  # type: ignore[attr-defined]
    status = c.get("/v1/model/retrain", headers=ADMIN).json()
    assert status["state"] in ("succeeded", "failed"), status
    return status  # type: ignore[no-any-return]


def test_retrain_promotes_the_candidate_and_keeps_the_verdict(tmp_path: Path) -> None:
    fake = FakeRetrain(promote=True)
    with _client(tmp_path, fake) as c:
        _fill(c)
        assert c.get("/v1/model/retrain", headers=ADMIN).json()["state"] == "idle"
        r = c.post("/v1/model/retrain", headers=ADMIN)
        assert r.status_code == 202 and r.json()["state"] == "running"
        status = _wait(c)
        assert status["state"] == "succeeded" and status["promoted"] is True and status["feedback_rows"] == 2
        call = fake.calls[0]
        # reviewed decisions only (audited auto included, the unreviewed auto one left out), final labels
        assert sorted(call["feedback"]["id"]) == ["R-1", "R-2"]
        assert set(call["feedback"]["agency"]) == {DLH}
        assert list(call["base"]["topic"]) == ["lampu-pju", "sampah"]
        assert call["out"].parent == tmp_path / "models" / "candidates" and call["window_days"] == 28
        info = c.get("/v1/model", headers=INTAKE).json()
        assert info["version"] == f"fake-{call['out'].name}" and info["source"] == call["out"].name
        assert info["promotion"]["promote"] is True and info["promotion"]["window"]["n"] == 2
        assert info["promotion"]["champion"] and info["promotion"]["candidate"]
        assert info["promotion"]["candidate_dir"] == call["out"].name
        # the previous model directory is kept: rollback is a reload of it
        assert (tmp_path / "models" / "default").is_dir()
        back = c.post("/v1/model/reload", headers=ADMIN, json={"model_dir": "default"})
        assert back.status_code == 200 and back.json()["version"] == "fake-default"
        again = c.post(
            "/v1/model/reload", headers=ADMIN, json={"model_dir": f"candidates/{call['out'].name}"}
        )
        assert again.status_code == 200 and again.json()["version"] == f"fake-{call['out'].name}"
        assert c.post("/v1/model/reload", headers=ADMIN, json={"model_dir": "candidates"}).status_code == 422


def test_retrain_refresh_mode_reaches_the_library_and_the_status(tmp_path: Path) -> None:
    fake = FakeRetrain(promote=True)
    with _client(tmp_path, fake) as c:
        _fill(c)
        r = c.post("/v1/model/retrain", headers=ADMIN, json={"mode": "refresh"})
        assert r.status_code == 202 and r.json()["mode"] == "refresh"
        status = _wait(c)
        assert status["state"] == "succeeded" and status["mode"] == "refresh"
        assert fake.calls[0]["refresh"] is True
        c.post("/v1/model/retrain", headers=ADMIN, json={})  # default: a full retrain
        assert _wait(c)["mode"] == "full" and "refresh" not in fake.calls[1]
        bad = c.post("/v1/model/retrain", headers=ADMIN, json={"mode": "quick"})
        assert bad.status_code == 422 and len(fake.calls) == 2


def test_retrain_keeps_the_champion_when_the_candidate_is_worse(tmp_path: Path) -> None:
    with _client(tmp_path, FakeRetrain(promote=False)) as c:
        _fill(c)
        c.post("/v1/model/retrain", headers=ADMIN)
        status = _wait(c)
        assert status["state"] == "succeeded" and status["promoted"] is False
        info = c.get("/v1/model", headers=INTAKE).json()
        assert info["version"] == "fake-1"
        assert info["promotion"]["promote"] is False and info["promotion"]["reason"] == "worse on the window"
        assert info["promotion"]["candidate"]["agency"]["top1"] == 0.65
        assert 'lapor_retrains_total{result="kept"} 1.0' in c.get("/metrics").text
    with _client(tmp_path / "restart", FakeRetrain(promote=False)) as c:
        assert c.get("/v1/model", headers=INTAKE).json()["promotion"] is None
    # after a restart the verdict is read back from the candidate's promotion.json
    fresh = _client(tmp_path, FakeRetrain(promote=False))
    with fresh as c:
        promotion = c.get("/v1/model", headers=INTAKE).json()["promotion"]
        assert promotion["promote"] is False and promotion["promoted"] is False


def test_retrain_one_at_a_time(tmp_path: Path) -> None:
    gate = threading.Event()
    with _client(tmp_path, FakeRetrain(promote=False, gate=gate)) as c:
        assert c.post("/v1/model/retrain", headers=ADMIN).status_code == 202
        second = c.post("/v1/model/retrain", headers=ADMIN)
        assert second.status_code == 409 and second.json()["type"] == "RetrainRunningError"
        gate.set()
        assert _wait(c)["state"] == "succeeded"
        assert c.post("/v1/model/retrain", headers=ADMIN).status_code == 202  # free again
        _wait(c)


def test_retrain_needs_admin_and_base_data(tmp_path: Path) -> None:
    with _client(tmp_path, FakeRetrain(promote=True), base=False) as c:
        assert c.post("/v1/model/retrain", headers=INTAKE).status_code == 403
        assert c.get("/v1/model/retrain", headers=INTAKE).status_code == 403
        r = c.post("/v1/model/retrain", headers=ADMIN)
        assert r.status_code == 409 and "LAPOR_NLP_RETRAIN_BASE" in r.json()["detail"]


def test_retrain_failure_is_reported_and_the_model_keeps_serving(tmp_path: Path) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        raise ValueError("no rows in the evaluation window")

    with _client(tmp_path, broken) as c:
        c.post("/v1/model/retrain", headers=ADMIN)
        status = _wait(c)
        assert status["state"] == "failed" and "no rows in the evaluation window" in status["error"]
        assert c.get("/v1/model", headers=INTAKE).json()["version"] == "fake-1"


def test_export_feedback_frame_reads_reviewed_decisions(tmp_path: Path) -> None:
    with _client(tmp_path, None) as c:
        _fill(c)
    frame = export_feedback_frame(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert sorted(frame["id"]) == ["R-1", "R-2"]
    assert list(frame.columns[:3]) == ["id", "text", "submitted_at"]
    assert {"topic", "agency", "outcome", "model_version"} <= set(frame.columns)
    with pytest.raises(FileNotFoundError, match="no lapor-nlp tables"):
        export_feedback_frame(f"sqlite:///{tmp_path / 'empty.sqlite'}")


def test_cli_retrain_reads_feedback_from_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from lapor_nlp.cli import main as cli_main
    from lapor_nlp.cli.routing import _read_feedback
    from lapor_nlp.errors import InputError

    with _client(tmp_path, None) as c:
        _fill(c)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    frame = _read_feedback(argparse.Namespace(feedback=None, database_url=url))
    assert isinstance(frame, pd.DataFrame) and sorted(frame["id"]) == ["R-1", "R-2"]
    with pytest.raises(InputError, match="not both"):
        _read_feedback(argparse.Namespace(feedback="f.csv", database_url=url))
    empty = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    args = [
        "retrain",
        "--base",
        str(tmp_path / "base.csv"),
        "--database-url",
        empty,
        "--out",
        str(tmp_path / "o"),
    ]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert "no lapor-nlp tables" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
