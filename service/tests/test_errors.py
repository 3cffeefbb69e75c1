"""Bad input gets a 4xx JSON error with a type and a message; never a 5xx or a stack trace."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from service.tests.conftest import ADMIN, INTAKE

JSON = {"Content-Type": "application/json"}

BAD_ROUTE_BODIES = [
    (b'{"text": ""}', 422, "EmptyComplaintError"),
    (b'{"text": "   \\n\\t "}', 422, "EmptyComplaintError"),
    (b'{"text": "!!! ???"}', 422, "EmptyComplaintError"),
    ('{"text": "\U0001f600\U0001f600 https://example.com/x"}'.encode(), 422, "EmptyComplaintError"),
    (b"{}", 422, "ValidationError"),
    (b'{"text": 42}', 422, "ValidationError"),
    (b'{"text": ["a"]}', 422, "ValidationError"),
    (b'{"text": "jalan", "location": "Rungkut"}', 422, "ValidationError"),
    (b'{"text": "jalan", "submitted_at": "yesterday"}', 422, "ValidationError"),
    (b'{"text": "jalan", "unexpected": 1}', 422, "ValidationError"),
    (b'{"text": "jalan", "id": "  "}', 422, "ValidationError"),
    (b'{"text": ', 422, "MalformedJSON"),
    (b"not json at all", 422, "MalformedJSON"),
    (b"[]", 422, "ValidationError"),
    (b"null", 422, "ValidationError"),
    (b'{"text": "\xff\xfe jalan"}', 400, "MalformedBody"),
]


@pytest.mark.parametrize(
    ("body", "status", "kind"), BAD_ROUTE_BODIES, ids=[repr(b[0][:20]) for b in BAD_ROUTE_BODIES]
)
def test_errors_bad_route_body(sqlite_client: TestClient, body: bytes, status: int, kind: str) -> None:
    r = sqlite_client.post("/v1/route", content=body, headers={**INTAKE, **JSON})
    assert r.status_code == status, r.text
    payload = r.json()
    assert payload["type"] == kind and payload["detail"]
    assert "Traceback" not in r.text


def test_errors_validation_does_not_echo_input(sqlite_client: TestClient) -> None:
    r = sqlite_client.post("/v1/route", json={"text": 3578012345670001}, headers=INTAKE)
    assert r.status_code == 422
    assert "3578012345670001" not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "text"]


def test_errors_text_over_limit_is_413(sqlite_client: TestClient) -> None:
    r = sqlite_client.post("/v1/route", json={"text": "jalan " * 5000}, headers=INTAKE)
    assert r.status_code == 413 and r.json()["type"] == "PayloadTooLargeError"
    assert "20000" in r.json()["detail"]


def test_errors_body_over_limit_is_413_before_parsing(sqlite_client: TestClient) -> None:
    big = b'{"text": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    r = sqlite_client.post("/v1/route", content=big, headers={**INTAKE, **JSON})
    assert r.status_code == 413 and r.json()["type"] == "PayloadTooLargeError"


def test_errors_unknown_suggestion_is_404(sqlite_client: TestClient) -> None:
    r = sqlite_client.get("/v1/suggestions/999", headers=ADMIN)
    assert r.status_code == 404 and r.json()["type"] == "SuggestionNotFoundError"
    assert "GET /v1/suggestions" in r.json()["detail"]
    r = sqlite_client.post(
        "/v1/suggestions/999/decision", headers=ADMIN, json={"agency": "a", "category": "b", "reviewer": "c"}
    )
    assert r.status_code == 404
    assert sqlite_client.get("/v1/suggestions/abc", headers=ADMIN).status_code == 422
    assert sqlite_client.get("/v1/suggestions/-1", headers=ADMIN).status_code == 422


@pytest.mark.parametrize("query", ["status=open", "limit=0", "limit=1000", "offset=-1", "order=random"])
def test_errors_bad_list_query_is_422(sqlite_client: TestClient, query: str) -> None:
    r = sqlite_client.get(f"/v1/suggestions?{query}", headers=ADMIN)
    assert r.status_code == 422 and r.json()["type"] == "ValidationError"


def test_errors_unknown_path_and_method_are_json(sqlite_client: TestClient) -> None:
    r = sqlite_client.get("/v1/nothing", headers=ADMIN)
    assert r.status_code == 404 and r.json()["type"] == "NotFound"
    r = sqlite_client.delete("/v1/route", headers=ADMIN)
    assert r.status_code == 405 and r.json()["type"] == "MethodNotAllowed"


def test_errors_cors_is_closed_by_default(sqlite_client: TestClient) -> None:
    r = sqlite_client.options(
        "/v1/route", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}
    r = sqlite_client.post(
        "/v1/route", json={"text": "jalan"}, headers={**INTAKE, "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


def test_errors_unexpected_failure_is_generic_500_without_trace(
    sqlite_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret complaint text " + "3578" + "012345670001")

    sqlite_client.app.state.models.current.router.predict = broken  # type: ignore[attr-defined]
    r = sqlite_client.post("/v1/route", json={"text": "jalan rusak"}, headers=INTAKE)
    assert r.status_code == 500
    assert r.json() == {"type": "InternalError", "detail": "internal error; it has been logged"}
    assert "3578012345670001" not in caplog.text and "RuntimeError" in caplog.text


def _post_ascii(client: TestClient, path: str, payload: object, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """POST JSON with \\u escapes (lets a lone surrogate through, as a real client can send it)."""
    return client.post(path, content=json.dumps(payload).encode("ascii"), headers={**headers, **JSON})


def test_errors_unstorable_characters_and_ranges_on_every_database(client: TestClient) -> None:
    # NUL bytes and lone surrogates cannot be stored by PostgreSQL: they are replaced, not a 5xx.
    for text in ("jalan\x00rusak", "jalan \ud800 rusak"):
        body = {"text": text, "id": f"n-{len(text)}\x00", "location": {"kecamatan\x00": "Rung\x00kut"}}
        r = _post_ascii(client, "/v1/route", body, INTAKE)
        assert r.status_code == 200, r.text
    sid = r.json()["suggestion_id"]
    decision = {"agency": "Dinas\x00 Sosial", "category": "x\ud800", "reviewer": "a\x00"}
    r = _post_ascii(client, f"/v1/suggestions/{sid}/decision", decision, ADMIN)
    assert r.status_code == 422 and r.json()["type"] == "ValidationError"  # a label must be real text
    r = _post_ascii(client, f"/v1/suggestions/{sid}/decision", {**decision, "category": "x"}, ADMIN)
    assert r.status_code == 200 and r.json()["decision"]["agency"] == "Dinas  Sosial"
    assert client.get("/v1/suggestions?agency=a%00b", headers=ADMIN).status_code == 200
    for bad in (2**31, 2**63):
        assert client.get(f"/v1/suggestions/{bad}", headers=ADMIN).status_code == 422
        r = client.post(
            f"/v1/suggestions/{sid}/decision",
            headers=ADMIN,
            json={"agency": "a", "category": "b", "reviewer": "c", "duplicate_of": bad},
        )
        assert r.status_code == 422
    for when in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1800-01-01T00:00:00"):
        r = client.post("/v1/route", headers=INTAKE, json={"text": "jalan", "submitted_at": when})
        assert r.status_code == 422 and r.json()["type"] == "ValidationError"
    r = client.post("/v1/model/reload", headers=ADMIN, json={"model_dir": "a\x00b"})
    assert r.status_code == 422
