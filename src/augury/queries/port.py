"""``Queries``: the one read port. Every reader (REST, WebSocket, admin, demo, the platform
and the web app) asks it, never engine memory.

Two sources stand behind it:

- the **live index** (``LiveIndex``, in memory, current as of the last applied command):
  users, balances, positions, resting orders and queues, order groups, API keys, the
  catalog, market state and books, and what is due when. Its methods are synchronous and
  touch one user's or one market's entries (or, for catalog listings, one entry per
  market); call them on the event loop, between sequencer batches.
- the **history read models** (``augury.store``, on the reader's own thread): orders of
  every status, fills, trades, settlements, cash movements, candles and day statistics.
  Their methods are ``async``; with ``fresh=True`` a read first waits for the history
  writes already queued, so a command answered before the read began is visible
  (read-your-writes), otherwise it may lag by the batch being written.

Listings come in ``Page``s, newest first for history (keyset cursors), by ticker for
positions; an unknown cursor raises ``InvalidCursorError``. Results are the typed views
of ``augury.queries.views``; resting orders are the engine's immutable ``OrderUpdate``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Protocol, TypeVar

from augury.domain.units import FINE_PER_CC, ONE_DOLLAR_CC
from augury.engine.events import OrderUpdate, PositionUpdate
from augury.queries.candles import read_candles
from augury.queries.index import LiveIndex, ReadSideUnavailable, UserRecord
from augury.queries.views import (
    ApiKeyView,
    BalanceView,
    Candle,
    CashMovementRecord,
    EventView,
    FillRecord,
    GroupView,
    MarketView,
    OrderRecord,
    Page,
    PositionView,
    QueuePosition,
    QuoteSnapshot,
    SeriesView,
    SettlementRecord,
    TradeRecord,
    UserView,
)
from augury.store.history_reader import MAX_CANDLES, HistoryReader, InvalidCursorError

__all__ = [
    "MAX_CANDLES",
    "DayStats",
    "HistorySource",
    "InvalidCursorError",
    "Queries",
    "ReadSideUnavailable",
]

T = TypeVar("T")
_DAY_NS = 86_400 * 1_000_000_000

# ticker -> (volume over the last 24 h in centi-contracts, (yes_bid_cc, yes_ask_cc,
# price_cc) a day ago)
DayStats = dict[str, tuple[int, tuple[int, int, int]]]


class HistorySource(Protocol):
    """Where history reads run: the reader's thread, behind the history writer."""

    async def read(self, fn: Callable[[HistoryReader], T]) -> T:
        """Run ``fn`` with the reader on its thread."""
        ...

    async def drain(self) -> None:
        """Wait until every history write queued so far is committed."""
        ...


class Queries:
    """The read port over the live index and the history read models."""

    def __init__(self, index: LiveIndex, history: HistorySource) -> None:
        self._live = index
        self._history = history

    @property
    def _index(self) -> LiveIndex:
        # Never an answer from an index that stopped following the engine.
        index = self._live
        if index.failed is not None:
            raise ReadSideUnavailable("the read side is unavailable until the server restarts")
        return index

    # --- the exchange ------------------------------------------------------------------

    @property
    def instance_id(self) -> str:
        """The exchange's instance id (it seeds order ids and market ids)."""
        return self._index.instance_id

    def now_ns(self) -> int:
        """Return the time of the last applied command."""
        return self._index.now_ns

    def trading_active(self) -> bool:
        """Return whether the exchange-wide trading switch is on."""
        return not self._index.trading_paused

    def money_in_cc(self) -> int:
        """Return the cash brought into the exchange: all deposits less all withdrawals."""
        return self._index.money_in_cc

    def next_due_ns(self) -> int | None:
        """Return the earliest time a ``Tick`` would change something (open, close,
        expire, pay out), or None."""
        return self._index.due.next_due_ns()

    # --- users and keys --------------------------------------------------------------------

    def user(self, user_id: str) -> UserView | None:
        """Return a user, or None."""
        record = self._index.users.get(user_id)
        return None if record is None else self._user(record)

    def users(self) -> list[UserView]:
        """Return every user, by id."""
        users = self._index.users
        return [self._user(users[user_id]) for user_id in sorted(users)]

    def tier(self, user_id: str) -> str | None:
        """Return a user's rate-limit tier (``""``: the default), or None for no such user."""
        record = self._index.users.get(user_id)
        return None if record is None else record.tier

    def _user(self, record: UserRecord) -> UserView:
        resting = len(self._index.user_orders.get(record.user_id, ()))
        return UserView(
            record.user_id,
            record.name,
            record.tier,
            record.subaccounts,
            resting,
            record.created_ns,
        )

    def api_key(self, api_key_id: str) -> ApiKeyView | None:
        """Return an API key, or None."""
        return self._index.keys.get(api_key_id)

    def api_keys(self, user_id: str | None = None) -> list[ApiKeyView]:
        """Return a user's keys, oldest first (all keys, unordered, for None)."""
        keys = self._index.keys
        if user_id is None:
            return list(keys.values())
        mine = [keys[key_id] for key_id in self._index.user_keys.get(user_id, ())]
        mine.sort(key=lambda key: (key.created_ns, key.api_key_id))
        return mine

    # --- money -------------------------------------------------------------------------

    def balance(self, user_id: str, subaccount: int) -> BalanceView | None:
        """Return one subaccount's cash, or None when it does not exist."""
        event = self._index.balances.get((user_id, subaccount))
        if event is None:
            return None
        return BalanceView(user_id, subaccount, event.available_cc, event.reserved_cc, event.ts_ns)

    def balances(self, user_id: str) -> list[BalanceView]:
        """Return every subaccount's cash of a user, by subaccount number."""
        user = self._index.users.get(user_id)
        if user is None:
            return []
        found = (self.balance(user_id, number) for number in range(user.subaccounts))
        return [view for view in found if view is not None]

    def portfolio_value_cc(self, user_id: str, subaccount: int) -> int:
        """Mark a subaccount's open positions at each market's last trade price."""
        markets = self._index.markets
        value = 0
        for (sub, ticker), record in self._index.positions.get(user_id, {}).items():
            event = record.event
            if sub != subaccount or event.position_c == 0:
                continue
            last = markets[ticker].last_price_cc
            held = event.position_c
            value += last * held if held > 0 else (ONE_DOLLAR_CC - last) * -held
        return value // FINE_PER_CC

    def position(self, user_id: str, subaccount: int, ticker: str) -> PositionView | None:
        """Return one position (None if the subaccount never traded or ordered there)."""
        record = self._index.positions.get(user_id, {}).get((subaccount, ticker))
        if record is None:
            return None
        event_ticker = self._index.markets[ticker].event_ticker
        return _position_view(record.event, event_ticker, record.updated_ns)

    def positions(
        self,
        user_id: str,
        *,
        subaccount: int | None = None,
        tickers: Collection[str] = (),
        event_ticker: str | None = None,
        settled: bool | None = None,
        updated_before_ns: int | None = None,
        nonzero: Collection[str] = (),
        active_only: bool = False,
        after_ticker: str = "",
        limit: int = 100,
    ) -> Page[PositionView]:
        """Return a user's positions ordered by (subaccount, ticker), filtered and paged.

        Args:
            user_id: whose positions.
            subaccount: one subaccount, or None for all.
            tickers: only these markets (empty: all).
            event_ticker: only markets of this event.
            settled: only settled (True) or unsettled (False) positions; None for both.
            updated_before_ns: only positions the ledger last moved before this time.
            nonzero: ``"position"`` and/or ``"total_traded"``: each named must be non-zero.
            active_only: only positions held, traded or with resting orders.
            after_ticker: the cursor: only markets after this ticker.
            limit: page size; the cursor is the last ticker when more follow.
        """
        markets = self._index.markets
        rows: list[PositionView] = []
        mine = self._index.positions.get(user_id, {})
        for key in sorted(mine):
            sub, ticker = key
            record = mine[key]
            event = record.event
            if subaccount is not None and sub != subaccount:
                continue
            if ticker <= after_ticker or (tickers and ticker not in tickers):
                continue
            event_of = markets[ticker].event_ticker
            if event_ticker and event_of != event_ticker:
                continue
            if settled is not None and event.settled != settled:
                continue
            if updated_before_ns is not None and record.updated_ns >= updated_before_ns:
                continue
            if ("position" in nonzero and not event.position_c) or (
                "total_traded" in nonzero and not event.traded_c
            ):
                continue
            if active_only and not (event.position_c or event.traded_c or event.resting_orders):
                continue
            rows.append(_position_view(event, event_of, record.updated_ns))
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, rows[-1].ticker if more else "")

    # --- resting orders and groups ---------------------------------------------------------

    def resting_order(self, order_id: str) -> OrderUpdate | None:
        """Return a resting order's latest state, or None when it is not resting."""
        return self._index.orders.get(order_id)

    def resting_order_count(self) -> int:
        """Return how many orders rest on the exchange."""
        return len(self._index.orders)

    def resting_orders(
        self, user_id: str, *, subaccount: int | None = None, ticker: str | None = None
    ) -> list[OrderUpdate]:
        """Return a user's resting orders, oldest placed first."""
        orders = self._index.orders
        found = (orders[order_id] for order_id in self._index.user_orders.get(user_id, ()))
        return [
            order
            for order in found
            if (subaccount is None or order.subaccount == subaccount)
            and (ticker is None or order.ticker == ticker)
        ]

    def order_for_client_id(self, user_id: str, client_order_id: str) -> str | None:
        """Return the order a client order id names: while the order rests, and for a
        while after (the engine keeps the user's last retired ids reserved), else None."""
        return self._index.client_ids.get((user_id, client_order_id))

    def queue_position(self, order: OrderUpdate) -> int:
        """Return the resting size ahead of a resting order at its price."""
        return self._index.markets[order.ticker].queue_ahead_c(order)

    def queue_positions(
        self,
        user_id: str,
        subaccount: int,
        *,
        tickers: Collection[str] = (),
        event_ticker: str | None = None,
    ) -> list[QueuePosition]:
        """Return the queue positions of a subaccount's resting orders, by market ticker,
        then as the book lists them (bids then asks, best price first, queue order)."""
        markets = self._index.markets
        by_market: dict[str, list[OrderUpdate]] = {}
        for order in self.resting_orders(user_id, subaccount=subaccount):
            by_market.setdefault(order.ticker, []).append(order)
        out: list[QueuePosition] = []
        for ticker in sorted(set(tickers) if tickers else by_market):
            mine = by_market.get(ticker)
            market = markets.get(ticker)
            if not mine or market is None:
                continue
            if event_ticker is not None and market.event_ticker != event_ticker:
                continue
            ids = {order.order_id for order in mine}
            out.extend(
                QueuePosition(order.order_id, ticker, market.queue_ahead_c(order))
                for order in market.queued()
                if order.order_id in ids
            )
        return out

    def group(self, group_id: str) -> GroupView | None:
        """Return an order group, or None."""
        record = self._index.groups.get(group_id)
        if record is None:
            return None
        return GroupView(
            record.group_id,
            record.user_id,
            record.subaccount,
            record.limit_c,
            record.triggered,
            tuple(record.orders),
        )

    def groups(self, user_id: str, subaccount: int | None = None) -> list[GroupView]:
        """Return a user's order groups (one subaccount's, or all), oldest first."""
        views = (self.group(group_id) for group_id in self._index.user_groups.get(user_id, ()))
        return [
            view
            for view in views
            if view is not None and (subaccount is None or view.subaccount == subaccount)
        ]

    # --- the catalog and markets -----------------------------------------------------------

    def series(self, ticker: str) -> SeriesView | None:
        """Return a series, or None."""
        return self._index.series.get(ticker)

    def series_list(self) -> list[SeriesView]:
        """Return every series, by ticker."""
        series = self._index.series
        return [series[ticker] for ticker in sorted(series)]

    def event(self, event_ticker: str) -> EventView | None:
        """Return an event, or None."""
        record = self._index.events.get(event_ticker)
        if record is None:
            return None
        return EventView(
            record.event_ticker,
            record.series,
            record.mutually_exclusive,
            record.meta,
            tuple(record.markets),
            record.created_ns,
            record.fee_since_ns,
            record.fee_changed_seq,
        )

    def events(self, *, by_ticker: bool = True) -> list[EventView]:
        """Return every event, by ticker (or in listing order)."""
        tickers = sorted(self._index.events) if by_ticker else list(self._index.events)
        views = (self.event(ticker) for ticker in tickers)
        return [view for view in views if view is not None]

    def market(self, ticker: str) -> MarketView | None:
        """Return a market (a live, read-only view), or None."""
        return self._index.markets.get(ticker)

    def markets(self, *, by_ticker: bool = False) -> list[MarketView]:
        """Return every market, in listing order (or by ticker)."""
        markets = self._index.markets
        if by_ticker:
            return [markets[ticker] for ticker in sorted(markets)]
        return list(markets.values())

    def market_count(self) -> int:
        """Return how many markets are listed."""
        return len(self._index.markets)

    def holders(self, ticker: str) -> list[PositionView]:
        """Return the open (non-zero, unsettled) positions of every subaccount in a market.

        A scan over every user's positions (the operator console's holder list, not a
        trading path): the index keeps positions by user, not by market.
        """
        market = self._index.markets.get(ticker)
        if market is None:
            return []
        out: list[PositionView] = []
        for mine in self._index.positions.values():
            for (_sub, held), record in mine.items():
                event = record.event
                if held == ticker and event.position_c and not event.settled:
                    out.append(_position_view(event, market.event_ticker, record.updated_ns))
        return out

    def series_of(self, market: MarketView) -> str:
        """Return the series ticker of a market's event."""
        return self._index.events[market.event_ticker].series

    def series_volume_c(self, series_ticker: str) -> int:
        """Return the volume of every market of a series."""
        markets = self._index.markets
        return sum(
            markets[ticker].volume_c
            for event in self._index.events.values()
            if event.series == series_ticker
            for ticker in event.markets
        )

    # --- history (async, on the reader's thread) -----------------------------------------------

    async def _read(self, fn: Callable[[HistoryReader], T], fresh: bool) -> T:
        if fresh:
            await self._history.drain()
        return await self._history.read(fn)

    async def orders(
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
        fresh: bool = True,
    ) -> Page[OrderRecord]:
        """Return a user's orders of every status, newest created first (see
        ``HistoryReader.orders`` for the filters)."""
        rows, next_cursor = await self._read(
            lambda r: r.orders(
                user_id,
                subaccount=subaccount,
                ticker=ticker,
                event_tickers=event_tickers,
                status=status,
                min_ts_ns=min_ts_ns,
                max_ts_ns=max_ts_ns,
                finished_before_ns=finished_before_ns,
                limit=limit,
                cursor=cursor,
            ),
            fresh,
        )
        return Page(rows, next_cursor)

    async def order(self, order_id: str, *, fresh: bool = True) -> OrderRecord | None:
        """Return any order's latest state (resting or finished), or None."""
        return await self._read(lambda r: r.order(order_id), fresh)

    async def fills(
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
        fresh: bool = True,
    ) -> Page[FillRecord]:
        """Return a user's fills, newest first."""
        rows, next_cursor = await self._read(
            lambda r: r.fills(
                user_id,
                subaccount=subaccount,
                tickers=tickers,
                order_id=order_id,
                min_ts_ns=min_ts_ns,
                max_ts_ns=max_ts_ns,
                limit=limit,
                cursor=cursor,
            ),
            fresh,
        )
        return Page(rows, next_cursor)

    async def settlements(
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
        fresh: bool = True,
    ) -> Page[SettlementRecord]:
        """Return a user's settlements, newest first."""
        rows, next_cursor = await self._read(
            lambda r: r.settlements(
                user_id,
                subaccount=subaccount,
                ticker=ticker,
                event_ticker=event_ticker,
                min_ts_ns=min_ts_ns,
                max_ts_ns=max_ts_ns,
                limit=limit,
                cursor=cursor,
            ),
            fresh,
        )
        return Page(rows, next_cursor)

    async def cash_movements(
        self,
        user_id: str,
        *,
        kind: str | None = None,
        subaccount: int | None = None,
        limit: int = 100,
        cursor: str = "",
        fresh: bool = True,
    ) -> Page[CashMovementRecord]:
        """Return a user's deposits, withdrawals and transfers (``kind``), newest first."""
        rows, next_cursor = await self._read(
            lambda r: r.cash_movements(
                user_id, kind=kind, subaccount=subaccount, limit=limit, cursor=cursor
            ),
            fresh,
        )
        return Page(rows, next_cursor)

    async def trades(
        self,
        *,
        ticker: str | None = None,
        min_ts_ns: int | None = None,
        max_ts_ns: int | None = None,
        limit: int = 100,
        cursor: str = "",
        fresh: bool = True,
    ) -> Page[TradeRecord]:
        """Return public trades, newest first."""
        rows, next_cursor = await self._read(
            lambda r: r.trades(
                ticker=ticker, min_ts_ns=min_ts_ns, max_ts_ns=max_ts_ns, limit=limit, cursor=cursor
            ),
            fresh,
        )
        return Page(rows, next_cursor)

    async def last_trade_sizes(self, tickers: Sequence[str]) -> dict[str, int]:
        """Return each market's newest trade size (markets without one are absent)."""
        wanted = list(tickers)
        return await self._read(lambda r: r.last_trade_sizes(wanted), True)

    async def day_stats(self, tickers: Sequence[str], now_ns: int) -> DayStats:
        """Return each market's 24-hour volume and day-ago quotes (one reader hop)."""
        if not tickers:
            return {}
        wanted = list(tickers)
        return await self._read(lambda r: _day_stats(r, wanted, now_ns), False)

    async def candles(
        self,
        tickers: Sequence[str],
        period_min: int,
        start_ts_s: int,
        end_ts_s: int,
        *,
        limit_each: int = MAX_CANDLES,
        budget: int | None = None,
        with_latest_before: bool = False,
    ) -> list[tuple[list[Candle], Candle | None]]:
        """Return each market's stored candles (oldest first) in one reader hop.

        Args:
            tickers: the markets, in the order wanted.
            period_min: 1, 60 or 1440 (stored); 5 or 15 folded from 1-minute candles.
            start_ts_s: earliest period end (Unix seconds, inclusive).
            end_ts_s: latest period end (inclusive).
            limit_each: at most this many candles per market.
            budget: at most this many candles in all; markets past it get none.
            with_latest_before: also return each market's newest candle before the window.
        """
        wanted = list(tickers)

        def read(reader: HistoryReader) -> list[tuple[list[Candle], Candle | None]]:
            left = MAX_CANDLES if budget is None else budget
            out: list[tuple[list[Candle], Candle | None]] = []
            for ticker in wanted:
                if left <= 0:
                    out.append(([], None))
                    continue
                rows = read_candles(
                    reader, ticker, period_min, start_ts_s, end_ts_s, min(limit_each, left)
                )
                before = (
                    reader.candle_before(ticker, period_min, start_ts_s)
                    if with_latest_before
                    else None
                )
                if budget is not None:  # the candle before the window counts too
                    left -= len(rows) + (before is not None)
                out.append((rows, before))
            return out

        return await self._read(read, False)


def _position_view(event: PositionUpdate, event_ticker: str, updated_ns: int) -> PositionView:
    return PositionView(
        event.user_id,
        event.subaccount,
        event.ticker,
        event_ticker,
        event.position_c,
        event.exposure_cc,
        event.realized_pnl_cc,
        event.fees_paid_cc,
        event.total_traded_cc,
        event.traded_c,
        event.resting_orders,
        event.settled,
        updated_ns,
    )


def _day_stats(reader: HistoryReader, tickers: Sequence[str], now_ns: int) -> DayStats:
    out: DayStats = {}
    for ticker in tickers:
        volume = reader.volume_24h(ticker, now_ns)
        quotes: QuoteSnapshot | None = reader.quotes_at(ticker, now_ns - _DAY_NS)
        previous = (0, 0, 0)
        if quotes is not None:
            previous = (quotes.yes_bid_cc, quotes.yes_ask_cc, quotes.last_price_cc or 0)
        out[ticker] = (volume, previous)
    return out
