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

__all__ = [
    "candles",
    "cash_movements",
    "fills",
    "journal",
    "market_stats",
    "meta",
    "metadata",
    "orders",
    "settlements",
    "snapshots",
    "trades",
]

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

# --- history read models (store/history_writer.py) -----------------------------------------------
#
# Written by ``HistoryWriter`` from the engine's events, one transaction per sequencer batch,
# together with the ``history.seq`` watermark in ``meta``. They can always be rebuilt from the
# journal, so they hold outcomes (not inputs). Amounts are integers in the engine's units,
# times are int ns (candles: Unix seconds). ``ord`` is ``seq << 24 | n``, with ``n`` the
# 1-based index of the event within its command: a total, replay-stable creation order used
# as the tie-breaker of every newest-first listing.

_TEXT = sa.Text()
_INT = sa.Integer()
_BIG = sa.BigInteger()

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("order_id", _TEXT, primary_key=True),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("subaccount", _INT, nullable=False),
    sa.Column("ticker", _TEXT, nullable=False),
    sa.Column("event_ticker", _TEXT, nullable=True),
    sa.Column("side", _TEXT, nullable=False),
    sa.Column("price_cc", _BIG, nullable=False),
    sa.Column("initial_c", _BIG, nullable=False),
    sa.Column("fill_c", _BIG, nullable=False),
    sa.Column("remaining_c", _BIG, nullable=False),
    sa.Column("status", _TEXT, nullable=False),
    sa.Column("time_in_force", _TEXT, nullable=False),
    sa.Column("order_type", _TEXT, nullable=False),
    sa.Column("legacy_side", _TEXT, nullable=False),
    sa.Column("legacy_action", _TEXT, nullable=False),
    sa.Column("client_order_id", _TEXT, nullable=False),
    sa.Column("order_group_id", _TEXT, nullable=True),
    sa.Column("self_trade_prevention", _TEXT, nullable=False),
    sa.Column("post_only", sa.Boolean(), nullable=False),
    sa.Column("cancel_order_on_pause", sa.Boolean(), nullable=False),
    sa.Column("expiration_ts_ns", _BIG, nullable=True),
    sa.Column("created_ns", _BIG, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
    sa.Column("taker_fill_cost_cc", _BIG, nullable=False),
    sa.Column("maker_fill_cost_cc", _BIG, nullable=False),
    sa.Column("taker_fees_cc", _BIG, nullable=False),
    sa.Column("maker_fees_cc", _BIG, nullable=False),
    sa.Column("ord", _BIG, nullable=False),
    # Listings are newest-created first; an upsert only rewrites the indexes whose columns it
    # sets, so the (user, created) and (user, ticker) ones are written once per order.
    sa.Index("ix_orders_user_created", "user_id", "created_ns", "ord"),
    sa.Index("ix_orders_user_ticker", "user_id", "ticker", "created_ns", "ord"),
    sa.Index("ix_orders_user_status", "user_id", "status", "created_ns", "ord"),
)

fills = sa.Table(
    "fills",
    metadata,
    sa.Column("fill_id", _TEXT, primary_key=True),
    sa.Column("trade_id", _TEXT, nullable=False),
    sa.Column("order_id", _TEXT, nullable=False),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("subaccount", _INT, nullable=False),
    sa.Column("ticker", _TEXT, nullable=False),
    sa.Column("side", _TEXT, nullable=False),
    sa.Column("legacy_side", _TEXT, nullable=False),
    sa.Column("legacy_action", _TEXT, nullable=False),
    sa.Column("price_cc", _BIG, nullable=False),
    sa.Column("count_c", _BIG, nullable=False),
    sa.Column("is_taker", sa.Boolean(), nullable=False),
    sa.Column("fee_cc", _BIG, nullable=False),
    sa.Column("post_position_c", _BIG, nullable=False),
    sa.Column("client_order_id", _TEXT, nullable=False),
    sa.Column("ts_ns", _BIG, nullable=False),
    sa.Column("seq", _BIG, nullable=False),
    sa.Column("ord", _BIG, nullable=False),
    sa.Index("ix_fills_user_ts", "user_id", "ts_ns", "ord"),
    sa.Index("ix_fills_order_id", "order_id"),
)

trades = sa.Table(
    "trades",
    metadata,
    sa.Column("trade_id", _TEXT, primary_key=True),
    sa.Column("ticker", _TEXT, nullable=False),
    sa.Column("price_cc", _BIG, nullable=False),
    sa.Column("count_c", _BIG, nullable=False),
    sa.Column("taker_side", _TEXT, nullable=False),
    sa.Column("ts_ns", _BIG, nullable=False),
    sa.Column("seq", _BIG, nullable=False),
    sa.Column("ord", _BIG, nullable=False),
    sa.Index("ix_trades_ts", "ts_ns", "ord"),
    sa.Index("ix_trades_ticker_ts", "ticker", "ts_ns", "ord"),
)

settlements = sa.Table(
    "settlements",
    metadata,
    sa.Column("user_id", _TEXT, primary_key=True),
    sa.Column("subaccount", _INT, primary_key=True),
    sa.Column("ticker", _TEXT, primary_key=True),
    sa.Column("event_ticker", _TEXT, nullable=True),
    sa.Column("result", _TEXT, nullable=False),
    sa.Column("yes_c", _BIG, nullable=False),
    sa.Column("no_c", _BIG, nullable=False),
    sa.Column("yes_cost_cc", _BIG, nullable=False),
    sa.Column("no_cost_cc", _BIG, nullable=False),
    sa.Column("revenue_cc", _BIG, nullable=False),
    sa.Column("fee_cost_cc", _BIG, nullable=False),
    sa.Column("value_cc", _BIG, nullable=True),
    sa.Column("ts_ns", _BIG, nullable=False),
    sa.Column("seq", _BIG, nullable=False),
    sa.Column("ord", _BIG, nullable=False),
    sa.Index("ix_settlements_user_ts", "user_id", "ts_ns", "ord"),
)

cash_movements = sa.Table(
    "cash_movements",
    metadata,
    # INTEGER on SQLite so that the id is the rowid, as for journal.seq.
    sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("kind", _TEXT, nullable=False),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("subaccount", _INT, nullable=False),
    sa.Column("amount_cc", _BIG, nullable=False),
    sa.Column("to_subaccount", _INT, nullable=True),
    sa.Column("transfer_id", _TEXT, nullable=True),
    sa.Column("ts_ns", _BIG, nullable=False),
    sa.Column("seq", _BIG, nullable=False),
    sa.Index("ix_cash_movements_user_id", "user_id", "id"),
)

candles = sa.Table(
    "candles",
    metadata,
    sa.Column("ticker", _TEXT, primary_key=True),
    sa.Column("period_min", _INT, primary_key=True),
    sa.Column("end_ts_s", _BIG, primary_key=True),
    sa.Column("yes_bid_open_cc", _BIG, nullable=False),
    sa.Column("yes_bid_high_cc", _BIG, nullable=False),
    sa.Column("yes_bid_low_cc", _BIG, nullable=False),
    sa.Column("yes_bid_close_cc", _BIG, nullable=False),
    sa.Column("yes_ask_open_cc", _BIG, nullable=False),
    sa.Column("yes_ask_high_cc", _BIG, nullable=False),
    sa.Column("yes_ask_low_cc", _BIG, nullable=False),
    sa.Column("yes_ask_close_cc", _BIG, nullable=False),
    sa.Column("price_open_cc", _BIG, nullable=True),
    sa.Column("price_high_cc", _BIG, nullable=True),
    sa.Column("price_low_cc", _BIG, nullable=True),
    sa.Column("price_close_cc", _BIG, nullable=True),
    sa.Column("price_previous_cc", _BIG, nullable=True),
    sa.Column("price_volume_fine", _BIG, nullable=False),
    sa.Column("volume_c", _BIG, nullable=False),
    sa.Column("open_interest_c", _BIG, nullable=False),
)

market_stats = sa.Table(
    "market_stats",
    metadata,
    sa.Column("ticker", _TEXT, primary_key=True),
    sa.Column("volume_c", _BIG, nullable=False),
    sa.Column("open_interest_c", _BIG, nullable=False),
    sa.Column("last_price_cc", _BIG, nullable=True),
    sa.Column("last_trade_ns", _BIG, nullable=True),
    sa.Column("yes_bid_cc", _BIG, nullable=False),
    sa.Column("yes_ask_cc", _BIG, nullable=False),
    sa.Column("updated_ns", _BIG, nullable=False),
    sa.Column("seq", _BIG, nullable=False),
)

# The platform's tables live in their own module on this same ``metadata``; importing it
# here keeps "every table the migrations build" in one place for Alembic and the tests.
from augury.store import platform_tables as platform_tables  # noqa: E402
