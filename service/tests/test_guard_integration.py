"""The guard and the retrain loop with a real (small, hand-written) Router: drift, pause, retrain, resume."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.routing.conftest import PLACES, SUFFIXES, TOPICS

from lapor_nlp.routing.monitoring import errors_to_pause
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings

WHERE = {"kecamatan": "Rungkut", "kelurahan": "Medokan Ayu"}
NEW_AGENCY = "Dinas Kebersihan dan Ruang Terbuka Hijau"  # the fictional policy change


def _corpus() -> pd.DataFrame:
    """384 fictional complaints (every phrase x place x suffix), enough for `auto` thresholds."""
    rows = []
    for (topic, agency, phrases), i, (kec, kel), suffix in itertools.product(
        TOPICS, range(6), PLACES, SUFFIXES
    ):
        rows.append(
            {
                "text": phrases[i] + suffix,
                "topic": topic,
                "agency": agency or f"Kelurahan {kel}",
                "kecamatan": kec,
                "kelurahan": kel,
            }
        )
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0).reset_index(drop=True)


def _train(df: pd.DataFrame, out: Path) -> None:
    from lapor_nlp import Router

    router = Router.train(
        df,
        text="text",
        targets=["topic", "agency"],
        location=["kecamatan", "kelurahan"],
        progress=False,
        min_auto_count=5,
    )
    router.save(out)


class _Verdict:
    promote = True

    def to_dict(self) -> dict[str, Any]:
        return {"promote": True, "reason": "test", "window": {}, "champion": {}, "candidate": {}}


def _retrain(champion_dir: Path, base: pd.DataFrame, feedback: pd.DataFrame, out_dir: Path, **_: Any) -> Any:
    """A stand-in for lapor_nlp.routing.retrain that really trains on base + feedback."""
    columns = ["text", "topic", "agency", "kecamatan", "kelurahan"]
    _train(pd.concat([base[columns], feedback[columns]], ignore_index=True), out_dir)
    return _Verdict()


@pytest.mark.slow
def test_guard_with_a_real_router_pauses_on_drift_and_resumes_after_retrain(tmp_path: Path) -> None:
    pytest.importorskip("lapor_nlp.routing")
    base = _corpus()
    base.to_csv(tmp_path / "base.csv", index=False)
    _train(base, tmp_path / "models" / "v1")
    settings = make_settings(
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        model_dir=tmp_path / "models" / "v1",
        retrain_base=tmp_path / "base.csv",
        audit_share=1.0,
        guard_min_evidence=10,
        guard_ttl_seconds=0.0,
    )
    with TestClient(create_app(settings, retrain_fn=_retrain)) as c:
        first_version = c.get("/v1/model", headers=INTAKE).json()["version"]
        bound = errors_to_pause(0, 0.95, z=1.96, min_evidence=10)
        texts = [p + s for p, s in itertools.product(TOPICS[1][2], SUFFIXES)]  # the rubbish complaints
        for k, text in enumerate(texts[:bound]):
            row = c.post("/v1/route", headers=INTAKE, json={"text": text, "location": WHERE}).json()
            assert row["status"] == "auto" and row["audit"], f"complaint {k}: {row['status']}"
            assert row["agency"]["label"] == "Dinas Lingkungan Hidup"
            r = c.post(
                f"/v1/suggestions/{row['suggestion_id']}/decision",
                headers=ADMIN,
                json={"agency": NEW_AGENCY, "category": "Sampah", "reviewer": "ani"},
            )
            assert r.status_code == 200
        guard = c.get("/v1/model", headers=INTAKE).json()["guard"]
        assert guard["targets"]["agency"]["Dinas Lingkungan Hidup"]["auto"] is False
        assert guard["targets"]["category"]["Sampah"]["auto"] is True  # the category was right
        held = c.post("/v1/route", headers=INTAKE, json={"text": texts[bound], "location": WHERE}).json()
        assert held["status"] == "review" and held["guard_held"] == ["agency"]

        assert c.post("/v1/model/retrain", headers=ADMIN).status_code == 202
        c.app.state.retrainer.wait(120)  # type: ignore[attr-defined]
        status = c.get("/v1/model/retrain", headers=ADMIN).json()
        assert status["state"] == "succeeded" and status["promoted"] is True, status
        info = c.get("/v1/model", headers=INTAKE).json()
        assert info["version"] != first_version and info["guard"]["targets"] == {}
        after = c.post("/v1/route", headers=INTAKE, json={"text": texts[bound + 1], "location": WHERE}).json()
        assert after["guard_held"] == [] and after["model_version"] == info["version"]


FAST = {"C": [0.3], "class_weight": "none", "half_life_days": "none", "min_auto_count": 5}


@pytest.mark.slow
def test_retrain_endpoint_with_the_library_retrain(tmp_path: Path) -> None:
    """The library's retrain behind POST /v1/model/retrain: verdict kept, swap only if promoted."""
    from lapor_nlp import Router

    base = _corpus()
    base["submitted_at"] = pd.date_range("2026-01-01", periods=len(base), freq="4h").strftime(
        "%Y-%m-%d %H:%M"
    )
    base.to_csv(tmp_path / "base.csv", index=False)
    Router.train(
        base,
        text="text",
        targets=["topic", "agency"],
        location=["kecamatan", "kelurahan"],
        config=FAST,
        progress=False,
    ).save(tmp_path / "models" / "v1")
    settings = make_settings(
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        model_dir=tmp_path / "models" / "v1",
        retrain_base=tmp_path / "base.csv",
        audit_share=1.0,
    )
    texts = [p + s for p, s in itertools.product(TOPICS[1][2], SUFFIXES)]
    with TestClient(create_app(settings)) as c:
        first_version = c.get("/v1/model", headers=INTAKE).json()["version"]
        for k, text in enumerate(texts[:12]):
            row = c.post(
                "/v1/route",
                headers=INTAKE,
                json={"text": text, "location": WHERE, "submitted_at": f"2026-04-{k + 1:02d}T09:00:00"},
            ).json()
            c.post(
                f"/v1/suggestions/{row['suggestion_id']}/decision",
                headers=ADMIN,
                json={"agency": "Dinas Perhubungan", "category": "Sampah", "reviewer": "ani"},
            )
        assert c.post("/v1/model/retrain", headers=ADMIN).status_code == 202
        c.app.state.retrainer.wait(300)  # type: ignore[attr-defined]
        status = c.get("/v1/model/retrain", headers=ADMIN).json()
        assert status["state"] == "succeeded", status
        assert status["feedback_rows"] == 12
        info = c.get("/v1/model", headers=INTAKE).json()
        promotion = info["promotion"]
        assert promotion["promote"] is status["promoted"] and promotion["reason"]
        assert promotion["window"]["n"] == 12 and set(promotion["champion"]) == {"topic", "agency"}
        assert set(promotion["candidate"]) == {"topic", "agency"}
        assert (info["version"] != first_version) is status["promoted"]
        assert (tmp_path / "models" / "candidates" / status["candidate"] / "promotion.json").is_file()
