"""Alembic environment: run with a connection handed in by :func:`service.app.db.migrate.upgrade`."""

from __future__ import annotations

from alembic import context
from service.app.db.models import Base
from sqlalchemy import Connection, create_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # plain `alembic -c service/app/db/alembic.ini upgrade head`
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///./.lapor-nlp/lapor-nlp.db")
    with engine.begin() as conn:
        _run(conn)
