"""Schema migrations, run from code: ``upgrade(url)`` brings any store database to head.

No ``alembic.ini`` is needed at run time: the Alembic ``Config`` is built here, with
``script_location`` pointing at the ``migrations`` folder that ships inside the package. The
same ``Config`` writes new revisions:
``alembic.command.revision(alembic_config(), message="...")``.

Invariants:

- Each upgrade runs in one transaction on both dialects, so a crash mid-migration leaves the
  previous revision intact (SQLite gets ``BEGIN IMMEDIATE`` instead of pysqlite's lazy BEGIN,
  which would otherwise run DDL outside any transaction).
- URLs are the store's own forms (``sqlite:///path``, ``sqlite://``, ``postgresql://...``);
  ``sqlalchemy_url`` maps them onto the installed drivers (psycopg 3, stdlib sqlite3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

__all__ = ["alembic_config", "sqlalchemy_url", "upgrade", "upgrade_connection"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def sqlalchemy_url(url: str) -> str:
    """Return ``url`` with the driver SQLAlchemy should use for it.

    Args:
        url: a store URL; ``postgresql://`` and ``postgres://`` select psycopg 3.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def alembic_config() -> Config:
    """Return an Alembic ``Config`` for the store's migrations, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def upgrade_connection(connection: Connection) -> None:
    """Upgrade the database behind an open SQLAlchemy connection to head.

    Args:
        connection: a connection that is not inside a transaction.
    """
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema revision.

    Args:
        url: a store URL, e.g. ``sqlite:///data/augury.db`` or ``postgresql://u@h:5432/db``.
    """
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        _make_sqlite_transactional(engine)
    try:
        with engine.connect() as connection:
            upgrade_connection(connection)
    finally:
        engine.dispose()


def _make_sqlite_transactional(engine: Engine) -> None:
    # SQLAlchemy's documented recipe: turn off pysqlite's own transaction handling (it
    # never BEGINs before DDL) and emit BEGIN ourselves; IMMEDIATE takes the write lock up
    # front so two processes migrating at once queue rather than fail halfway.
    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
