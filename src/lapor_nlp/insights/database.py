"""Read the routing service's stored suggestions and decisions as a decisions table (SQLAlchemy URL).

The service keeps one ``suggestions`` row per routed complaint (model labels, per-target
``auto``/``review`` decisions, ``created_at`` = intake time) and one ``decisions`` row per reviewer
decision (the latest one counts). :func:`read_decisions_sql` joins them into the columns documented in
:mod:`lapor_nlp.insights.review`. A database holding just a ``decisions`` table in that documented
format is read as is.
"""

from __future__ import annotations

import pandas as pd

from lapor_nlp.errors import DataFormatError, InputError

#: Suggestions joined with their latest decision, in the documented decisions-table columns.
SERVICE_QUERY = """
SELECT s.id AS suggestion_id,
       s.category_decision AS category_decision,
       s.agency_decision AS agency_decision,
       s.category_label AS suggested_category,
       s.agency_label AS suggested_agency,
       d.category AS final_category,
       d.agency AS final_agency,
       d.reviewer AS reviewer,
       d.outcome AS outcome,
       s.created_at AS received_at,
       d.decided_at AS decided_at
FROM suggestions s
LEFT JOIN decisions d
  ON d.id = (SELECT MAX(d2.id) FROM decisions d2 WHERE d2.suggestion_id = s.id)
ORDER BY s.id
"""

#: The same for services from revision 0003 on: ``routing`` is what the service's routing rule
#: (``LAPOR_NLP_ROUTING_TARGETS``) made of each complaint when it was routed (rows without it were
#: routed by the older rule: auto iff both targets were auto).
SERVICE_QUERY_ROUTED = SERVICE_QUERY.replace(
    "s.id AS suggestion_id,",
    "s.id AS suggestion_id,\n       COALESCE(s.routed, CASE WHEN s.category_decision = 'auto' AND "
    "s.agency_decision = 'auto' THEN 'auto' ELSE 'review' END) AS routing,",
    1,
)

_SERVICE_COLUMNS = {
    "suggestions": {
        "id",
        "category_label",
        "agency_label",
        "category_decision",
        "agency_decision",
        "created_at",
    },
    "decisions": {"id", "suggestion_id", "agency", "category", "reviewer", "decided_at"},
}


def read_decisions_sql(url: str, *, query: str | None = None) -> pd.DataFrame:
    """Return the decisions table (columns of :mod:`lapor_nlp.insights.review`) from a database.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``sqlite:///lapor.db`` or ``postgresql+psycopg://user@host/db``.
    query : str, optional
        SQL selecting the documented columns; by default the service's schema is recognised and
        :data:`SERVICE_QUERY` is used.
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
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise DataFormatError(f"cannot read decisions from {where}: {exc}") from exc
    finally:
        engine.dispose()


def _default_query(inspector) -> str:  # type: ignore[no-untyped-def]
    tables = set(inspector.get_table_names())
    columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in tables & set(_SERVICE_COLUMNS)}
    if all(t in columns and need <= columns[t] for t, need in _SERVICE_COLUMNS.items()):
        return SERVICE_QUERY_ROUTED if "routed" in columns["suggestions"] else SERVICE_QUERY
    own = columns.get("decisions", set())
    if "routing" in own or "agency_decision" in own:
        return "SELECT * FROM decisions"
    raise DataFormatError(
        f"no routing-service decisions found in the database (tables: {sorted(tables)}); expected the "
        "service's 'suggestions' and 'decisions' tables, or pass query= selecting the documented columns"
    )
