"""export-feedback: reviewed complaints only, final labels, in the training CSV format."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lapor_nlp import read_table
from lapor_nlp.cli import main as cli_main
from service.app.feedback import export_feedback
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter


def _fill(url: str) -> None:
    app = create_app(make_settings(url), router=FakeRouter(), index_factory=FakeIndex)
    with TestClient(app) as c:
        ids = [
            c.post("/v1/route", headers=INTAKE, json=body).json()["suggestion_id"]
            for body in (
                {
                    "text": "jalan rusak dekat sekolah",
                    "id": "J-1",
                    "location": {"kecamatan": "Rungkut", "kelurahan": "Kalirungkut"},
                },
                {"text": "tolong warga miskin", "id": "J-2", "submitted_at": "2026-02-01T08:00:00Z"},
                {"text": "sampah liar hp 081234567890"},  # auto, never reviewed: must not be exported
                {"text": "tolong lampu taman"},  # review, never reviewed: must not be exported
            )
        ]
        c.post(
            f"/v1/suggestions/{ids[0]}/decision",
            headers=ADMIN,
            json={
                "agency": "Dinas Sumber Daya Air dan Bina Marga",
                "category": "jalan-rusak",
                "reviewer": "ani",
            },
        )
        c.post(
            f"/v1/suggestions/{ids[1]}/decision",
            headers=ADMIN,
            json={"agency": "Dinas Perhubungan", "category": "lainnya", "reviewer": "ani"},
        )
        c.post(
            f"/v1/suggestions/{ids[1]}/decision",
            headers=ADMIN,
            json={"agency": "Dinas Sosial", "category": "bantuan-sosial", "reviewer": "budi"},
        )


def test_feedback_exports_reviewed_only_with_final_labels(database_url: str, tmp_path: Path) -> None:
    _fill(database_url)
    out = tmp_path / "feedback.csv"
    assert export_feedback(database_url, out) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["J-1", "J-2"]
    assert rows[0]["text"] == "jalan rusak dekat sekolah"
    assert (rows[0]["topic"], rows[0]["agency"], rows[0]["kecamatan"]) == (
        "jalan-rusak",
        "Dinas Sumber Daya Air dan Bina Marga",
        "Rungkut",
    )
    assert rows[0]["outcome"] == "accepted"
    assert (rows[1]["topic"], rows[1]["agency"], rows[1]["reviewer"]) == (
        "bantuan-sosial",
        "Dinas Sosial",
        "budi",
    )
    assert rows[1]["flagged"] == "unknown_agency" and rows[1]["submitted_at"].startswith(
        "2026-02-01T08:00:00"
    )
    assert list(rows[0])[:5] == ["id", "text", "submitted_at", "topic", "agency"]


def test_feedback_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    _fill(url)
    out = tmp_path / "out" / "feedback.csv"
    assert cli_main(["export-feedback", "--database-url", url, "--output", str(out)]) == 0
    assert "wrote 2 reviewed complaints" in capsys.readouterr().out
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 2
    assert (
        cli_main(
            ["export-feedback", "--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "--output", str(out)]
        )
        == 2
    )
    assert "no lapor-nlp tables" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["feedback.parquet", "feedback.xlsx", "feedback.jsonl", "parts"])
def test_feedback_writes_any_table_format(database_url: str, tmp_path: Path, name: str) -> None:
    _fill(database_url)
    out = tmp_path / name
    assert export_feedback(database_url, out) == 2
    rows = read_table(out)
    assert rows["id"].tolist() == ["J-1", "J-2"]
    assert rows["topic"].tolist() == ["jalan-rusak", "bantuan-sosial"]
