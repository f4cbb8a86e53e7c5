"""The store's table definitions: one SQLAlchemy Core ``MetaData`` shared by SQLite and PostgreSQL.

These tables are the *schema* only. Alembic creates them (``store/migrations``) and the tests
compare them with the migrated database; the hot path in ``journal.py`` writes them through the
raw driver, so every column name used there must match this file.

Invariants:

- ``journal.seq`` is the sequencer's command number: assigned by the writer, never by the
  database (``autoincrement=False``), and contiguous across the rows that are kept.
- ``journal.crc32`` covers ``seq ‖ ts_ns ‖ payload`` (see ``journal.record_crc32``), so a row
  copied to another seq, or with a damaged payload, fails verification.
- ``snapshots.sha256`` is the lowercase hex SHA-256 of ``payload``.
- Payloads are opaque bytes to the store: the engine owns their encoding.

Portability: ``seq`` is ``BIGINT`` on PostgreSQL but ``INTEGER`` on SQLite, because only an
``INTEGER PRIMARY KEY`` becomes SQLite's rowid (already 64-bit); a ``BIGINT`` key there would
add a second B-tree that every append must also update.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["journal", "meta", "metadata", "snapshots"]

# Fixed constraint names keep Alembic migrations reproducible across dialects.
metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
    }
)

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

journal = sa.Table(
    "journal",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
    sa.Column("ts_ns", sa.BigInteger(), nullable=False),
    sa.Column("payload", sa.LargeBinary(), nullable=False),
    sa.Column("crc32", sa.BigInteger(), nullable=False),
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
    sa.Column("created_ns", sa.BigInteger(), nullable=False),
    sa.Column("payload", sa.LargeBinary(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)
