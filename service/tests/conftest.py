"""Service test fixtures: apps on a fake router, over SQLite and (where reachable) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app.config import Settings
from service.app.main import create_app
from service.tests.fakes import FakeIndex, FakeRouter

INTAKE_KEY = "intake-test-key-0123456789"
ADMIN_KEY = "admin-test-key-9876543210"
KEYS = f"intake:{INTAKE_KEY},admin:{ADMIN_KEY}"
INTAKE = {"X-API-Key": INTAKE_KEY}
ADMIN = {"X-API-Key": ADMIN_KEY}
PG_URL = os.environ.get("LAPOR_NLP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    try:
        import psycopg

        conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, connect_timeout=2):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip"
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); set LAPOR_NLP_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    return PG_URL


class PgSchema:
    """A throw-away schema on the test server; the URL puts it first on the search_path."""

    def __init__(self, base_url: str) -> None:
        import psycopg

        self.name = "lapor_test_" + uuid.uuid4().hex[:12]
        self._conninfo = base_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.name}"')
        sep = "&" if "?" in base_url else "?"
        self.url = f"{base_url}{sep}options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[PgSchema]:
    schema = PgSchema(postgres_url)
    yield schema
    schema.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("pg_schema").url  # type: ignore[no-any-return]


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "api_keys": KEYS,
        "database_url": database_url,
        "model_dir": Path("does-not-exist"),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake_router() -> FakeRouter:
    return FakeRouter()


@pytest.fixture
def client(database_url: str, fake_router: FakeRouter) -> Iterator[TestClient]:
    app = create_app(make_settings(database_url), router=fake_router, index_factory=FakeIndex)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def sqlite_client(tmp_path: Path, fake_router: FakeRouter) -> Iterator[TestClient]:
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'service.db'}"), router=fake_router, index_factory=FakeIndex
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
