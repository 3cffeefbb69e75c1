"""Reading review decisions straight from the routing service's database schema (SQLite, PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from lapor_nlp.errors import DataFormatError, InputError
from lapor_nlp.insights import read_decisions_sql, review_quality

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


PG_URL = os.environ.get("LAPOR_NLP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty SQLite file, or a throw-away schema first on the search_path of the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
        return
    psycopg = pytest.importorskip("psycopg")
    conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    schema = "lapor_insights_" + uuid.uuid4().hex[:10]
    try:
        with psycopg.connect(conninfo, connect_timeout=2, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.Error as exc:
        pytest.skip(
            f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); set LAPOR_NLP_TEST_DATABASE_URL"
        )
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(conninfo, connect_timeout=2, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def service_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database made with the service's own models: 3 suggestions, 3 decisions (one superseded)."""
    sa = pytest.importorskip("sqlalchemy")
    monkeypatch.syspath_prepend(str(ROOT))
    models = pytest.importorskip(
        "service.app.db.models", reason="the routing service (issue 5) is not available"
    )
    url = database_url
    engine = sa.create_engine(url)
    models.Base.metadata.create_all(engine)

    def suggestion(i: int, category: str, agency: str, decision: str) -> object:
        return models.SuggestionRow(
            id=i,
            text="lampu mati",
            location={},
            created_at=T0,
            model_version="t",
            category_target="topic",
            category_label=category,
            category_score=0.9,
            category_decision=decision,
            category_top_k=[],
            category_explanation=[],
            agency_label=agency,
            agency_score=0.9,
            agency_decision=decision,
            agency_top_k=[],
            agency_explanation=[],
            duplicates=[],
            status=decision,
        )

    def decision(i: int, sid: int, agency: str, hours: int, reviewer: str) -> object:
        return models.DecisionRow(
            id=i,
            suggestion_id=sid,
            agency=agency,
            category="PJU",
            reviewer=reviewer,
            outcome="x",
            unknown_agency=False,
            unknown_category=False,
            decided_at=T0 + timedelta(hours=hours),
        )

    with sa.orm.Session(engine) as session:
        session.add_all(
            [
                suggestion(1, "PJU", "Dishub", "auto"),
                suggestion(2, "PJU", "Dishub", "review"),
                suggestion(3, "PJU", "DLH", "review"),
            ]
        )
        session.flush()
        session.add_all(
            [
                decision(1, 2, "DLH", 1, "ani"),  # superseded by decision 2
                decision(2, 2, "Dishub", 3, "ani"),  # accepted after 3 h
                decision(3, 3, "Dishub", 5, "budi"),  # overridden after 5 h
            ]
        )
        session.commit()
    engine.dispose()
    return url


def test_read_decisions_sql_uses_latest_decision(service_db: str) -> None:
    frame = read_decisions_sql(service_db).set_index("suggestion_id")
    assert frame.loc["1", ["final_agency", "reviewer"]].isna().all()
    assert frame.loc["2", "final_agency"] == "Dishub"
    rq = review_quality(frame.reset_index())
    s = rq.summary.iloc[0]
    assert (s["suggestions"], s["auto"], s["decided"], s["overridden"]) == (3, 1, 2, 1)
    assert rq.by_reviewer is not None
    hours = rq.by_reviewer.set_index("reviewer")["median_hours"]
    assert hours["ani"] == pytest.approx(3.0) and hours["budi"] == pytest.approx(5.0)


def test_read_decisions_sql_bad_url_or_schema(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    with pytest.raises(InputError, match="database URL"):
        read_decisions_sql("nosuchdialect://x")
    with pytest.raises(DataFormatError, match="no routing-service decisions"):
        read_decisions_sql(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(DataFormatError, match="cannot read decisions"):
        read_decisions_sql(f"sqlite:///{tmp_path / 'empty.db'}", query="SELECT * FROM nope")
