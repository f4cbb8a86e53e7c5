"""Alembic environment for the store, driven from code (``augury.store.migrate``), not an ini file.

The caller passes either a live SQLAlchemy ``Connection`` in ``config.attributes["connection"]``
or, for offline SQL generation, a URL in ``config.attributes["url"]``. The URL travels as an
attribute rather than a main option because Alembic's ini parser would treat the ``%`` of a
percent-encoded URL (``?options=-csearch_path%3D...``) as interpolation.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from augury.store.tables import metadata

config = context.config


def _run_offline() -> None:
    context.configure(
        url=config.attributes["url"],
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online(connection: Connection) -> None:
    # Both dialects get all-or-nothing migrations: PostgreSQL has transactional DDL, and
    # migrate.py makes SQLite open a real BEGIN IMMEDIATE so its DDL is transactional too.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online(config.attributes["connection"])
