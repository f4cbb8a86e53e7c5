"""The platform's tables (``augury.platform``): accounts, sessions, tokens and user data.

Declared on the store's one ``MetaData`` (``tables.metadata``), created by migration 0003
and written through the raw driver (``platform/db.py``), like every other table.

Where they live: an SQLite store keeps them in their own file beside the journal's
(``augury.db`` -> ``augury-platform.db``, see ``platform.db.platform_url``) so a platform
write never holds the lock a group commit needs; PostgreSQL keeps them in the same
database. Decision 0040 says why and how they stay consistent with the journal.

Invariants:

- ``platform_users.user_id`` IS the exchange user id: the same balances, positions and
  orders the Kalshi API shows for that user's keys. ``email`` is stored normalised
  (``platform.accounts.normalise_email``) and unique; ``username`` is unique lower-case.
- Secrets are never stored in the clear: sessions and ``pred_`` tokens by SHA-256 of the
  secret, passwords as argon2id hashes. Webhook signing secrets are the exception (the
  server must sign with them); they are shown to their owner once.
- Money in ``platform_cash_requests`` is integer centi-cents (``amount_cc``); nothing in
  these tables moves money: approval journals a ``Deposit``/``Withdraw`` command whose
  ``transfer_id`` is the request's, so a retried approval cannot move it twice.
- Rows derived from the journal's events (notifications, webhook deliveries) are written
  with the ``meta`` watermark ``platform.seq`` in one transaction; recovery replays the
  commands after it.
"""

from __future__ import annotations

import sqlalchemy as sa

from augury.store.tables import metadata

__all__ = [
    "cash_requests",
    "event_slugs",
    "flags",
    "gateways",
    "notes",
    "notifications",
    "protections",
    "sessions",
    "tokens",
    "users",
    "watchlist",
    "webhook_deliveries",
    "webhooks",
]

_TEXT = sa.Text()
_INT = sa.Integer()
_BIG = sa.BigInteger()
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # the rowid on SQLite
_BOOL = sa.Boolean()

users = sa.Table(
    "platform_users",
    metadata,
    sa.Column("user_id", _TEXT, primary_key=True),
    sa.Column("email", _TEXT, nullable=False, unique=True),
    sa.Column("username", _TEXT, nullable=False, unique=True),
    sa.Column("password_hash", _TEXT, nullable=False),
    sa.Column("first_name", _TEXT, nullable=False),
    sa.Column("last_name", _TEXT, nullable=False),
    sa.Column("bio", _TEXT, nullable=False),
    sa.Column("dark_mode", _BOOL, nullable=False),
    # Notification kinds the user turned off, space-separated.
    sa.Column("muted_kinds", _TEXT, nullable=False),
    # active | suspended
    sa.Column("status", _TEXT, nullable=False),
    sa.Column("role", _TEXT, nullable=False),
    # Later issues (referrals, invites): the codes are kept from the first registration on.
    sa.Column("referral_code", _TEXT, nullable=False, unique=True),
    sa.Column("referred_by", _TEXT, nullable=True),
    sa.Column("invite_code", _TEXT, nullable=True),
    sa.Column("avatar_png", sa.LargeBinary(), nullable=True),
    sa.Column("avatar_version", _INT, nullable=False),
    sa.Column("password_changed_ns", _BIG, nullable=False),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
)

sessions = sa.Table(
    "platform_sessions",
    metadata,
    sa.Column("session_hash", _TEXT, primary_key=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("csrf_token", _TEXT, nullable=False),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("expires_ns", _BIG, nullable=False),
    sa.Index("ix_platform_sessions_user_id", "user_id"),
)

tokens = sa.Table(
    "platform_tokens",
    metadata,
    sa.Column("token_id", _TEXT, primary_key=True),
    sa.Column("token_hash", _TEXT, nullable=False, unique=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("name", _TEXT, nullable=False),
    sa.Column("scopes", _TEXT, nullable=False),  # "read" or "read write"
    sa.Column("hint", _TEXT, nullable=False),  # the last four characters, for lists
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("revoked_ns", _BIG, nullable=True),
    sa.Index("ix_platform_tokens_user_id", "user_id"),
)

event_slugs = sa.Table(
    "platform_event_slugs",
    metadata,
    sa.Column("slug", _TEXT, primary_key=True),
    sa.Column("event_ticker", _TEXT, nullable=False, unique=True),
    sa.Column("featured", _BOOL, nullable=False),
    sa.Column("created_ns", _BIG, nullable=False),
)

watchlist = sa.Table(
    "platform_watchlist",
    metadata,
    sa.Column("user_id", _TEXT, primary_key=True),
    sa.Column("event_ticker", _TEXT, primary_key=True),
    sa.Column("created_ns", _BIG, nullable=False),
)

notes = sa.Table(
    "platform_notes",
    metadata,
    sa.Column("note_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("ticker", _TEXT, nullable=True),
    sa.Column("body", _TEXT, nullable=False),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Index("ix_platform_notes_user_id", "user_id", "note_id"),
)

notifications = sa.Table(
    "platform_notifications",
    metadata,
    sa.Column("notification_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("kind", _TEXT, nullable=False),
    sa.Column("payload", _TEXT, nullable=False),  # JSON object
    sa.Column("is_read", _BOOL, nullable=False),
    sa.Column("seq", _BIG, nullable=False),  # the journal command that caused it (0: none)
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Index("ix_platform_notifications_user_id", "user_id", "notification_id"),
)

webhooks = sa.Table(
    "platform_webhooks",
    metadata,
    sa.Column("webhook_id", _TEXT, primary_key=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("url", _TEXT, nullable=False),
    sa.Column("secret", _TEXT, nullable=False),
    sa.Column("kinds", _TEXT, nullable=False),  # space-separated; "" = every kind
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Index("ix_platform_webhooks_user_id", "user_id"),
)

webhook_deliveries = sa.Table(
    "platform_webhook_deliveries",
    metadata,
    sa.Column("delivery_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", _TEXT, nullable=False),
    sa.Column("kind", _TEXT, nullable=False),
    sa.Column("body", _TEXT, nullable=False),
    sa.Column("status", _TEXT, nullable=False),  # pending | delivered | failed
    sa.Column("attempts", _INT, nullable=False),
    sa.Column("next_attempt_ns", _BIG, nullable=False),
    sa.Column("last_status_code", _INT, nullable=True),
    sa.Column("last_error", _TEXT, nullable=True),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
    sa.Index("ix_platform_webhook_deliveries_status", "status", "next_attempt_ns"),
    sa.Index("ix_platform_webhook_deliveries_webhook_id", "webhook_id", "delivery_id"),
)

protections = sa.Table(
    "platform_protections",
    metadata,
    sa.Column("protection_id", _TEXT, primary_key=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("ticker", _TEXT, nullable=False),
    sa.Column("held_side", _TEXT, nullable=False),  # yes | no
    sa.Column("stop_loss_bps", _INT, nullable=True),
    sa.Column("take_profit_bps", _INT, nullable=True),
    # active | firing | fired | cancelled
    sa.Column("status", _TEXT, nullable=False),
    sa.Column("trigger", _TEXT, nullable=True),  # stop_loss | take_profit
    sa.Column("trigger_price_cc", _BIG, nullable=True),
    sa.Column("order_id", _TEXT, nullable=True),
    sa.Column("filled_c", _BIG, nullable=True),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
    sa.Index("ix_platform_protections_user_id", "user_id", "ticker"),
    sa.Index("ix_platform_protections_status", "status"),
)

cash_requests = sa.Table(
    "platform_cash_requests",
    metadata,
    sa.Column("request_id", _TEXT, primary_key=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("kind", _TEXT, nullable=False),  # deposit | withdrawal
    sa.Column("gateway", _TEXT, nullable=False),
    sa.Column("amount_cc", _BIG, nullable=False),
    # pending | approving | approved | rejected
    sa.Column("status", _TEXT, nullable=False),
    sa.Column("reason", _TEXT, nullable=True),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("decided_ns", _BIG, nullable=True),
    sa.Index("ix_platform_cash_requests_user_id", "user_id", "created_ns"),
    sa.Index("ix_platform_cash_requests_status", "status", "created_ns"),
)

gateways = sa.Table(
    "platform_gateways",
    metadata,
    sa.Column("name", _TEXT, primary_key=True),
    sa.Column("deposits", _BOOL, nullable=False),
    sa.Column("withdrawals", _BOOL, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
)

flags = sa.Table(
    "platform_flags",
    metadata,
    sa.Column("name", _TEXT, primary_key=True),
    sa.Column("enabled", _BOOL, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
)
