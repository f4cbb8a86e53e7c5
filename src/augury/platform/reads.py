"""Every read of exchange state the platform makes, behind one narrow typed port.

``ExchangeReads`` is the port: value types out (never engine objects), integer units
(``_cc`` centi-cents, ``_c`` centi-contracts, ``_ns``). ``LiveReads`` is its adapter over
the exchange's read port (``augury.queries``): live state from the read side's index
(read on the event loop, between sequencer batches, so a read never sees a half-applied
command) and history from the history read models (on their read thread, after ``drain``
so a caller reads its own acknowledged writes). Cross-user history scans for leaderboards
run on a connection of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

from augury import queries as q
from augury.domain.enums import MarketStatus
from augury.domain.event_fees import FeeOverrideError, event_fee_override, market_fee_rule
from augury.domain.units import FINE_PER_CC
from augury.engine.events import OrderUpdate
from augury.queries import Queries
from augury.runtime.boot import Runtime
from augury.store.db import connect
from augury.store.history_reader import HistoryReader
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
    async def order_for_client_id(self, user_id: str, client_order_id: str) -> str | None: ...
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
    async def order_fills_fees(
        self, user_id: str, order_ids: Sequence[str]
    ) -> list[tuple[str, str, int]]: ...
    async def order_fee_totals(self, user_id: str) -> list[tuple[str, int]]: ...
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


def _text(meta: Mapping[str, object], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ""


def _order_record(order: OrderUpdate, event_ticker: str | None) -> OrderRecord:
    return OrderRecord(
        order_id=order.order_id,
        user_id=order.user_id,
        subaccount=order.subaccount,
        ticker=order.ticker,
        event_ticker=event_ticker,
        side=order.side,
        price_cc=order.price_cc,
        initial_c=order.initial_c,
        fill_c=order.fill_c,
        remaining_c=order.remaining_c,
        status=order.status,
        time_in_force=order.time_in_force,
        order_type=order.order_type,
        legacy_side=order.legacy_side,
        legacy_action=order.legacy_action,
        client_order_id=order.client_order_id,
        order_group_id=order.order_group_id,
        self_trade_prevention=order.self_trade_prevention,
        post_only=order.post_only,
        cancel_order_on_pause=order.cancel_order_on_pause,
        expiration_ts_ns=order.expiration_ts_ns,
        created_ns=order.created_ns,
        updated_ns=order.ts_ns,
        taker_fill_cost_cc=order.taker_fill_cost_cc,
        maker_fill_cost_cc=order.maker_fill_cost_cc,
        taker_fees_cc=order.taker_fees_cc,
        maker_fees_cc=order.maker_fees_cc,
    )


T = TypeVar("T")
_EVERY = 1_000_000  # a page bound no user's positions reach


class LiveReads:
    """``ExchangeReads`` over the read port (``augury.queries``): live state from its
    index, history from the read models."""

    def __init__(self, runtime: Runtime, queries: Queries) -> None:
        self.runtime = runtime
        self.queries = queries
        # Cross-user history queries (leaderboards) on a connection and thread of their own.
        self._reader: HistoryReader | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="platform-read")

    def last_seq(self) -> int:
        return self.runtime.sequencer.last_seq

    def _market_view(self, market: q.MarketView, single: bool) -> MarketView:
        meta = market.meta
        label = _text(meta, "yes_sub_title")
        rules = "\n".join(
            filter(None, (_text(meta, "rules_primary"), _text(meta, "rules_secondary")))
        )
        top = market.top_of_book()
        return MarketView(
            ticker=market.ticker,
            event_ticker=market.event_ticker,
            title=_text(meta, "title"),
            label="Yes" if single or not label else label,
            rules=rules,
            status=market.status.value,
            tradable=market.status is MarketStatus.ACTIVE and self.queries.trading_active(),
            fractional=market.fractional,
            last_price_cc=market.last_price_cc,
            yes_bid_cc=top.bid_cc,  # 0 without a bid
            yes_ask_cc=top.ask_cc if top.ask_size_c else 0,
            volume_c=market.volume_c,
            open_interest_c=market.open_interest_c,
            open_ts_ns=market.open_ts_ns,
            close_ts_ns=market.close_ts_ns,
            result=market.result,
        )

    def event(self, event_ticker: str) -> EventView | None:
        queries = self.queries
        info = queries.event(event_ticker)
        if info is None:
            return None
        series = queries.series(info.series_ticker)
        single = len(info.markets) == 1
        markets = [queries.market(t) for t in info.markets]
        return EventView(
            event_ticker=info.event_ticker,
            series_ticker=info.series_ticker,
            title=_text(info.meta, "title") or info.event_ticker,
            sub_title=_text(info.meta, "sub_title"),
            category=_text(series.meta, "category") if series else "",
            created_ns=info.created_ns,
            markets=tuple(self._market_view(m, single) for m in markets if m is not None),
        )

    def events(self) -> list[EventView]:
        views = [self.event(e.event_ticker) for e in self.queries.events(by_ticker=False)]
        return [view for view in views if view is not None]

    def market(self, ticker: str) -> MarketView | None:
        market = self.queries.market(ticker)
        if market is None:
            return None
        info = self.queries.event(market.event_ticker)
        return self._market_view(market, info is not None and len(info.markets) == 1)

    def book(self, ticker: str, depth: int) -> BookView | None:
        market = self.queries.market(ticker)
        if market is None:
            return None
        grid = market.grid.prices_cc
        bids: list[tuple[int, int]] = []
        asks: list[tuple[int, int]] = []
        for is_bid, out in ((True, bids), (False, asks)):
            for step, total in market.levels(is_bid):
                if len(out) >= depth:
                    break
                out.append((grid[step], total))
        return BookView(tuple(bids), tuple(asks))

    def balance(self, user_id: str) -> BalanceView | None:
        account = self.queries.balance(user_id, 0)
        if account is None:
            return None
        return BalanceView(account.available_cc, account.reserved_cc)

    @staticmethod
    def _position_view(position: q.PositionView) -> PositionView:
        return PositionView(
            ticker=position.ticker,
            position_c=position.position_c,
            exposure_cc=position.exposure_cc,
            realized_pnl_cc=position.realized_pnl_cc,
            fees_paid_cc=position.fees_paid_cc,
            total_traded_cc=position.total_traded_cc,
            resting_orders=position.resting_orders,
            settled=position.settled,
        )

    def positions(self, user_id: str) -> list[PositionView]:
        page = self.queries.positions(user_id, subaccount=0, limit=_EVERY)
        return [self._position_view(position) for position in page.items]

    def position(self, user_id: str, ticker: str) -> PositionView | None:
        position = self.queries.position(user_id, 0, ticker)
        return None if position is None else self._position_view(position)

    def resting_orders(self, user_id: str) -> list[OrderRecord]:
        queries = self.queries
        found = []
        for order in queries.resting_orders(user_id, subaccount=0):
            market = queries.market(order.ticker)
            found.append(_order_record(order, market.event_ticker if market else None))
        return sorted(found, key=lambda o: (-o.created_ns, o.order_id))

    def user_exists(self, user_id: str) -> tuple[bool, str]:
        user = self.queries.user(user_id)
        return (False, "") if user is None else (True, user.name)

    async def order_for_client_id(self, user_id: str, client_order_id: str) -> str | None:
        # From the history read model: an order that is done (an IOC, a protection's sale)
        # still counts, which the live index (resting orders and reserved ids) does not.
        return await self._across_users(
            lambda reader: reader.order_for_client_id(user_id, client_order_id)
        )

    def api_keys(self, user_id: str) -> list[tuple[str, str, tuple[str, ...], int]]:
        return sorted(
            (
                (key.api_key_id, key.name, key.scopes, key.created_ns)
                for key in self.queries.api_keys(user_id)
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

    async def _across_users(self, fn: Callable[[HistoryReader], T]) -> T:
        # Cross-user scans (leaderboards) on a reader, connection and thread of their own,
        # after the queued history writes.
        await self.runtime.history.drain()

        def run() -> T:
            if self._reader is None:
                self._reader = HistoryReader(
                    connect(self.runtime.history.writer.url, migrate=False, read_only=True)
                )
            return fn(self._reader)

        return await asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def fills_of(self, user_ids: Sequence[str]) -> list[FillRecord]:
        wanted = list(user_ids)
        return await self._across_users(lambda reader: reader.fills_of(wanted))

    async def order_fills_fees(
        self, user_id: str, order_ids: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(order id, fill id, exact fee) of the user's fills of these orders, in fill order."""
        wanted = list(order_ids)
        return await self._across_users(lambda reader: reader.order_fills_fees(user_id, wanted))

    async def order_fee_totals(self, user_id: str) -> list[tuple[str, int]]:
        """(market, exact fee total) of each of the user's orders that traded."""
        return await self._across_users(lambda reader: reader.order_fee_totals(user_id))

    async def settlements_of(self, user_ids: Sequence[str]) -> list[SettlementRecord]:
        wanted = list(user_ids)
        return await self._across_users(lambda reader: reader.settlements_of(wanted))

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
        if self._reader is not None:
            self._reader.close()

    # --- what the web app reads besides what /api shows (issue 13) ---------------------

    def fee_rule(self, ticker: str) -> FeeRule | None:
        queries = self.queries
        market = queries.market(ticker)
        if market is None:
            return None
        series = queries.series(queries.series_of(market))
        assert series is not None  # a market's series is never removed
        event = queries.event(market.event_ticker)
        # As the engine's catalogue sets it (decision 0058): the series' rule, overridden by
        # the event's fee override, then by the market's own multiplier.
        try:
            override = event_fee_override(event.meta) if event is not None else None
        except FeeOverrideError:  # the engine refuses such metadata: no event holds it
            override = None
        fee_type, multiplier_e4 = market_fee_rule(
            series.fee_type, series.fee_multiplier_e4, override, market.meta
        )
        return FeeRule(
            fee_type=fee_type.value,
            multiplier_e4=multiplier_e4,
            prices_cc=tuple(market.grid.prices_cc),
            fractional=market.fractional,
        )

    def settlement_sources(self, event_ticker: str) -> list[tuple[str, str]]:
        """(name, url) of the sources an event settles on, from its series' catalogue entry."""
        info = self.queries.event(event_ticker)
        series = self.queries.series(info.series_ticker) if info else None
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
        The read side holds the cost basis in centi-cents (the ledger's exact amount
        floored by ``FINE_PER_CC``); the payout floors to the cent, and flooring twice
        equals flooring once, so ``exposure_cc * FINE_PER_CC`` gives the same payout.
        """
        from augury.ledger.accounts import settlement_payout_cc

        return [
            HolderView(
                user_id=p.user_id,
                subaccount=p.subaccount,
                position_c=p.position_c,
                exposure_cc=p.exposure_cc,
                payout_cc=settlement_payout_cc(
                    p.position_c, p.exposure_cc * FINE_PER_CC, yes_value_cc
                ),
            )
            for p in sorted(self.queries.holders(ticker), key=lambda p: (p.user_id, p.subaccount))
        ]

    def user_tier(self, user_id: str) -> str:
        tier = self.queries.tier(user_id)
        return (tier or "default") if tier is not None else ""

    def health(self) -> ExchangeHealth:
        queries = self.queries
        runtime = self.runtime
        markets = queries.markets()
        return ExchangeHealth(
            last_seq=runtime.sequencer.last_seq,
            trading_active=queries.trading_active(),
            markets=len(markets),
            open_markets=sum(1 for m in markets if m.status is MarketStatus.ACTIVE),
            resting_orders=queries.resting_order_count(),
            open_interest_c=sum(m.open_interest_c for m in markets),
            volume_c=sum(m.volume_c for m in markets),
            fee_revenue_cc=runtime.fee_revenue_cc(),
            queue_depth=runtime.sequencer.queue_depth,
            sequencer_running=runtime.sequencer.running,
            recovery_replayed=runtime.recovery.replayed,
            recovery_snapshot_seq=runtime.recovery.snapshot_seq,
            dropped_records=runtime.recovery.dropped_records,
            history_watermark=runtime.history.writer.watermark(),
        )

    async def candles(self, ticker: str, period_min: int, start_s: int, end_s: int) -> list[Candle]:
        [(rows, _)] = await self.queries.candles([ticker], period_min, start_s, end_s)
        return rows

    async def tape(self, ticker: str, limit: int) -> list[TradeRecord]:
        return (await self.queries.trades(ticker=ticker, limit=limit)).items

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
        return (await self.queries.settlements(user_id, subaccount=0, limit=limit)).items

    async def cash_movements(self, user_id: str, limit: int) -> list[CashMovementRecord]:
        return (await self.queries.cash_movements(user_id, subaccount=0, limit=limit)).items

    async def settlements_page(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[SettlementRecord], str]:
        """One page of the user's settlements (main account), newest first, and the next
        page's cursor ("" after the last)."""
        page = await self.queries.settlements(user_id, subaccount=0, limit=limit, cursor=cursor)
        return page.items, page.cursor

    async def cash_movements_page(
        self, user_id: str, limit: int, cursor: str
    ) -> tuple[list[CashMovementRecord], str]:
        """One page of the user's cash movements (main account), newest first."""
        page = await self.queries.cash_movements(user_id, subaccount=0, limit=limit, cursor=cursor)
        return page.items, page.cursor
