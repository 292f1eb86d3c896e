"""Alembic migrations of the central server's schema.

``upgrade(db)`` brings any database to the newest revision: an empty one, one made by the
release before Alembic (``create_all``, stamped as revision 0001 first), or an older revision.
It runs when the server starts; with several workers (or hosts) on one PostgreSQL an advisory
lock lets one of them upgrade while the others wait.

New revision: edit the models in ``db.py``, then
``alembic -c desa_capil/server/migrations/alembic.ini revision --autogenerate -m "what"``
with ``DATABASE_URL`` pointing at a database on the current head, and read what it wrote;
tests/server/test_migrations.py fails while models and migrations disagree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from desa_capil.server.db import Database

HERE = Path(__file__).resolve().parent
# The schema as the release before Alembic made it.
BASELINE = "0001"
_LOCK_KEY = 7301


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    with db.write.begin() as conn:
        if not db.is_sqlite:
            # Several workers starting at once: one upgrades, the others wait and find it done.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        tables = set(inspect(conn).get_table_names())
        cfg = config(conn)
        if "village" in tables and "alembic_version" not in tables:
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)


def current(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.write.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
