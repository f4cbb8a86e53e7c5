"""Queries over the history read models, for the API (see ``history_writer.py`` for the writer).

Every method is synchronous and cheap (one indexed query), so an asyncio server calls them
through a thread. Lists come newest first, as Kalshi's do, in pages: each call returns
``(rows, cursor)``; pass ``cursor`` back for the next page, and ``""`` means there is none.
Paging is keyset paging on an immutable key (creation time, then ``ord``, the replay-stable
creation order), so rows written between two calls never make a page repeat or skip a row
(new rows land before the first page). Time filters are inclusive and in ns (candles:
Unix seconds). Amounts are the engine's integer units, unconverted.

Limits: one connection, guarded by a lock, so a reader serves one query at a time; open
one reader per worker thread for parallel reads. Rows written by a transaction that has not
committed are never seen.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TypeVar

from augury.store.db import ClosesOnExit, Database, connect
from augury.store.history_writer import WATERMARK_KEY
from augury.store.records import (
    Candle,
    CashMovementRecord,
    FillRecord,
    MarketStats,
    OrderRecord,
    QuoteSnapshot,
    SettlementRecord,
    TradeRecord,
)

__all__ = [
    "MAX_PAGE",
    "Candle",
    "CashMovementRecord",
    "FillRecord",
    "HistoryReader",
    "InvalidCursorError",
    "MarketStats",
    "OrderRecord",
    "QuoteSnapshot",
    "SettlementRecord",
    "TradeRecord",
]

MAX_PAGE = 1000
MAX_CANDLES = 10_000
_DAY_S = 86_400


class InvalidCursorError(ValueError):
    """A cursor this reader cannot parse (not one it handed out)."""


_R = TypeVar("_R")


def _columns(cls: type[Any]) -> str:
    return ", ".join(f.name for f in fields(cls))


def _bool_positions(cls: type[Any]) -> tuple[int, ...]:
    return tuple(i for i, f in enumerate(fields(cls)) if f.type == "bool")


_BOOLS: dict[type[Any], tuple[int, ...]] = {
    cls: _bool_positions(cls) for cls in (OrderRecord, FillRecord)
}


def _build(cls: type[_R], row: Sequence[Any]) -> _R:
    # SQLite hands booleans back as 0/1.
    positions = _BOOLS.get(cls)
    if positions:
        values = list(row)
        for i in positions:
            values[i] = bool(values[i])
        return cls(*values)
    return cls(*row)


def _encode(*parts: int) -> str:
    return ".".join(str(part) for part in parts)


_CURSOR_PART = re.compile(r"[0-9]{1,19}", re.ASCII)
_INT64_MAX = 2**63 - 1


def _decode(cursor: str, size: int) -> tuple[int, ...]:
    # ASCII digits, each part a value the stores can compare against (signed 64 bits);
    # the cursor is not repeated in the message (it may be long).
    parts = cursor.split(".")
    if len(parts) != size or not all(_CURSOR_PART.fullmatch(p) for p in parts):
        raise InvalidCursorError("invalid cursor")
    values = tuple(int(p) for p in parts)
    if any(value > _INT64_MAX for value in values):
        raise InvalidCursorError("invalid cursor")
    return values


def _check_limit(limit: int, most: int = MAX_PAGE) -> None:
    if not 1 <= limit <= most:
        raise ValueError(f"limit must be in 1..{most}")


class _Select:
    """One query over one history table: the row shape's columns, conditions, an order.

    Every reader method is a ``_Select``: ``where`` skips a filter given as None (and an
    empty list), a list becomes ``IN``; ``newest_first`` adds the keyset cursor on
    ``(time, ord)`` and pages; ``rows`` runs any other order and limit.
    """

    def __init__(self, record: type[Any], table: str) -> None:
        self.record = record
        self.table = table
        self.parts: list[str] = []
        self.params: list[object] = []

    def where(self, **filters: object) -> _Select:
        """Add ``column = value`` (or ``column IN (...)`` for a list) per given filter."""
        for column, value in filters.items():
            if value is None:
                continue
            if isinstance(value, list | tuple):
                if value:
                    self.condition(f"{column} IN ({', '.join('?' * len(value))})", *value)
            else:
                self.condition(f"{column} = ?", value)
        return self

    def condition(self, sql: str, *params: object) -> _Select:
        """Add a condition in SQL with its parameters."""
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def between(self, column: str, low: int | None, high: int | None) -> _Select:
        """Add inclusive bounds on a column (None: unbounded)."""
        if low is not None:
            self.condition(f"{column} >= ?", low)
        if high is not None:
            self.condition(f"{column} <= ?", high)
        return self

    def _sql(self, tail: str, extra: str = "") -> str:
        where = " AND ".join(self.parts) if self.parts else "1 = 1"
        return (
            f"SELECT {_columns(self.record)}{extra} FROM {self.table} "  # noqa: S608
            f"WHERE {where} {tail}"
        )

    def rows(self, reader: HistoryReader, tail: str = "", *params: object) -> list[Any]:
        """Run with ``tail`` (ORDER BY / LIMIT) and return the rows as records."""
        found = reader._query(self._sql(tail), [*self.params, *params])
        return [_build(self.record, row) for row in found]

    def newest_first(
        self, reader: HistoryReader, time_column: str, limit: int, cursor: str
    ) -> tuple[list[Any], str]:
        """Return one page, newest ``(time, ord)`` first, and the next page's cursor."""
        _check_limit(limit)
        if cursor:
            # The plain bound lets the index seek, the OR skips what the previous page
            # already returned at the cursor's own time.
            ts, ord_ = _decode(cursor, 2)
            self.condition(f"{time_column} <= ? AND ({time_column} < ? OR ord < ?)", ts, ts, ord_)
        # The two key columns ride along at the end of each row and make the next cursor.
        sql = self._sql(
            f"ORDER BY {time_column} DESC, ord DESC LIMIT ?", extra=f", {time_column}, ord"
        )
        found = reader._query(sql, [*self.params, limit + 1])
        more = len(found) > limit
        found = found[:limit]
        next_cursor = _encode(*found[-1][-2:]) if more else ""
        return [_build(self.record, row[:-2]) for row in found], next_cursor


class HistoryReader(ClosesOnExit):
    """Read-only queries over the history tables, on a connection of its own."""

    def __init__(self, conn: Database) -> None:
        # Use HistoryReader.open.
        self._conn = conn
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> HistoryReader:
        """Connect to the store at ``url`` (migrating it to head if needed).

        Args:
            url: the store URL; for an in-memory SQLite store, the writer's ``url``.
        """
        return cls(connect(url, read_only=True))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.query(sql, params)

    def watermark(self) -> int:
        """Return the last command seq the tables include."""
        rows = self._query("SELECT value FROM meta WHERE key = ?", (WATERMARK_KEY,))
        return int(rows[0][0]) if rows else 0

    def orders(
        self,
        user_id: str,
        *,
        subaccount: int | None = None,
        ticker: str | None = None,
        event_tickers: Sequence[str] = (),
        status: str | None = None,
        min_ts_ns: int | None = None,
        max_ts_ns: int | None = None,
        finished_before_ns: int | None = None,
        limit: int = 100,
        cursor: str = "",
    ) -> tuple[list[OrderRecord], str]:
        """Return a user's orders, newest created first, and the next page's cursor.

        Args:
            user_id: whose orders.
            subaccount: one subaccount, or None for all.
            ticker: one market, or None for all.
            event_tickers: only orders in these events (empty: all).
            status: ``resting``, ``canceled`` or ``executed``, or None for all.
            min_ts_ns: created at or after this time.
            max_ts_ns: created at or before this time.
            finished_before_ns: only orders that stopped resting (canceled or executed) and
                were last updated before this time: the historical tier's orders.
            limit: page size, 1..1000.
            cursor: "" for the first page, else the cursor the previous page returned.
        """
        select = _Select(OrderRecord, "orders").where(
            user_id=user_id,
            subaccount=subaccount,
            ticker=ticker,
            status=status,
            event_ticker=list(event_tickers),
        )
        if finished_before_ns is not None:
            select.condition("status <> 'resting' AND updated_ns < ?", finished_before_ns)
        select.between("created_ns", min_ts_ns, max_ts_ns)
        return select.newest_first(self, "created_ns", limit, cursor)

    def order(self, order_id: str) -> OrderRecord | None:
        """Return one order's latest state, or None."""
        rows = _Select(OrderRecord, "orders").where(order_id=order_id).rows(self)
        return rows[0] if rows else None

    def fills(
        self,
        user_id: str,
        *,
        subaccount: int | None = None,
        tickers: Sequence[str] = (),
        order_id: str | None = None,
        min_ts_ns: int | None = None,
        max_ts_ns: int | None = None,
        limit: int = 100,
        cursor: str = "",
    ) -> tuple[list[FillRecord], str]:
        """Return a user's fills, newest first, and the next page's cursor.

        Args:
            user_id: whose fills.
            subaccount: one subaccount, or None for all.
            tickers: only these markets (empty: all).
            order_id: only this order's fills.
            min_ts_ns: at or after this time.
            max_ts_ns: at or before this time.
            limit: page size, 1..1000.
            cursor: "" or the cursor the previous page returned.
        """
        select = _Select(FillRecord, "fills").where(
            user_id=user_id, subaccount=subaccount, order_id=order_id, ticker=list(tickers)
        )
        select.between("ts_ns", min_ts_ns, max_ts_ns)
        return select.newest_first(self, "ts_ns", limit, cursor)

    def last_trade_sizes(self, tickers: Sequence[str]) -> dict[str, int]:
        """Return the size of each market's newest trade (markets without one are absent).

        One indexed lookup per market (``ix_trades_ticker_ts``), for seeding live feeds
        after a restart.
        """
        sizes = {}
        for ticker in tickers:
            newest = _Select(TradeRecord, "trades").where(ticker=ticker)
            rows = newest.rows(self, "ORDER BY ts_ns DESC, ord DESC LIMIT 1")
            if rows:
                sizes[ticker] = rows[0].count_c
        return sizes

    def trades(
        self,
        *,
        ticker: str | None = None,
        min_ts_ns: int | None = None,
        max_ts_ns: int | None = None,
        limit: int = 100,
        cursor: str = "",
    ) -> tuple[list[TradeRecord], str]:
        """Return public trades, newest first, and the next page's cursor.

        Args:
            ticker: one market, or None for all.
            min_ts_ns: at or after this time.
            max_ts_ns: at or before this time.
            limit: page size, 1..1000.
            cursor: "" or the cursor the previous page returned.
        """
        select = _Select(TradeRecord, "trades").where(ticker=ticker)
        select.between("ts_ns", min_ts_ns, max_ts_ns)
        return select.newest_first(self, "ts_ns", limit, cursor)

    def settlements(
        self,
        user_id: str,
        *,
        subaccount: int | None = None,
        ticker: str | None = None,
        event_ticker: str | None = None,
        min_ts_ns: int | None = None,
        max_ts_ns: int | None = None,
        limit: int = 100,
        cursor: str = "",
    ) -> tuple[list[SettlementRecord], str]:
        """Return a user's settlements, newest first, and the next page's cursor.

        Args:
            user_id: whose settlements.
            subaccount: one subaccount, or None for all.
            ticker: one market, or None for all.
            event_ticker: one event, or None for all.
            min_ts_ns: settled at or after this time.
            max_ts_ns: settled at or before this time.
            limit: page size, 1..1000.
            cursor: "" or the cursor the previous page returned.
        """
        select = _Select(SettlementRecord, "settlements").where(
            user_id=user_id, subaccount=subaccount, ticker=ticker, event_ticker=event_ticker
        )
        select.between("ts_ns", min_ts_ns, max_ts_ns)
        return select.newest_first(self, "ts_ns", limit, cursor)

    def cash_movements(
        self,
        user_id: str,
        *,
        kind: str | None = None,
        subaccount: int | None = None,
        limit: int = 100,
        cursor: str = "",
    ) -> tuple[list[CashMovementRecord], str]:
        """Return a user's deposits, withdrawals and transfers, newest first.

        Args:
            user_id: whose movements.
            kind: ``deposit``, ``withdrawal`` or ``transfer``, or None for all.
            subaccount: movements from (or, for transfers, to) this subaccount; None for all.
            limit: page size, 1..1000.
            cursor: "" or the cursor the previous page returned.
        """
        _check_limit(limit)
        select = _Select(CashMovementRecord, "cash_movements").where(user_id=user_id, kind=kind)
        if subaccount is not None:
            select.condition("(subaccount = ? OR to_subaccount = ?)", subaccount, subaccount)
        if cursor:
            select.condition("id < ?", _decode(cursor, 1)[0])
        page = select.rows(self, "ORDER BY id DESC LIMIT ?", limit + 1)
        more = len(page) > limit
        page = page[:limit]
        return page, _encode(page[-1].id) if more else ""

    def candles(
        self,
        ticker: str,
        period_min: int,
        start_ts_s: int,
        end_ts_s: int,
        *,
        limit: int = MAX_CANDLES,
    ) -> list[Candle]:
        """Return the stored candles whose period ends in ``start_ts_s..end_ts_s``, oldest first.

        Periods without activity have no row: carry the previous row's closes forward.

        Args:
            ticker: the market.
            period_min: 1, 60 or 1440.
            start_ts_s: earliest period end (Unix seconds, inclusive).
            end_ts_s: latest period end (inclusive).
            limit: at most this many candles (the oldest ones), 1..10000.
        """
        _check_limit(limit, MAX_CANDLES)
        select = _Select(Candle, "candles").where(ticker=ticker, period_min=period_min)
        select.between("end_ts_s", start_ts_s, end_ts_s)
        return select.rows(self, "ORDER BY end_ts_s LIMIT ?", limit)

    def candle_before(self, ticker: str, period_min: int, ts_s: int) -> Candle | None:
        """Return the newest stored candle whose period ends before ``ts_s``, or None."""
        select = _Select(Candle, "candles").where(ticker=ticker, period_min=period_min)
        select.condition("end_ts_s < ?", ts_s)
        rows = select.rows(self, "ORDER BY end_ts_s DESC LIMIT 1")
        return rows[0] if rows else None

    def quotes_at(self, ticker: str, ts_ns: int) -> QuoteSnapshot | None:
        """Return the last price and quotes as of ``ts_ns`` (minute resolution), or None.

        ``Market.previous_*`` ("a day ago") is ``quotes_at(ticker, now_ns - 24 h)``.
        """
        candle = self.candle_before(ticker, 1, ts_ns // 1_000_000_000 + 1)
        if candle is None:
            return None
        price = candle.price_close_cc
        return QuoteSnapshot(
            last_price_cc=candle.price_previous_cc if price is None else price,
            yes_bid_cc=candle.yes_bid_close_cc,
            yes_ask_cc=candle.yes_ask_close_cc,
            open_interest_c=candle.open_interest_c,
        )

    def market_stats(self, ticker: str) -> MarketStats | None:
        """Return a market's statistics as of the watermark, or None before any activity."""
        rows = _Select(MarketStats, "market_stats").where(ticker=ticker).rows(self)
        return rows[0] if rows else None

    def fills_of(self, user_ids: Sequence[str]) -> list[FillRecord]:
        """Return every fill of these users' primary subaccounts, oldest first (a scan
        across users, for leaderboards: run it on a reader of its own)."""
        if not user_ids:
            return []
        select = _Select(FillRecord, "fills").where(subaccount=0, user_id=list(user_ids))
        return select.rows(self, "ORDER BY ts_ns, ord")

    def settlements_of(self, user_ids: Sequence[str]) -> list[SettlementRecord]:
        """Return every settlement of these users' primary subaccounts, oldest first."""
        if not user_ids:
            return []
        select = _Select(SettlementRecord, "settlements").where(
            subaccount=0, user_id=list(user_ids)
        )
        return select.rows(self, "ORDER BY ts_ns, ord")

    def order_for_client_id(self, user_id: str, client_order_id: str) -> str | None:
        """Return the newest order of a user with this client order id, done or not."""
        rows = self._query(
            "SELECT order_id FROM orders WHERE user_id = ? AND client_order_id = ? "
            "ORDER BY ord DESC LIMIT 1",
            (user_id, client_order_id),
        )
        return str(rows[0][0]) if rows else None

    def order_fills_fees(
        self, user_id: str, order_ids: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(order id, fill id, exact fee) of the user's fills of these orders, in fill order."""
        if not order_ids:
            return []
        marks = ", ".join("?" * len(order_ids))
        rows = self._query(
            "SELECT order_id, fill_id, fee_cc FROM fills WHERE subaccount = 0 "  # noqa: S608
            f"AND user_id = ? AND order_id IN ({marks}) ORDER BY ord",
            (user_id, *order_ids),
        )
        return [(str(o), str(f), int(fee)) for o, f, fee in rows]

    def order_fee_totals(self, user_id: str) -> list[tuple[str, int]]:
        """(market, exact fee total) of each of the user's orders that traded."""
        rows = self._query(
            "SELECT ticker, SUM(fee_cc) FROM fills WHERE subaccount = 0 AND user_id = ? "
            "GROUP BY ticker, order_id",
            (user_id,),
        )
        return [(str(ticker), int(total)) for ticker, total in rows]

    def volume_24h(self, ticker: str, now_ns: int) -> int:
        """Return the volume (centi-contracts) of the 1-minute periods ending in the last 24 h."""
        now_s = now_ns // 1_000_000_000
        rows = self._query(
            "SELECT COALESCE(SUM(volume_c), 0) FROM candles WHERE ticker = ? "
            "AND period_min = 1 AND end_ts_s > ?",
            (ticker, now_s - _DAY_S),
        )
        return int(rows[0][0])
