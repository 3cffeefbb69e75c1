"""Storage: migrations, restarts, 8 concurrent clients, a database that goes away, no PII in logs."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from service.app.db.migrate import MIGRATIONS
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, PgSchema, make_settings
from service.tests.fakes import FakeIndex, FakeRouter
from service.tests.helpers import TcpProxy, live_server


def _head() -> str:
    """The newest migration: the revision a migrated database must be at."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None, "the migrations have more than one head: chain them"
    return head


def test_migrations_are_one_chain_and_add_claims(database_url: str) -> None:
    with TestClient(_app(database_url)):
        pass
    engine = create_engine(database_url)
    columns = {c["name"] for c in inspect(engine).get_columns("suggestions")}
    engine.dispose()
    assert {"claimed_by", "claimed_until"} <= columns


def _app(url: str, **settings: object):  # type: ignore[no-untyped-def]
    return create_app(make_settings(url, **settings), router=FakeRouter(), index_factory=FakeIndex)


def test_storage_migrations_create_tables(database_url: str) -> None:
    with TestClient(_app(database_url)):
        pass
    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    expected = {"suggestions", "decisions", "guard_events", "alembic_version", "events", "agency_responses"}
    assert expected <= tables and version == _head()
    with TestClient(_app(database_url)):  # a second start migrates nothing and keeps working
        pass


def test_storage_restart_keeps_suggestions_decisions_and_index(database_url: str) -> None:
    with TestClient(_app(database_url)) as c:
        first = c.post(
            "/v1/route", headers=INTAKE, json={"text": "sampah numpuk di gang mawar dekat pos", "id": "K-1"}
        ).json()
        c.post(
            f"/v1/suggestions/{first['suggestion_id']}/decision",
            headers=ADMIN,
            json={"agency": "Dinas Lingkungan Hidup", "category": "sampah", "reviewer": "ani"},
        )
        before = c.get(f"/v1/suggestions/{first['suggestion_id']}", headers=ADMIN).json()
    with TestClient(_app(database_url)) as c:
        after = c.get(f"/v1/suggestions/{first['suggestion_id']}", headers=ADMIN).json()
        assert after == before
        assert c.get("/readyz").json()["indexed"] == 1  # the duplicate index was rebuilt from the database
        again = c.post(
            "/v1/route", headers=INTAKE, json={"text": "sampah numpuk di gang mawar dekat pos lagi"}
        ).json()
        assert again["duplicates"][0]["id"] == "K-1"
        assert (
            c.post(
                "/v1/route",
                headers=INTAKE,
                json={"text": "sampah numpuk di gang mawar dekat pos", "id": "K-1"},
            ).json()["suggestion_id"]
            == first["suggestion_id"]
        )


@pytest.mark.slow
def test_storage_eight_concurrent_clients_lose_nothing(database_url: str) -> None:
    clients, per_client = 8, 125  # 1,000 complaints and 504 decisions
    app = _app(database_url)
    errors: list[str] = []
    decided: list[int] = []
    lock = threading.Lock()
    with live_server(app) as base:

        def work(n: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                for i in range(per_client):
                    r = http.post(
                        "/v1/route",
                        headers=INTAKE,
                        json={"text": f"tolong warga {n} nomor {i}", "id": f"c{n}-{i}"},
                    )
                    if r.status_code != 200:
                        errors.append(f"route {r.status_code} {r.text[:100]}")
                        continue
                    sid = r.json()["suggestion_id"]
                    if i % 2 == 0:
                        d = http.post(
                            f"/v1/suggestions/{sid}/decision",
                            headers=ADMIN,
                            json={"agency": "Dinas Sosial", "category": "lainnya", "reviewer": f"r{n}"},
                        )
                        if d.status_code != 200:
                            errors.append(f"decision {d.status_code} {d.text[:100]}")
                        else:
                            with lock:
                                decided.append(sid)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with httpx.Client(base_url=base, headers=ADMIN, timeout=30) as http:
            total = http.get("/v1/suggestions?limit=1").json()["total"]
            done = {"total": 0, "items": []}
            while True:
                page = http.get(
                    f"/v1/suggestions?status=decided&limit=200&offset={len(done['items'])}"
                ).json()
                done["total"] = page["total"]
                done["items"] += page["items"]
                if len(done["items"]) >= page["total"] or not page["items"]:
                    break
    assert errors == []
    assert total == clients * per_client
    assert done["total"] == len(decided) == clients * len(range(0, per_client, 2))
    assert {i["suggestion_id"] for i in done["items"]} == set(decided)


@pytest.mark.postgres
def test_storage_database_outage_fails_fast_and_loses_nothing(postgres_url: str) -> None:
    schema = PgSchema(postgres_url)
    target = urlsplit(postgres_url.replace("postgresql+psycopg", "postgresql"))
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.start()
    url = schema.url.replace(f"{target.hostname}:{target.port}", f"127.0.0.1:{proxy.port}")
    try:
        app = _app(url, db_timeout_seconds=1.0)
        with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            kept = [
                http.post("/v1/route", headers=INTAKE, json={"text": f"tolong warga {i}"}).json()[
                    "suggestion_id"
                ]
                for i in range(5)
            ]
            http.post(
                f"/v1/suggestions/{kept[0]}/decision",
                headers=ADMIN,
                json={"agency": "Dinas Sosial", "category": "lainnya", "reviewer": "ani"},
            )
            proxy.stop()
            for _ in range(3):
                start = time.monotonic()
                r = http.post("/v1/route", headers=INTAKE, json={"text": "tolong warga saat mati"})
                elapsed = time.monotonic() - start
                assert r.status_code == 503 and r.json()["type"] == "DatabaseUnavailable"
                assert elapsed < 3.0
            assert http.get("/readyz").status_code == 503
            assert http.get("/healthz").status_code == 200
            proxy.start()
            for _ in range(50):  # the pool reconnects on its own
                if http.get("/readyz").status_code == 200:
                    break
                time.sleep(0.1)
            page = http.get("/v1/suggestions?limit=50", headers=ADMIN).json()
            assert [i["suggestion_id"] for i in page["items"]] == kept
            assert page["items"][0]["decision"]["reviewer"] == "ani"
            assert (
                http.post("/v1/route", headers=INTAKE, json={"text": "tolong warga lagi"}).status_code == 200
            )
    finally:
        proxy.stop()
        schema.drop()


def test_storage_logs_hold_no_personal_data(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = ("3578012345670001", "081234567890", "siti@contoh.id")
    with TestClient(_app(f"sqlite:///{tmp_path / 'db.sqlite'}")) as c:
        c.post(
            "/v1/route",
            headers=INTAKE,
            json={"text": f"jalan rusak, NIK {secrets[0]} hp {secrets[1]} {secrets[2]}"},
        )
        c.post("/v1/route", headers=INTAKE, json={"text": 3578012345670001})
        c.post("/v1/route", headers=INTAKE, json={"text": "x" * 30000 + secrets[0]})
    assert "routed suggestion=" in caplog.text
    for s in secrets:
        assert s not in caplog.text


@pytest.mark.postgres
@pytest.mark.slow
def test_database_restart_under_load_loses_no_acknowledged_complaint(postgres_url: str) -> None:
    """The service's PostgreSQL connections are cut twice under load (what a restart does to them):
    only 200 or 503 answers, every acknowledged complaint stored, routing again within 15 s."""
    import psycopg

    schema = PgSchema(postgres_url)
    name = "lapor_restart_" + schema.name[-12:]
    url = f"{schema.url}&application_name={name}"
    conninfo = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    answers: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        with live_server(_app(url, db_timeout_seconds=1.0)) as base:

            def load(n: int) -> None:
                with httpx.Client(base_url=base, headers=INTAKE, timeout=30) as http:
                    i = 0
                    while not stop.is_set():
                        cid = f"restart-{n}-{i}"
                        r = http.post("/v1/route", json={"text": f"tolong warga {n} nomor {i}", "id": cid})
                        with lock:
                            answers.append((cid, r.status_code, time.monotonic()))
                        i += 1

            threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            cuts = []
            with psycopg.connect(conninfo, autocommit=True) as admin:
                for _ in range(2):
                    time.sleep(1.5)
                    killed = admin.execute(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = %s",
                        (name,),
                    ).fetchone()
                    assert killed is not None and killed[0] >= 1
                    cuts.append(time.monotonic())
            time.sleep(3.0)
            stop.set()
            for t in threads:
                t.join()
        with psycopg.connect(conninfo) as conn:
            conn.execute(f'SET search_path TO "{schema.name}"')
            stored = {row[0] for row in conn.execute("SELECT external_id FROM suggestions")}
    finally:
        stop.set()
        schema.drop()
    statuses = {status for _, status, _ in answers}
    print(
        f"answers {len(answers)}: "
        + ", ".join(f"{s}x{sum(1 for _, x, _ in answers if x == s)}" for s in sorted(statuses))
    )
    assert statuses <= {200, 503}, statuses
    acknowledged = {cid for cid, status, _ in answers if status == 200}
    assert acknowledged and acknowledged <= stored  # 0 acknowledged complaints lost
    back = min((at for _, status, at in answers if status == 200 and at > cuts[-1]), default=None)
    assert back is not None and back - cuts[-1] < 15.0, "routing did not come back within 15 s"
