"""Create the history read models: orders, fills, trades, settlements, cash movements,
candles and market statistics.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

The DDL is written out here rather than taken from ``tables.py``: a migration must keep
producing the schema of its own day after ``tables.py`` moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
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


def upgrade() -> None:
    op.create_table(
        "orders",
        _text("order_id"),
        _text("user_id"),
        _int("subaccount"),
        _text("ticker"),
        _text("event_ticker", nullable=True),
        _text("side"),
        _big("price_cc"),
        _big("initial_c"),
        _big("fill_c"),
        _big("remaining_c"),
        _text("status"),
        _text("time_in_force"),
        _text("order_type"),
        _text("legacy_side"),
        _text("legacy_action"),
        _text("client_order_id"),
        _text("order_group_id", nullable=True),
        _text("self_trade_prevention"),
        _bool("post_only"),
        _bool("cancel_order_on_pause"),
        _big("expiration_ts_ns", nullable=True),
        _big("created_ns"),
        _big("updated_ns"),
        _big("taker_fill_cost_cc"),
        _big("maker_fill_cost_cc"),
        _big("taker_fees_cc"),
        _big("maker_fees_cc"),
        _big("ord"),
        sa.PrimaryKeyConstraint("order_id", name="pk_orders"),
    )
    op.create_index("ix_orders_user_created", "orders", ["user_id", "created_ns", "ord"])
    op.create_index("ix_orders_user_ticker", "orders", ["user_id", "ticker", "created_ns", "ord"])
    op.create_index("ix_orders_user_status", "orders", ["user_id", "status", "created_ns", "ord"])

    op.create_table(
        "fills",
        _text("fill_id"),
        _text("trade_id"),
        _text("order_id"),
        _text("user_id"),
        _int("subaccount"),
        _text("ticker"),
        _text("side"),
        _text("legacy_side"),
        _text("legacy_action"),
        _big("price_cc"),
        _big("count_c"),
        _bool("is_taker"),
        _big("fee_cc"),
        _big("post_position_c"),
        _text("client_order_id"),
        _big("ts_ns"),
        _big("seq"),
        _big("ord"),
        sa.PrimaryKeyConstraint("fill_id", name="pk_fills"),
    )
    op.create_index("ix_fills_user_ts", "fills", ["user_id", "ts_ns", "ord"])
    op.create_index("ix_fills_order_id", "fills", ["order_id"])

    op.create_table(
        "trades",
        _text("trade_id"),
        _text("ticker"),
        _big("price_cc"),
        _big("count_c"),
        _text("taker_side"),
        _big("ts_ns"),
        _big("seq"),
        _big("ord"),
        sa.PrimaryKeyConstraint("trade_id", name="pk_trades"),
    )
    op.create_index("ix_trades_ts", "trades", ["ts_ns", "ord"])
    op.create_index("ix_trades_ticker_ts", "trades", ["ticker", "ts_ns", "ord"])

    op.create_table(
        "settlements",
        _text("user_id"),
        _int("subaccount"),
        _text("ticker"),
        _text("event_ticker", nullable=True),
        _text("result"),
        _big("yes_c"),
        _big("no_c"),
        _big("yes_cost_cc"),
        _big("no_cost_cc"),
        _big("revenue_cc"),
        _big("fee_cost_cc"),
        _big("value_cc", nullable=True),
        _big("ts_ns"),
        _big("seq"),
        _big("ord"),
        sa.PrimaryKeyConstraint("user_id", "subaccount", "ticker", name="pk_settlements"),
    )
    op.create_index("ix_settlements_user_ts", "settlements", ["user_id", "ts_ns", "ord"])

    op.create_table(
        "cash_movements",
        # INTEGER on SQLite so that the id is the rowid (see tables.py).
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        _text("kind"),
        _text("user_id"),
        _int("subaccount"),
        _big("amount_cc"),
        _int("to_subaccount", nullable=True),
        _text("transfer_id", nullable=True),
        _big("ts_ns"),
        _big("seq"),
        sa.PrimaryKeyConstraint("id", name="pk_cash_movements"),
    )
    op.create_index("ix_cash_movements_user_id", "cash_movements", ["user_id", "id"])

    op.create_table(
        "candles",
        _text("ticker"),
        _int("period_min"),
        _big("end_ts_s"),
        _big("yes_bid_open_cc"),
        _big("yes_bid_high_cc"),
        _big("yes_bid_low_cc"),
        _big("yes_bid_close_cc"),
        _big("yes_ask_open_cc"),
        _big("yes_ask_high_cc"),
        _big("yes_ask_low_cc"),
        _big("yes_ask_close_cc"),
        _big("price_open_cc", nullable=True),
        _big("price_high_cc", nullable=True),
        _big("price_low_cc", nullable=True),
        _big("price_close_cc", nullable=True),
        _big("price_previous_cc", nullable=True),
        _big("price_volume_fine"),
        _big("volume_c"),
        _big("open_interest_c"),
        sa.PrimaryKeyConstraint("ticker", "period_min", "end_ts_s", name="pk_candles"),
    )

    op.create_table(
        "market_stats",
        _text("ticker"),
        _big("volume_c"),
        _big("open_interest_c"),
        _big("last_price_cc", nullable=True),
        _big("last_trade_ns", nullable=True),
        _big("yes_bid_cc"),
        _big("yes_ask_cc"),
        _big("updated_ns"),
        _big("seq"),
        sa.PrimaryKeyConstraint("ticker", name="pk_market_stats"),
    )


def downgrade() -> None:
    # The watermark describes these tables: it must not outlive them.
    op.execute("DELETE FROM meta WHERE key = 'history.seq'")
    op.drop_table("market_stats")
    op.drop_table("candles")
    op.drop_index("ix_cash_movements_user_id", table_name="cash_movements")
    op.drop_table("cash_movements")
    op.drop_index("ix_settlements_user_ts", table_name="settlements")
    op.drop_table("settlements")
    op.drop_index("ix_trades_ticker_ts", table_name="trades")
    op.drop_index("ix_trades_ts", table_name="trades")
    op.drop_table("trades")
    op.drop_index("ix_fills_order_id", table_name="fills")
    op.drop_index("ix_fills_user_ts", table_name="fills")
    op.drop_table("fills")
    op.drop_index("ix_orders_user_status", table_name="orders")
    op.drop_index("ix_orders_user_ticker", table_name="orders")
    op.drop_index("ix_orders_user_created", table_name="orders")
    op.drop_table("orders")
