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

import dataclasses
import typing
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from augury.store import records

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

# --- history read models (store/history_writer.py) -------------------------------------------
#
# Written by ``HistoryWriter`` from the engine's events, one transaction per sequencer batch,
# together with the ``history.seq`` watermark in ``meta``. They can always be rebuilt from the
# journal, so they hold outcomes (not inputs). Amounts are integers in the engine's units,
# times are int ns (candles: Unix seconds). ``ord`` is ``seq << 24 | n``, with ``n`` the
# 1-based index of the event within its command: a total, replay-stable creation order used
# as the tie-breaker of every newest-first listing.
#
# Each row's shape is declared once, as its dataclass in ``records.py`` (what readers get);
# the columns here are derived from it: ``str`` is TEXT, ``int`` BIGINT (INTEGER for the
# small ``_INTEGERS``), ``bool`` BOOLEAN, ``X | None`` nullable, in field order, followed by
# the columns only the store keeps (``ord``). The migration writes the same schema out in
# full (a migration keeps its day's DDL); tests/store compares the two.

_TEXT = sa.Text()
_INT = sa.Integer()
_BIG = sa.BigInteger()
_INTEGERS = frozenset({"subaccount", "to_subaccount", "period_min"})
_TYPES: dict[type, sa.types.TypeEngine[Any]] = {str: _TEXT, int: _BIG, bool: sa.Boolean()}


def _columns(record: type[Any], primary: Sequence[str]) -> list[sa.Column[Any]]:
    """Return the columns of a record's fields (see the comment above)."""
    hints = typing.get_type_hints(record)
    out: list[sa.Column[Any]] = []
    for field in dataclasses.fields(record):
        hint = hints[field.name]
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        nullable = bool(typing.get_args(hint)) and len(args) < len(typing.get_args(hint))
        base = args[0] if nullable else hint
        kind = _INT if field.name in _INTEGERS else _TYPES[base]
        if field.name in primary:
            out.append(sa.Column(field.name, kind, primary_key=True))
        else:
            out.append(sa.Column(field.name, kind, nullable=nullable))
    return out


def _ord() -> sa.Column[int]:
    return sa.Column("ord", _BIG, nullable=False)


orders = sa.Table(
    "orders",
    metadata,
    *_columns(records.OrderRecord, ["order_id"]),
    _ord(),
    # Listings are newest-created first; an upsert only rewrites the indexes whose columns it
    # sets, so the (user, created) and (user, ticker) ones are written once per order.
    sa.Index("ix_orders_user_created", "user_id", "created_ns", "ord"),
    sa.Index("ix_orders_user_ticker", "user_id", "ticker", "created_ns", "ord"),
    sa.Index("ix_orders_user_status", "user_id", "status", "created_ns", "ord"),
)

fills = sa.Table(
    "fills",
    metadata,
    *_columns(records.FillRecord, ["fill_id"]),
    _ord(),
    sa.Index("ix_fills_user_ts", "user_id", "ts_ns", "ord"),
    sa.Index("ix_fills_order_id", "order_id"),
)

trades = sa.Table(
    "trades",
    metadata,
    *_columns(records.TradeRecord, ["trade_id"]),
    _ord(),
    sa.Index("ix_trades_ts", "ts_ns", "ord"),
    sa.Index("ix_trades_ticker_ts", "ticker", "ts_ns", "ord"),
)

settlements = sa.Table(
    "settlements",
    metadata,
    *_columns(records.SettlementRecord, ["user_id", "subaccount", "ticker"]),
    _ord(),
    sa.Index("ix_settlements_user_ts", "user_id", "ts_ns", "ord"),
)

cash_movements = sa.Table(
    "cash_movements",
    metadata,
    # INTEGER on SQLite so that the id is the rowid, as for journal.seq.
    sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
    *_columns(records.CashMovementRecord, [])[1:],
    sa.Index("ix_cash_movements_user_id", "user_id", "id"),
)

candles = sa.Table(
    "candles",
    metadata,
    *_columns(records.Candle, ["ticker", "period_min", "end_ts_s"]),
)

market_stats = sa.Table(
    "market_stats",
    metadata,
    *_columns(records.MarketStats, ["ticker"]),
)

# The platform's tables live in their own module on this same ``metadata``; importing it
# here keeps "every table the migrations build" in one place for Alembic and the tests.
from augury.store import platform_tables as platform_tables  # noqa: E402
