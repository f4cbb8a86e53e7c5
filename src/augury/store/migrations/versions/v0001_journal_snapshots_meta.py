"""Create the journal, snapshots and meta tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

The DDL is written out here rather than taken from ``tables.py``: a migration must keep
producing the schema of its own day after ``tables.py`` moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _seq() -> sa.types.TypeEngine[int]:
    # INTEGER on SQLite so that seq is the rowid (see tables.py).
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("crc32", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_journal"),
    )
    op.create_table(
        "snapshots",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("created_ns", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_snapshots"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("snapshots")
    op.drop_table("journal")
