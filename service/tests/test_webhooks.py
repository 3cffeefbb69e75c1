"""Events out: the outbox, Standard Webhooks delivery (retries, restarts, 410, redelivery, two
deliverers at once) and the pull API, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app.config import SPEC_RETRY_SECONDS, Settings, retry_delays
from service.app.db.engine import build_engine, build_sessionmaker
from service.app.db.migrate import upgrade
from service.app.db.models import EventRow, WebhookAttemptRow
from service.app.main import create_app
from service.app.outbox import emit, new_event
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter
from service.tests.webhook_receiver import SECRET, Receiver, wait_for

ROOT = Path(__file__).resolve().parents[2]
AGENCY_KEY = "agency-test-key-5555555555"
AGENCY = {"X-API-Key": AGENCY_KEY}
FAST = ",".join(["0.2"] * 40)  # short retries; enough of them to outlast a 2 s outage


def _app(url: str, receiver: Receiver | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    from service.tests.conftest import KEYS

    values: dict[str, object] = {
        "api_keys": f"{KEYS},agency:{AGENCY_KEY}",
        "webhook_retry_seconds": FAST,
        "webhook_poll_seconds": 0.05,
        **overrides,
    }
    if receiver is not None:
        values.update(webhook_url=receiver.url, webhook_secret=receiver.secret)
    return create_app(make_settings(url, **values), router=FakeRouter(), index_factory=FakeIndex)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def _route(c: TestClient, text: str, id_: str) -> dict[str, Any]:
    r = c.post("/v1/route", headers=INTAKE, json={"text": text, "id": id_})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _all_events(c: TestClient) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = 0
    while True:
        page = c.get(f"/v1/events?after={cursor}&limit=2", headers=INTAKE).json()
        out += page["events"]
        if not page["events"]:
            assert page["next_cursor"] == cursor
            return out
        cursor = page["next_cursor"]


def _settled(c: TestClient) -> bool:
    counts = c.get("/v1/webhooks", headers=ADMIN).json()["messages"]
    return counts["pending"] == 0  # type: ignore[no-any-return]


def test_settings_default_retry_schedule_is_the_spec_one_and_bad_values_are_refused() -> None:
    delays = retry_delays(SPEC_RETRY_SECONDS)
    assert delays[:3] == [5, 300, 1800] and 70 * 3600 < sum(delays) < 80 * 3600  # about 3 days
    assert Settings().webhook_retry_seconds == SPEC_RETRY_SECONDS
    with pytest.raises(ValueError, match="comma-separated seconds"):
        Settings(webhook_retry_seconds="5,soon")
    with pytest.raises(ValueError, match="whsec_"):
        Settings(webhook_url="http://x", webhook_secret="plain")
    with pytest.raises(ValueError, match="WEBHOOK_SECRET is not"):
        Settings(webhook_url="http://x")


def test_events_are_written_without_a_webhook_and_pulled_in_order(database_url: str) -> None:
    with TestClient(_app(database_url)) as c:
        a = _route(c, "sampah menumpuk di gang", "P-1")
        b = _route(c, "tolong warga di sini", "P-2")
        _route(c, "sampah menumpuk di gang", "P-1")  # a replay stores nothing and emits nothing
        r = c.post(
            f"/v1/suggestions/{b['suggestion_id']}/decision",
            headers=ADMIN,
            json={"agency": "Kecamatan Rungkut", "category": "lainnya", "reviewer": "ani"},
        )
        assert r.status_code == 200
        events = _all_events(c)
        assert [(e["type"], e["data"]["id"]) for e in events] == [
            ("complaint.routed", "P-1"),
            ("complaint.routed", "P-2"),
            ("complaint.decided", "P-2"),
        ]
        assert [e["cursor"] for e in events] == sorted(e["cursor"] for e in events)
        routed = events[0]["data"]
        assert routed["suggestion_id"] == a["suggestion_id"] and routed["status"] == "auto"
        assert routed["agency"]["label"] == a["agency"]["label"] and routed["category"]["top_k"]
        decided = events[2]["data"]
        assert decided["agency"] == "Kecamatan Rungkut" and decided["outcome"] == "overridden"
        after = c.get(f"/v1/events?after={events[1]['cursor']}", headers=INTAKE).json()
        assert [e["cursor"] for e in after["events"]] == [events[2]["cursor"]]
        assert c.get("/v1/events", headers={"X-API-Key": "nope"}).status_code == 401
        assert c.get("/v1/events?after=-1", headers=INTAKE).status_code == 422
        assert c.get("/v1/webhooks", headers=INTAKE).status_code == 403
        assert c.get("/v1/webhooks", headers=ADMIN).json()["enabled"] is False


def test_a_failed_route_writes_no_event(database_url: str) -> None:
    with TestClient(_app(database_url), raise_server_exceptions=False) as c:
        _route(c, "sampah di gang", "Q-1")
        r = c.post(
            "/v1/route/batch",
            headers=INTAKE,
            json={"complaints": [{"text": "lampu mati", "id": "Q-2"}, {"text": "lain teks", "id": "Q-1"}]},
        )
        assert r.status_code == 409  # Q-1 reused with another text: nothing stored, no event either
        assert [e["data"]["id"] for e in _all_events(c)] == ["Q-1"]


def test_every_event_arrives_signed_with_one_id_across_a_restart_and_an_outage(
    database_url: str, receiver: Receiver
) -> None:
    with TestClient(_app(database_url, receiver)) as c:
        auto = _route(c, "sampah menumpuk di gang", "W-1")
        review = _route(c, "tolong warga miskin", "W-2")
        lamp = _route(c, "lampu jalan mati", "W-3")
        c.post(
            f"/v1/suggestions/{review['suggestion_id']}/decision",
            headers=ADMIN,
            json={"agency": "Kecamatan Rungkut", "category": "lainnya", "reviewer": "ani"},
        )
        r = c.post(
            f"/v1/suggestions/{lamp['suggestion_id']}/return",
            headers=AGENCY,
            json={"agency": lamp["agency"]["label"], "reason": "Bukan wewenang kami", "by": "admin-dishub"},
        )
        assert r.status_code == 200, r.text
        wait_for(lambda: len(receiver.attempts) >= 2)  # some attempts made (and failed) before the restart
    receiver.stop()  # the receiver is down while the service restarts
    with TestClient(_app(database_url, receiver)) as c:
        # Every message outlived the restart (some may already be delivered if the machine is slow to
        # get here; the rest are pending), none failed.
        counts = c.get("/v1/webhooks", headers=ADMIN).json()["messages"]
        assert sum(counts.values()) == 5 and counts.get("failed", 0) == 0, counts
        import time

        time.sleep(1.0)  # attempts meet a closed port meanwhile
        receiver.start()
        wait_for(lambda: _settled(c))
        events = _all_events(c)
        assert c.get("/v1/webhooks/messages?state=failed", headers=ADMIN).json()["total"] == 0
    delivered = receiver.delivered()
    assert Counter(e["type"] for e in events) == {
        "complaint.routed": 3,
        "complaint.decided": 1,
        "complaint.returned": 1,
    }
    assert {e["webhook_id"] for e in events} == set(delivered)  # every event arrived, under its own id
    for event in events:
        body = delivered[event["webhook_id"]]
        assert body == {"type": event["type"], "timestamp": event["timestamp"], "data": event["data"]}
        tries = receiver.tries(event["webhook_id"])
        assert len(tries) >= 3 and [t.status for t in tries][:2] == [500, 500]
    assert all(a.verified for a in receiver.attempts) and not receiver.overlaps
    returned = next(e for e in events if e["type"] == "complaint.returned")["data"]
    assert (
        returned["id"] == "W-3"
        and returned["reason"] == "Bukan wewenang kami"
        and returned["by"] == "admin-dishub"
    )
    assert {e["data"]["id"] for e in events if e["type"] == "complaint.routed"} == {"W-1", "W-2", "W-3"}
    assert auto["status"] == "auto"


def test_retry_after_is_honoured_and_exhausted_messages_are_listed_and_redelivered(database_url: str) -> None:
    receiver = Receiver(fail_first=99, fail_status=503, retry_after="1").start()
    try:
        with TestClient(_app(database_url, receiver, webhook_retry_seconds="0.05,0.05")) as c:
            _route(c, "sampah menumpuk", "R-1")
            wait_for(lambda: c.get("/v1/webhooks/messages?state=failed", headers=ADMIN).json()["total"] == 1)
            failed = c.get("/v1/webhooks/messages?state=failed", headers=ADMIN).json()["items"][0]
            assert failed["attempts"] == 3 and failed["last_status"] == 503
            tries = receiver.tries(failed["webhook_id"])
            assert len(tries) == 3
            gaps = [b.started - a.started for a, b in zip(tries, tries[1:], strict=False)]
            assert min(gaps) >= 0.95, gaps  # Retry-After: 1 beats the 0.05 s schedule
            receiver.fail_first = 0
            r = c.post(f"/v1/webhooks/messages/{failed['cursor']}/redeliver", headers=ADMIN)
            assert r.status_code == 200 and r.json()["state"] == "pending"
            wait_for(lambda: _settled(c))
            assert c.post("/v1/webhooks/messages/999999/redeliver", headers=ADMIN).status_code == 404
        assert set(receiver.delivered()) == {failed["webhook_id"]}
        assert len(receiver.tries(failed["webhook_id"])) == 4
    finally:
        receiver.stop()


def test_410_gone_disables_the_endpoint_until_an_admin_enables_it(database_url: str) -> None:
    receiver = Receiver(fail_first=1, fail_status=410).start()
    try:
        with TestClient(_app(database_url, receiver)) as c:
            _route(c, "sampah menumpuk", "G-1")
            wait_for(lambda: c.get("/v1/webhooks", headers=ADMIN).json()["enabled"] is False)
            endpoint = c.get("/v1/webhooks", headers=ADMIN).json()
            assert "410" in endpoint["reason"] and endpoint["disabled_at"]
            _route(c, "lampu mati", "G-2")
            import time

            time.sleep(0.5)
            assert len(receiver.attempts) == 1  # nothing more is sent while disabled
            assert endpoint["messages"]["pending"] >= 1
            receiver.fail_first = 0  # the receiver wants them again
            r = c.post("/v1/webhooks/enable", headers=ADMIN)
            assert r.status_code == 200 and r.json()["enabled"] is True
            wait_for(lambda: _settled(c))
        assert len(receiver.delivered()) == 2
    finally:
        receiver.stop()


@pytest.mark.slow
def test_two_delivery_processes_never_send_a_message_twice_at_once_and_lose_none(database_url: str) -> None:
    receiver = Receiver(fail_first=2, hold_seconds=0.03).start()
    engine = build_engine(database_url)
    try:
        upgrade(engine)
        sessions = build_sessionmaker(engine)
        with sessions() as session:
            emit(
                session,
                [new_event("complaint.routed", i, f"C-{i}", {"status": "auto"}) for i in range(1, 41)],
            )
            session.commit()
            ids = set(session.scalars(select(EventRow.webhook_id)))
        cmd = [sys.executable, "-m", "service.tests.deliver_worker", database_url, receiver.url, SECRET, FAST]
        workers = [subprocess.Popen(cmd, cwd=ROOT) for _ in range(2)]
        for w in workers:
            assert w.wait(timeout=120) == 0
        with sessions() as session:
            states = Counter(session.scalars(select(EventRow.state)))
            owners = {a.owner for a in session.scalars(select(WebhookAttemptRow))}
    finally:
        receiver.stop()
        engine.dispose()
    assert states == {"delivered": 40}
    assert set(receiver.delivered()) == ids  # none lost
    assert not receiver.overlaps  # never two attempts of one message at the same time
    per_id = Counter(a.webhook_id for a in receiver.attempts)
    assert set(per_id.values()) == {3}  # two failures and a success each: no attempt was doubled
    assert len(owners) == 2  # both processes took part
    assert all(a.verified for a in receiver.attempts)
