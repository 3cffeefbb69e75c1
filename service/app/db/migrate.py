"""Run the Alembic migrations programmatically (the service does it on start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` up to ``revision``; a no-op when it is already there."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Serialise concurrent start-ups (several workers or replicas) on one database.
            from sqlalchemy import text

            connection.execute(text("SELECT pg_advisory_xact_lock(7265130101)"))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
