"""Property-based run over /openapi.json: whatever the generator sends, no 5xx, no status the schema
leaves out, and always a JSON error. One run with a fixed seed (reproducible), one with a fresh seed
(finds new cases over time; Hypothesis prints the seed of a failure)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis import checks

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


# 5xx, and any status code the route's entry in the schema does not document.
CHECKS = [checks.not_a_server_error, checks.status_code_conformance]


def _check(case: schemathesis.Case, base_url: str) -> None:
    for headers in (ADMIN, INTAKE, {}):
        response = case.call_and_validate(
            base_url=base_url, headers={**(case.headers or {}), **headers}, checks=CHECKS
        )
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body, dict) and "type" in body and "detail" in body


@pytest.mark.slow
@schema.parametrize()
@seed(21)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fixed_seed(case: schemathesis.Case, base_url: str) -> None:
    _check(case, base_url)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fresh_seed(case: schemathesis.Case, base_url: str) -> None:
    _check(case, base_url)
