"""A webhook receiver for tests: a tiny HTTP server on 127.0.0.1 that verifies every signature with
``standardwebhooks`` and fails the first attempts of each message on purpose."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook

from service.tests.helpers import free_port

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass
class Attempt:
    webhook_id: str
    started: float
    ended: float
    status: int
    verified: bool
    body: dict[str, Any] | None


@dataclass
class Receiver:
    """Answers ``fail_first`` attempts of each ``webhook-id`` with ``fail_status``, then 2xx."""

    secret: str = SECRET
    fail_first: int = 2
    fail_status: int = 500
    retry_after: str | None = None
    hold_seconds: float = 0.0
    port: int = field(default_factory=free_port)
    attempts: list[Attempt] = field(default_factory=list)
    overlaps: list[str] = field(default_factory=list)
    _inflight: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Go down: connections are refused until :meth:`start` again (same port)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        body = request.rfile.read(int(request.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in request.headers.items()}
        webhook_id = headers.get("webhook-id", "")
        try:
            Webhook(self.secret).verify(body, headers)
            verified = True
        except Exception:  # noqa: BLE001 - any verification failure is recorded as such
            verified = False
        with self._lock:
            if webhook_id in self._inflight:
                self.overlaps.append(webhook_id)
            self._inflight.add(webhook_id)
            seen = sum(1 for a in self.attempts if a.webhook_id == webhook_id)
        if self.hold_seconds:
            time.sleep(self.hold_seconds)
        if not verified:
            status = 400
        elif seen < self.fail_first:
            status = self.fail_status
        else:
            status = 204
        with self._lock:
            self._inflight.discard(webhook_id)
            self.attempts.append(
                Attempt(
                    webhook_id,
                    started,
                    time.monotonic(),
                    status,
                    verified,
                    json.loads(body) if verified else None,
                )
            )
        request.send_response(status)
        if status != 204 and self.retry_after is not None:
            request.send_header("Retry-After", self.retry_after)
        request.send_header("Content-Length", "0")
        request.end_headers()

    # -- what arrived --------------------------------------------------------------------------------
    def delivered(self) -> dict[str, dict[str, Any]]:
        """webhook-id -> body, for the messages answered 2xx."""
        with self._lock:
            return {a.webhook_id: a.body for a in self.attempts if 200 <= a.status < 300 and a.body}

    def tries(self, webhook_id: str) -> list[Attempt]:
        with self._lock:
            return [a for a in self.attempts if a.webhook_id == webhook_id]


def wait_for(predicate: Any, timeout: float = 30.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s")
        time.sleep(step)
