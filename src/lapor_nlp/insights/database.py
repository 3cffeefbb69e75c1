"""Read the routing service's stored suggestions and decisions as a decisions table (SQLAlchemy URL)."""

from __future__ import annotations

import pandas as pd

from lapor_nlp.errors import DataFormatError, InputError


def read_decisions_sql(url: str, *, query: str | None = None) -> pd.DataFrame:
    """Return the decisions table (columns of :mod:`lapor_nlp.insights.review`) from the service database.

    With ``query``, that SQL is run as is (it must select the documented column names). Otherwise the
    service's ``suggestions`` table is read.
    """
    try:
        import sqlalchemy as sa
    except ImportError as exc:  # pragma: no cover - sqlalchemy ships with the [service] extra
        raise InputError("reading a database needs SQLAlchemy: pip install 'lapor-nlp[service]'") from exc
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InputError(f"cannot use database URL {url!r}: {exc}") from exc
    try:
        with engine.connect() as conn:
            if query is None:
                query = _default_query(sa.inspect(conn))
            return pd.read_sql_query(sa.text(query), conn, dtype=str)
    except sa.exc.SQLAlchemyError as exc:
        raise DataFormatError(f"cannot read decisions from {engine.url.render_as_string()}: {exc}") from exc
    finally:
        engine.dispose()


def _default_query(inspector) -> str:  # type: ignore[no-untyped-def]
    tables = set(inspector.get_table_names())
    if "decisions" in tables:
        return "SELECT * FROM decisions"
    raise DataFormatError(
        f"no decisions table found in the database (tables: {sorted(tables)}); "
        "pass query= selecting the documented columns"
    )
