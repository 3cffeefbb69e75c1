"""Two service processes (replicas) on one PostgreSQL database share complaints, queue and decisions."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from service.tests.conftest import ADMIN, INTAKE, KEYS, PgSchema
from service.tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "default"
# Fictional complaints, written for this test.
FIRST = "Lampu penerangan jalan di gang Melati tiga mati total sejak tiga hari, gelap sekali kalau malam"
AGAIN = "Lampu penerangan jalan di gang Melati tiga mati total sejak tiga hari, gelap sekali tiap malam"

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@contextlib.contextmanager
def _replica(database_url: str, log: Path, workers: int) -> Iterator[str]:
    """`python -m service serve` on a free port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_NLP_")}
    env["LAPOR_NLP_API_KEYS"] = KEYS
    cmd = [
        sys.executable,
        "-m",
        "service",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--quiet",
    ]
    cmd += ["--model", str(MODEL), "--database-url", database_url]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_ready(base: str, log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"replica {base} did not become ready:\n{log.read_text()[-3000:]}")


@pytest.fixture
def replicas(pg_schema: PgSchema, tmp_path: Path) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    if not (MODEL / "metadata.json").is_file():
        pytest.skip(f"no model at {MODEL} (train it first)")
    # Both start at once: their migrations on the shared database must not collide. A runs two
    # worker processes (gunicorn), B one (uvicorn): three processes share the database.
    with (
        _replica(pg_schema.url, tmp_path / "a.log", workers=2) as a,
        _replica(pg_schema.url, tmp_path / "b.log", workers=1) as b,
    ):
        _wait_ready(a, tmp_path / "a.log")
        _wait_ready(b, tmp_path / "b.log")
        with httpx.Client(base_url=a, timeout=30) as ca, httpx.Client(base_url=b, timeout=30) as cb:
            yield ca, cb


def test_replicas_share_complaints_queue_and_decisions(replicas: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = replicas
    first = a.post("/v1/route", headers=INTAKE, json={"text": FIRST, "id": "REP-1"})
    assert first.status_code == 200, first.text
    sid = first.json()["suggestion_id"]

    # Routed by A: in B's queue and a duplicate candidate for B.
    listed = b.get("/v1/suggestions", headers=ADMIN, params={"status": first.json()["status"]}).json()
    assert sid in [item["suggestion_id"] for item in listed["items"]]
    again = b.post("/v1/route", headers=INTAKE, json={"text": AGAIN, "id": "REP-2"})
    assert again.status_code == 200, again.text
    assert sid in [d["suggestion_id"] for d in again.json()["duplicates"]]
    assert "REP-1" in [d["id"] for d in again.json()["duplicates"]]

    # A decision made through B is visible through A.
    body = first.json()
    decision = {"agency": body["agency"]["label"], "category": body["category"]["label"], "reviewer": "rina"}
    d = b.post(f"/v1/suggestions/{sid}/decision", headers=ADMIN, json=decision)
    assert d.status_code == 200, d.text
    seen = a.get(f"/v1/suggestions/{sid}", headers=ADMIN).json()
    assert seen["status"] == "decided"
    assert seen["decision"]["reviewer"] == "rina" and seen["decision"]["outcome"] == "accepted"

    # Re-sending an id to the other replica returns the stored result, no second row.
    replay = b.post("/v1/route", headers=INTAKE, json={"text": FIRST, "id": "REP-1"})
    assert replay.status_code == 200
    assert replay.json()["suggestion_id"] == sid
    assert a.get("/v1/suggestions", headers=ADMIN).json()["total"] == 2


def test_replicas_same_new_id_at_once_store_one_row(replicas: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = replicas
    body = {
        "text": "Saluran air di jalan Kenanga tersumbat sampah, air meluap ke rumah warga",
        "id": "RACE-1",
    }

    def send(client: httpx.Client) -> httpx.Response:
        return client.post("/v1/route", headers=INTAKE, json=body)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, [a, b] * 4))
    assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers]
    assert len({r.json()["suggestion_id"] for r in answers}) == 1
    assert a.get("/v1/suggestions", headers=ADMIN).json()["total"] == 1


# Fictional texts the model cannot place with confidence: most go to the review queue.
VAGUE = [
    f"Mohon perhatian untuk keluhan warga nomor {i} tentang urusan {w} yang belum jelas penanganannya"
    for i, w in enumerate(["surat", "antrian", "petugas", "layanan", "pembayaran", "pendaftaran"] * 10)
]


def test_six_reviewers_claim_and_decide_through_two_replicas(
    replicas: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = replicas
    with ThreadPoolExecutor(8) as pool:
        routed = list(
            pool.map(
                lambda i: (a if i % 2 else b).post("/v1/route", headers=INTAKE, json={"text": VAGUE[i]}),
                range(len(VAGUE)),
            )
        )
    assert all(r.status_code == 200 for r in routed), [r.text for r in routed if r.status_code != 200]
    queue = a.get("/v1/suggestions", headers=ADMIN, params={"status": "review", "limit": 200}).json()
    review = {item["suggestion_id"] for item in queue["items"]}
    assert len(review) >= 20, f"only {len(review)} of {len(VAGUE)} complaints went to review"

    statuses: list[int] = []

    def reviewer(n: int) -> list[int]:
        name, client, decided = f"reviewer-{n}", (a, b)[n % 2], []
        while True:
            claimed = client.post("/v1/suggestions/claim", headers=ADMIN, json={"reviewer": name, "limit": 2})
            statuses.append(claimed.status_code)
            items = claimed.json()["items"] if claimed.status_code == 200 else []
            if not items:
                return decided
            for item in items:
                body = {
                    "agency": item["agency"]["label"],
                    "category": item["category"]["label"],
                    "reviewer": name,
                }
                # decide through the other replica half of the time
                other = (a, b)[(n + item["suggestion_id"]) % 2]
                r = other.post(f"/v1/suggestions/{item['suggestion_id']}/decision", headers=ADMIN, json=body)
                statuses.append(r.status_code)
                assert r.status_code == 200, r.text
                decided.append(item["suggestion_id"])

    with ThreadPoolExecutor(6) as pool:
        per_reviewer = list(pool.map(reviewer, range(6)))
    assert all(s < 500 for s in statuses) and set(statuses) == {200}
    flat = [sid for ids in per_reviewer for sid in ids]
    assert len(flat) == len(set(flat)), "an item was handed to two reviewers"
    assert set(flat) == review  # every review item decided, by the one reviewer who claimed it
    assert sum(1 for ids in per_reviewer if ids) >= 2  # the work was shared
    for sid in review:
        history = b.get(f"/v1/suggestions/{sid}", headers=ADMIN).json()["history"]
        assert len(history) == 1, (sid, history)
    assert a.get("/v1/suggestions", headers=ADMIN, params={"status": "review"}).json()["total"] == 0
