"""A delivery loop in its own process (a replica), for the concurrency test.

``python -m service.tests.deliver_worker <database url> <webhook url> <secret> <retry seconds>``: sends
until no message is pending for a second (or 60 s pass), then exits.
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import func, select

from service.app.config import retry_delays
from service.app.db.engine import build_engine, build_sessionmaker
from service.app.db.models import EventRow
from service.app.webhooks import Deliverer


def main(argv: list[str]) -> int:
    database_url, url, secret, retries = argv
    engine = build_engine(database_url)
    sessions = build_sessionmaker(engine)
    deliverer = Deliverer(
        sessions, url=url, secret=secret, delays=retry_delays(retries), poll_seconds=0.02, batch=5
    )
    deliverer.start()
    deadline = time.monotonic() + 60
    idle_since: float | None = None
    try:
        while time.monotonic() < deadline:
            with sessions() as session:
                pending = session.scalar(select(func.count()).where(EventRow.state == "pending")) or 0
            if pending:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > 1.0:
                break
            time.sleep(0.05)
    finally:
        deliverer.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
