"""Create the platform's tables: accounts, sessions, tokens, slugs, watchlists, notes,
notifications, webhooks and their deliveries, protections, cash requests, payment
gateways and feature flags.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

The DDL is written out here rather than taken from ``platform_tables.py``: a migration
must keep producing the schema of its own day after the tables move on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _big(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _bool(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _rowid(name: str) -> sa.Column[int]:
    # INTEGER on SQLite so that the id is the rowid (see tables.py).
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def _uq(table: str, column: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(column, name=f"uq_{table}_{column}")


def upgrade() -> None:
    op.create_table(
        "platform_users",
        _text("user_id"),
        _text("email"),
        _text("username"),
        _text("password_hash"),
        _text("first_name"),
        _text("last_name"),
        _text("bio"),
        _bool("dark_mode"),
        _text("muted_kinds"),
        _text("status"),
        _text("role"),
        _text("referral_code"),
        _text("referred_by", nullable=True),
        _text("invite_code", nullable=True),
        sa.Column("avatar_png", sa.LargeBinary(), nullable=True),
        _int("avatar_version"),
        _big("password_changed_ns"),
        _big("created_ns"),
        _big("updated_ns"),
        _pk("platform_users", "user_id"),
        _uq("platform_users", "email"),
        _uq("platform_users", "username"),
        _uq("platform_users", "referral_code"),
    )
    op.create_table(
        "platform_sessions",
        _text("session_hash"),
        _text("user_id"),
        _text("csrf_token"),
        _big("created_ns"),
        _big("expires_ns"),
        _pk("platform_sessions", "session_hash"),
    )
    op.create_index("ix_platform_sessions_user_id", "platform_sessions", ["user_id"])
    op.create_table(
        "platform_tokens",
        _text("token_id"),
        _text("token_hash"),
        _text("user_id"),
        _text("name"),
        _text("scopes"),
        _text("hint"),
        _big("created_ns"),
        _big("revoked_ns", nullable=True),
        _pk("platform_tokens", "token_id"),
        _uq("platform_tokens", "token_hash"),
    )
    op.create_index("ix_platform_tokens_user_id", "platform_tokens", ["user_id"])
    op.create_table(
        "platform_event_slugs",
        _text("slug"),
        _text("event_ticker"),
        _bool("featured"),
        _big("created_ns"),
        _pk("platform_event_slugs", "slug"),
        _uq("platform_event_slugs", "event_ticker"),
    )
    op.create_table(
        "platform_watchlist",
        _text("user_id"),
        _text("event_ticker"),
        _big("created_ns"),
        _pk("platform_watchlist", "user_id", "event_ticker"),
    )
    op.create_table(
        "platform_notes",
        _rowid("note_id"),
        _text("user_id"),
        _text("ticker", nullable=True),
        _text("body"),
        _big("created_ns"),
        _pk("platform_notes", "note_id"),
    )
    op.create_index("ix_platform_notes_user_id", "platform_notes", ["user_id", "note_id"])
    op.create_table(
        "platform_notifications",
        _rowid("notification_id"),
        _text("user_id"),
        _text("kind"),
        _text("payload"),
        _bool("is_read"),
        _big("seq"),
        _big("created_ns"),
        _pk("platform_notifications", "notification_id"),
    )
    op.create_index(
        "ix_platform_notifications_user_id",
        "platform_notifications",
        ["user_id", "notification_id"],
    )
    op.create_table(
        "platform_webhooks",
        _text("webhook_id"),
        _text("user_id"),
        _text("url"),
        _text("secret"),
        _text("kinds"),
        _big("created_ns"),
        _pk("platform_webhooks", "webhook_id"),
    )
    op.create_index("ix_platform_webhooks_user_id", "platform_webhooks", ["user_id"])
    op.create_table(
        "platform_webhook_deliveries",
        _rowid("delivery_id"),
        _text("webhook_id"),
        _text("kind"),
        _text("body"),
        _text("status"),
        _int("attempts"),
        _big("next_attempt_ns"),
        _int("last_status_code", nullable=True),
        _text("last_error", nullable=True),
        _big("created_ns"),
        _big("updated_ns"),
        _pk("platform_webhook_deliveries", "delivery_id"),
    )
    op.create_index(
        "ix_platform_webhook_deliveries_status",
        "platform_webhook_deliveries",
        ["status", "next_attempt_ns"],
    )
    op.create_index(
        "ix_platform_webhook_deliveries_webhook_id",
        "platform_webhook_deliveries",
        ["webhook_id", "delivery_id"],
    )
    op.create_table(
        "platform_protections",
        _text("protection_id"),
        _text("user_id"),
        _text("ticker"),
        _text("held_side"),
        _int("stop_loss_bps", nullable=True),
        _int("take_profit_bps", nullable=True),
        _text("status"),
        _text("trigger", nullable=True),
        _big("trigger_price_cc", nullable=True),
        _text("order_id", nullable=True),
        _big("filled_c", nullable=True),
        _big("created_ns"),
        _big("updated_ns"),
        _pk("platform_protections", "protection_id"),
    )
    op.create_index(
        "ix_platform_protections_user_id", "platform_protections", ["user_id", "ticker"]
    )
    op.create_index("ix_platform_protections_status", "platform_protections", ["status"])
    op.create_table(
        "platform_cash_requests",
        _text("request_id"),
        _text("user_id"),
        _text("kind"),
        _text("gateway"),
        _big("amount_cc"),
        _text("status"),
        _text("reason", nullable=True),
        _big("created_ns"),
        _big("decided_ns", nullable=True),
        _pk("platform_cash_requests", "request_id"),
    )
    op.create_index(
        "ix_platform_cash_requests_user_id", "platform_cash_requests", ["user_id", "created_ns"]
    )
    op.create_index(
        "ix_platform_cash_requests_status", "platform_cash_requests", ["status", "created_ns"]
    )
    op.create_table(
        "platform_gateways",
        _text("name"),
        _bool("deposits"),
        _bool("withdrawals"),
        _big("updated_ns"),
        _pk("platform_gateways", "name"),
    )
    op.create_table(
        "platform_flags",
        _text("name"),
        _bool("enabled"),
        _big("updated_ns"),
        _pk("platform_flags", "name"),
    )


def downgrade() -> None:
    for table in (
        "platform_flags",
        "platform_gateways",
        "platform_cash_requests",
        "platform_protections",
        "platform_webhook_deliveries",
        "platform_webhooks",
        "platform_notifications",
        "platform_notes",
        "platform_watchlist",
        "platform_event_slugs",
        "platform_tokens",
        "platform_sessions",
        "platform_users",
    ):
        op.drop_table(table)
