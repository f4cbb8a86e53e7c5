"""Every read of exchange state the platform makes, behind one narrow typed port.

``ExchangeReads`` is the port: value types out (never engine objects), integer units
(``_cc`` centi-cents, ``_c`` centi-contracts, ``_ns``). ``LiveReads`` is today's adapter:
live state from engine memory (read on the event loop, between sequencer batches, so a
read never sees a half-applied command) and history from the history read models (on
their read thread, after ``drain`` so a caller reads its own acknowledged writes). When
``augury.queries`` lands, this module is the one to switch over to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Protocol

from augury.engine.exchange import Exchange
from augury.engine.market import EventInfo, Market, SeriesInfo
from augury.runtime.boot import Runtime
from augury.store.history_read import HistoryReader
from augury.store.rawsql import Connection, connect
from augury.store.records import (
    Candle,
    CashMovementRecord,
    FillRecord,
    OrderRecord,
    SettlementRecord,
    TradeRecord,
)

__all__ = [
    "BalanceView",
    "BookView",
    "Candle",
    "CashMovementRecord",
    "EventView",
    "ExchangeHealth",
    "ExchangeReads",
    "FeeRule",
    "FillRecord",
    "HolderView",
    "LiveReads",
    "MarketView",
    "OrderRecord",
    "PositionView",
    "SettlementRecord",
    "TradeRecord",
]


@dataclass(frozen=True, slots=True)
class MarketView:
    ticker: str
    event_ticker: str
    title: str
    label: str  # the option's label: yes_sub_title, or "Yes" in a single-market event
    rules: str
    status: str
    tradable: bool
    fractional: bool
    last_price_cc: int  # 0: never traded
    yes_bid_cc: int  # 0: no bid
    yes_ask_cc: int  # 0: no ask
    volume_c: int
    open_interest_c: int
    open_ts_ns: int
    close_ts_ns: int
    result: str


@dataclass(frozen=True, slots=True)
class EventView:
    event_ticker: str
    series_ticker: str
    title: str
    sub_title: str
    category: str
    created_ns: int
    markets: tuple[MarketView, ...]


@dataclass(frozen=True, slots=True)
class BookView:
    yes_bids: tuple[tuple[int, int], ...]  # (YES price_cc, size_c), best first
    yes_asks: tuple[tuple[int, int], ...]  # (YES price_cc, size_c), best first


@dataclass(frozen=True, slots=True)
class PositionView:
    ticker: str
    position_c: int  # + YES held, - NO held
    exposure_cc: int  # cost basis of what is held
    realized_pnl_cc: int  # gross of fees
    fees_paid_cc: int
    total_traded_cc: int
    resting_orders: int
    settled: bool


@dataclass(frozen=True, slots=True)
class HolderView:
    """One open position in a market, and what settling it a given way would pay."""

    user_id: str
    subaccount: int  # 0: the primary account; Kalshi-API subaccounts are holders too
    position_c: int  # + YES held, - NO held
    exposure_cc: int  # cost basis
    payout_cc: int  # what the ledger pays this position on the settlement asked about


@dataclass(frozen=True, slots=True)
class BalanceView:
    available_cc: int
    reserved_cc: int


@dataclass(frozen=True, slots=True)
class FeeRule:
    """A market's fee rule and price grid, for quoting an order before it is sent."""

    fee_type: str
    multiplier_e4: int
    prices_cc: tuple[int, ...]  # the grid's tradable YES prices, ascending
    fractional: bool


@dataclass(frozen=True, slots=True)
class ExchangeHealth:
    """The operator's live view of the exchange (numbers only, no engine objects)."""

    last_seq: int
    trading_active: bool
    markets: int
    open_markets: int
    resting_orders: int
    open_interest_c: int
    volume_c: int
    fee_revenue_cc: int
    queue_depth: int
    sequencer_running: bool
    recovery_replayed: int
    recovery_snapshot_seq: int
    dropped_records: int
    history_watermark: int


class ExchangeReads(Protocol):
    """What the platform reads from the exchange; nothing else reads engine state."""

    def events(self) -> list[EventView]: ...
    def event(self, event_ticker: str) -> EventView | None: ...
    def market(self, ticker: str) -> MarketView | None: ...
    def book(self, ticker: str, depth: int) -> BookView | None: ...
    def balance(self, user_id: str) -> BalanceView | None: ...
    def positions(self, user_id: str) -> list[PositionView]: ...
    def position(self, user_id: str, ticker: str) -> PositionView | None: ...
    def resting_orders(self, user_id: str) -> list[OrderRecord]: ...
    def user_exists(self, user_id: str) -> tuple[bool, str]: ...
    def order_for_client_id(self, user_id: str, client_order_id: str) -> str | None: ...
    def api_keys(self, user_id: str) -> list[tuple[str, str, tuple[str, ...], int]]: ...
    def last_seq(self) -> int: ...
    async def orders(
        self, user_id: str, status: str | None, limit: int, cursor: str
    ) -> tuple[list[OrderRecord], str]: ...
    async def order(self, order_id: str) -> OrderRecord | None: ...
    async def fills(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[FillRecord], str]: ...
    async def fills_of(self, user_ids: Sequence[str]) -> list[FillRecord]: ...
    async def settlements_of(self, user_ids: Sequence[str]) -> list[SettlementRecord]: ...
    async def closes(
        self, ticker: str, period_min: int, start_s: int, end_s: int
    ) -> list[tuple[int, int]]: ...
    def fee_rule(self, ticker: str) -> FeeRule | None: ...
    def health(self) -> ExchangeHealth: ...
    def settlement_sources(self, event_ticker: str) -> list[tuple[str, str]]: ...
    def holders(self, ticker: str, yes_value_cc: int | None) -> list[HolderView]: ...
    def user_tier(self, user_id: str) -> str: ...
    async def candles(
        self, ticker: str, period_min: int, start_s: int, end_s: int
    ) -> list[Candle]: ...
    async def tape(self, ticker: str, limit: int) -> list[TradeRecord]: ...
    async def last_prices_before(self, tickers: Sequence[str], ts_ns: int) -> dict[str, int]: ...
    async def settlements(self, user_id: str, limit: int) -> list[SettlementRecord]: ...
    async def cash_movements(self, user_id: str, limit: int) -> list[CashMovementRecord]: ...
    async def settlements_page(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[SettlementRecord], str]: ...
    async def cash_movements_page(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[CashMovementRecord], str]: ...


def _text(meta: dict[str, object], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ""


def _order_record(order: object, event_ticker: str | None) -> OrderRecord:
    from augury.engine.orders import Order

    assert isinstance(order, Order)
    return OrderRecord(
        order_id=order.order_id,
        user_id=order.key[0],
        subaccount=order.key[1],
        ticker=order.ticker,
        event_ticker=event_ticker,
        side=order.side,
        price_cc=order.price_cc,
        initial_c=order.initial_c,
        fill_c=order.fill_c,
        remaining_c=order.remaining_c,
        status=order.status.value,
        time_in_force=order.time_in_force,
        order_type=order.order_type,
        legacy_side=order.legacy_side,
        legacy_action=order.legacy_action,
        client_order_id=order.client_order_id,
        order_group_id=order.order_group_id,
        self_trade_prevention=order.self_trade_prevention,
        post_only=order.post_only,
        cancel_order_on_pause=order.cancel_on_pause,
        expiration_ts_ns=order.expiration_ts_ns,
        created_ns=order.created_ns,
        updated_ns=order.updated_ns,
        taker_fill_cost_cc=order.taker_fill_cost_fine // 100,
        maker_fill_cost_cc=order.maker_fill_cost_fine // 100,
        taker_fees_cc=order.taker_fees_cc,
        maker_fees_cc=order.maker_fees_cc,
    )


class LiveReads:
    """``ExchangeReads`` over the running exchange's memory and history read models."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        # Cross-user history queries (leaderboards) on a connection and thread of their own.
        self._conn: Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="platform-read")

    @property
    def exchange(self) -> Exchange:
        return self.runtime.exchange

    def last_seq(self) -> int:
        return self.runtime.sequencer.last_seq

    def _market_view(self, market: Market, single: bool) -> MarketView:
        meta = market.meta
        grid = market.grid.prices_cc
        book = market.book
        label = _text(meta, "yes_sub_title")
        rules = "\n".join(
            filter(None, (_text(meta, "rules_primary"), _text(meta, "rules_secondary")))
        )
        return MarketView(
            ticker=market.ticker,
            event_ticker=market.event_ticker,
            title=_text(meta, "title"),
            label="Yes" if single or not label else label,
            rules=rules,
            status=market.status.value,
            tradable=market.tradable and not self.exchange.trading_paused,
            fractional=market.fractional,
            last_price_cc=market.last_price_cc,
            yes_bid_cc=grid[book.best_bid] if book.best_bid >= 0 else 0,
            yes_ask_cc=grid[book.best_ask] if book.best_ask < book.size else 0,
            volume_c=market.volume_c,
            open_interest_c=market.open_interest_c,
            open_ts_ns=market.open_ts_ns,
            close_ts_ns=market.close_ts_ns,
            result=market.result,
        )

    def event(self, event_ticker: str) -> EventView | None:
        exchange = self.exchange
        info = exchange.events.get(event_ticker)
        if info is None:
            return None
        return self._event_view(info, exchange.series, exchange.markets)

    def _event_view(
        self, info: EventInfo, series_map: Mapping[str, SeriesInfo], markets: Mapping[str, Market]
    ) -> EventView:
        series = series_map.get(info.series_ticker)
        single = len(info.markets) == 1
        found = (markets.get(t) for t in info.markets)
        return EventView(
            event_ticker=info.event_ticker,
            series_ticker=info.series_ticker,
            title=_text(info.meta, "title") or info.event_ticker,
            sub_title=_text(info.meta, "sub_title"),
            category=_text(series.meta, "category") if series else "",
            created_ns=info.created_ns,
            markets=tuple(self._market_view(m, single) for m in found if m is not None),
        )

    def events(self) -> list[EventView]:
        # The catalogue maps are read once: on the native engine each read of
        # ``exchange.events`` or ``exchange.series`` builds the whole mapping afresh.
        exchange = self.exchange
        events, series, markets = exchange.events, exchange.series, exchange.markets
        return [self._event_view(info, series, markets) for info in events.values()]

    def market(self, ticker: str) -> MarketView | None:
        market = self.exchange.markets.get(ticker)
        if market is None:
            return None
        info = self.exchange.events.get(market.event_ticker)
        return self._market_view(market, info is not None and len(info.markets) == 1)

    def book(self, ticker: str, depth: int) -> BookView | None:
        market = self.exchange.markets.get(ticker)
        if market is None:
            return None
        grid = market.grid.prices_cc
        bids: list[tuple[int, int]] = []
        asks: list[tuple[int, int]] = []
        for is_bid, out in ((True, bids), (False, asks)):
            for idx, total in market.book.levels(is_bid):
                if len(out) >= depth:
                    break
                out.append((grid[idx], total))
        return BookView(tuple(bids), tuple(asks))

    def balance(self, user_id: str) -> BalanceView | None:
        account = self.exchange.ledger.accounts.get((user_id, 0))
        if account is None:
            return None
        return BalanceView(account.available_cc, account.reserved_cc)

    def _position_view(self, ticker: str, position: object) -> PositionView:
        from augury.ledger.accounts import Position

        assert isinstance(position, Position)
        return PositionView(
            ticker=ticker,
            position_c=position.position_c,
            exposure_cc=position.exposure_fine // 100,
            realized_pnl_cc=position.realized_fine // 100,
            fees_paid_cc=position.fees_paid_cc,
            total_traded_cc=position.total_traded_fine // 100,
            resting_orders=position.resting_orders,
            settled=position.settled,
        )

    def positions(self, user_id: str) -> list[PositionView]:
        # A scan over every position's key: the per-user index is augury.queries' job. Only
        # this user's positions are then fetched (on the native engine each is a copy).
        positions = self.exchange.ledger.positions
        mine = sorted(k for k in positions if k[0] == user_id and k[1] == 0)
        found = ((key[2], positions.get(key)) for key in mine)
        return [self._position_view(t, p) for t, p in found if p is not None]

    def position(self, user_id: str, ticker: str) -> PositionView | None:
        position = self.exchange.ledger.positions.get((user_id, 0, ticker))
        return None if position is None else self._position_view(ticker, position)

    def resting_orders(self, user_id: str) -> list[OrderRecord]:
        exchange = self.exchange
        found = [
            _order_record(order, exchange.markets[order.ticker].event_ticker)
            for order in exchange.orders.values()
            if order.key == (user_id, 0)
        ]
        return sorted(found, key=lambda o: (-o.created_ns, o.order_id))

    def user_exists(self, user_id: str) -> tuple[bool, str]:
        user = self.exchange.users.get(user_id)
        return (False, "") if user is None else (True, user.name)

    def order_for_client_id(self, user_id: str, client_order_id: str) -> str | None:
        return self.exchange.client_ids.get((user_id, client_order_id))

    def api_keys(self, user_id: str) -> list[tuple[str, str, tuple[str, ...], int]]:
        return sorted(
            (
                (key.api_key_id, key.name, key.scopes, key.created_ns)
                for key in self.exchange.api_keys.values()
                if key.user_id == user_id
            ),
            key=lambda k: (-k[3], k[0]),
        )

    async def orders(
        self, user_id: str, status: str | None, limit: int, cursor: str
    ) -> tuple[list[OrderRecord], str]:
        await self.runtime.history.drain()
        return await self.runtime.history.read(
            lambda r: r.orders(user_id, subaccount=0, status=status, limit=limit, cursor=cursor)
        )

    async def order(self, order_id: str) -> OrderRecord | None:
        await self.runtime.history.drain()
        return await self.runtime.history.read(lambda r: r.order(order_id))

    async def fills(self, user_id: str, limit: int, cursor: str) -> tuple[list[FillRecord], str]:
        await self.runtime.history.drain()
        return await self.runtime.history.read(
            lambda r: r.fills(user_id, subaccount=0, limit=limit, cursor=cursor)
        )

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
        if self._conn is None:
            self._conn = connect(self.runtime.history.writer.url, migrate=False, read_only=True)
        return self._conn.query(sql, params)

    async def _read(self, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
        await self.runtime.history.drain()
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._query, sql, params
        )

    async def fills_of(self, user_ids: Sequence[str]) -> list[FillRecord]:
        if not user_ids:
            return []
        marks = ", ".join("?" * len(user_ids))
        columns = ", ".join(f.name for f in fields(FillRecord))
        rows = await self._read(
            f"SELECT {columns} FROM fills WHERE subaccount = 0 AND user_id IN ({marks}) "  # noqa: S608
            "ORDER BY ts_ns, ord",
            list(user_ids),
        )
        return [FillRecord(*row[:11], bool(row[11]), *row[12:]) for row in rows]  # type: ignore[arg-type, call-arg]

    async def settlements_of(self, user_ids: Sequence[str]) -> list[SettlementRecord]:
        if not user_ids:
            return []
        marks = ", ".join("?" * len(user_ids))
        columns = ", ".join(f.name for f in fields(SettlementRecord))
        rows = await self._read(
            f"SELECT {columns} FROM settlements WHERE subaccount = 0 "  # noqa: S608
            f"AND user_id IN ({marks}) ORDER BY ts_ns, ord",
            list(user_ids),
        )
        return [SettlementRecord(*row) for row in rows]  # type: ignore[arg-type]

    async def closes(
        self, ticker: str, period_min: int, start_s: int, end_s: int
    ) -> list[tuple[int, int]]:
        candles = await self.runtime.history.read(
            lambda r: r.candles(ticker, period_min, start_s, end_s)
        )
        return [
            (candle.end_ts_s, candle.price_close_cc)
            for candle in candles
            if candle.price_close_cc is not None
        ]

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        if self._conn is not None:
            self._conn.close()

    # --- what the web app reads besides what /api shows (issue 13) ---------------------

    def fee_rule(self, ticker: str) -> FeeRule | None:
        market = self.exchange.markets.get(ticker)
        if market is None:
            return None
        return FeeRule(
            fee_type=market.fees.fee_type.value,
            multiplier_e4=market.fees.multiplier_e4,
            prices_cc=tuple(market.grid.prices_cc),
            fractional=market.fractional,
        )

    def settlement_sources(self, event_ticker: str) -> list[tuple[str, str]]:
        """(name, url) of the sources an event settles on, from its series' catalogue entry."""
        info = self.exchange.events.get(event_ticker)
        series = self.exchange.series.get(info.series_ticker) if info else None
        found = series.meta.get("settlement_sources") if series else None
        out: list[tuple[str, str]] = []
        for source in found if isinstance(found, list) else []:
            if isinstance(source, dict):
                name, url = source.get("name"), source.get("url")
                out.append(
                    (name if isinstance(name, str) else "", url if isinstance(url, str) else "")
                )
        return out[:10]

    def holders(self, ticker: str, yes_value_cc: int | None) -> list[HolderView]:
        """Every open position in one market, subaccounts included, each with what the
        ledger would pay it if the market settled at ``yes_value_cc`` (None: void).

        The payout is ``ledger.accounts.settlement_payout_cc``, the function the Python
        ledger settles with (the native ledger is its proven twin), never a second copy.
        """
        from augury.ledger.accounts import settlement_payout_cc

        # A scan over every position: the per-market index is augury.queries' job. The
        # keys are listed first and each position fetched once (on the native engine a
        # position is a copy built on access).
        positions = self.exchange.ledger.positions
        out = []
        for key in sorted(k for k in positions if k[2] == ticker):
            position = positions.get(key)
            if position is None or not position.position_c or position.settled:
                continue
            out.append(
                HolderView(
                    user_id=key[0],
                    subaccount=key[1],
                    position_c=position.position_c,
                    exposure_cc=position.exposure_fine // 100,
                    payout_cc=settlement_payout_cc(
                        position.position_c, position.exposure_fine, yes_value_cc
                    ),
                )
            )
        return out

    def user_tier(self, user_id: str) -> str:
        user = self.exchange.users.get(user_id)
        return (user.tier or "default") if user is not None else ""

    def health(self) -> ExchangeHealth:
        exchange = self.exchange
        runtime = self.runtime
        # One list: on the native engine each market read is a copy built on access.
        markets = list(exchange.markets.values())
        return ExchangeHealth(
            last_seq=runtime.sequencer.last_seq,
            trading_active=not exchange.trading_paused,
            markets=len(exchange.markets),
            open_markets=sum(1 for m in markets if m.tradable),
            resting_orders=len(exchange.orders),
            open_interest_c=sum(m.open_interest_c for m in markets),
            volume_c=sum(m.volume_c for m in markets),
            fee_revenue_cc=exchange.ledger.fee_revenue_cc,
            queue_depth=runtime.sequencer.queue_depth,
            sequencer_running=runtime.sequencer.running,
            recovery_replayed=runtime.recovery.replayed,
            recovery_snapshot_seq=runtime.recovery.snapshot_seq,
            dropped_records=runtime.recovery.dropped_records,
            history_watermark=runtime.history.writer.watermark(),
        )

    async def candles(self, ticker: str, period_min: int, start_s: int, end_s: int) -> list[Candle]:
        await self.runtime.history.drain()
        return await self.runtime.history.read(
            lambda r: r.candles(ticker, period_min, start_s, end_s)
        )

    async def tape(self, ticker: str, limit: int) -> list[TradeRecord]:
        await self.runtime.history.drain()
        trades, _ = await self.runtime.history.read(lambda r: r.trades(ticker=ticker, limit=limit))
        return trades

    async def last_prices_before(self, tickers: Sequence[str], ts_ns: int) -> dict[str, int]:
        def read(reader: HistoryReader) -> dict[str, int]:
            found: dict[str, int] = {}
            for ticker in tickers:
                quote = reader.quotes_at(ticker, ts_ns)
                if quote is not None and quote.last_price_cc:
                    found[ticker] = quote.last_price_cc
            return found

        return await self.runtime.history.read(read)

    async def settlements(self, user_id: str, limit: int) -> list[SettlementRecord]:
        await self.runtime.history.drain()
        rows, _ = await self.runtime.history.read(
            lambda r: r.settlements(user_id, subaccount=0, limit=limit)
        )
        return rows

    async def cash_movements(self, user_id: str, limit: int) -> list[CashMovementRecord]:
        await self.runtime.history.drain()
        rows, _ = await self.runtime.history.read(
            lambda r: r.cash_movements(user_id, subaccount=0, limit=limit)
        )
        return rows

    async def settlements_page(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[SettlementRecord], str]:
        """One page of the user's settlements (main account), newest first, and the next
        page's cursor ("" after the last)."""
        await self.runtime.history.drain()
        return await self.runtime.history.read(
            lambda r: r.settlements(user_id, subaccount=0, limit=limit, cursor=cursor)
        )

    async def cash_movements_page(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[CashMovementRecord], str]:
        """One page of the user's cash movements (main account), newest first."""
        await self.runtime.history.drain()
        return await self.runtime.history.read(
            lambda r: r.cash_movements(user_id, subaccount=0, limit=limit, cursor=cursor)
        )
