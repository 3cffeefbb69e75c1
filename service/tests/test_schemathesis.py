"""Property-based run over /openapi.json: whatever the generator sends, no 5xx and always a JSON error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from lapor_nlp import ModelNotFoundError
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, PgSchema, make_settings
from service.tests.fakes import FakeIndex, FakeRouter
from service.tests.helpers import live_server


def _loader(path: Path) -> FakeRouter:
    raise ModelNotFoundError(f"no model at {path}")


def _app(db: str):  # type: ignore[no-untyped-def]
    return create_app(make_settings(db), router=FakeRouter(), index_factory=FakeIndex, loader=_loader)


# Every test here talks to a live server (a uvicorn thread): out of `make test-fast`.
pytestmark = pytest.mark.integration

# The schema only needs the route table, not a running app.
schema = schemathesis.openapi.from_dict(_app("sqlite://").openapi())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def base_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    schema_ = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'db.sqlite'}"
    else:
        schema_ = PgSchema(request.getfixturevalue("postgres_url"))
        url = schema_.url
    with live_server(_app(url)) as base:
        with httpx.Client(base_url=base, headers=INTAKE) as http:
            for text in ("jalan rusak di gang satu", "tolong warga", "sampah numpuk"):
                http.post("/v1/route", json={"text": text})
        yield base
    if schema_ is not None:
        schema_.drop()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case: schemathesis.Case, base_url: str) -> None:
    for headers in (ADMIN, INTAKE, {}):
        response = case.call(base_url=base_url, headers={**(case.headers or {}), **headers})
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body, dict) and "type" in body and "detail" in body
