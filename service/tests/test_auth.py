"""API keys: 401 without or with an unknown key, 403 with the wrong role; only hashes are kept."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app.auth import KeyRing, hash_key
from service.app.config import Settings, parse_api_keys
from service.tests.conftest import ADMIN, ADMIN_KEY, INTAKE, INTAKE_KEY

CASES = [
    ("post", "/v1/route", {"text": "jalan rusak"}),
    ("get", "/v1/suggestions", None),
    ("get", "/v1/suggestions/1", None),
    ("post", "/v1/suggestions/1/decision", {"agency": "x", "category": "y", "reviewer": "z"}),
    ("get", "/v1/model", None),
    ("post", "/v1/model/reload", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_auth_missing_or_unknown_key_is_401(
    sqlite_client: TestClient, method: str, path: str, body: object
) -> None:
    for headers in ({}, {"X-API-Key": "not-a-key"}):
        r = sqlite_client.request(method, path, json=body, headers=headers)
        assert r.status_code == 401
        assert r.json()["type"] == "Unauthorized"


@pytest.mark.parametrize("path", ["/v1/suggestions", "/v1/model/reload"])
def test_auth_intake_key_on_admin_endpoint_is_403(sqlite_client: TestClient, path: str) -> None:
    method = "post" if path.endswith("reload") else "get"
    r = sqlite_client.request(method, path, headers=INTAKE)
    assert r.status_code == 403
    assert r.json() == {"type": "Forbidden", "detail": "this endpoint needs an admin key"}


def test_auth_intake_cannot_decide(sqlite_client: TestClient) -> None:
    sid = sqlite_client.post("/v1/route", json={"text": "jalan rusak"}, headers=INTAKE).json()[
        "suggestion_id"
    ]
    r = sqlite_client.post(
        f"/v1/suggestions/{sid}/decision",
        headers=INTAKE,
        json={"agency": "Dinas Perhubungan", "category": "sampah", "reviewer": "x"},
    )
    assert r.status_code == 403


def test_auth_admin_key_may_route_and_health_needs_no_key(sqlite_client: TestClient) -> None:
    assert sqlite_client.post("/v1/route", json={"text": "sampah menumpuk"}, headers=ADMIN).status_code == 200
    assert sqlite_client.get("/healthz").status_code == 200


def test_keyring_keeps_only_hashes() -> None:
    ring = KeyRing(f"intake:{INTAKE_KEY},admin:{ADMIN_KEY},admin:sha256:{hash_key('pre-hashed')}")
    stored = repr(vars(ring))
    assert INTAKE_KEY not in stored and ADMIN_KEY not in stored
    assert ring.roles_for(INTAKE_KEY) == {"intake"}
    assert ring.roles_for(ADMIN_KEY) == {"admin", "intake"}
    assert ring.roles_for("pre-hashed") == {"admin", "intake"}
    assert ring.roles_for("wrong") == set()


@pytest.mark.parametrize("spec", ["intake", "boss:abc", "intake:", ":abc"])
def test_parse_api_keys_rejects_malformed_entries(spec: str) -> None:
    with pytest.raises(ValueError, match="LAPOR_NLP_API_KEYS|role"):
        parse_api_keys(spec)


def test_settings_read_keys_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAPOR_NLP_API_KEYS", "intake:k1, admin:k2")
    monkeypatch.setenv("LAPOR_NLP_DATABASE_URL", "sqlite:///x.db")
    settings = Settings()
    assert parse_api_keys(settings.api_keys) == [("intake", "k1"), ("admin", "k2")]
    assert settings.database_url == "sqlite:///x.db"
    assert "k1" not in repr(settings)
