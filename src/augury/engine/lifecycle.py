"""Command family: market lifecycle, settlement, the exchange switch and the clock tick.

Statuses and transitions are Kalshi's (``engine/market.py`` draws them). Time alone moves
a market too (``advance_market``: open at ``open_ts_ns``, close at ``close_ts_ns``,
finalize ``settlement_timer_s`` after it was determined); that happens when a market is
created and on every ``Tick``, never by reading a clock.

``SetMarketState`` -> the market's status afterwards
    Rejects: ``market_not_found``, ``market_closed`` (already past its close),
    ``invalid_transition`` (pause of a market not active; resume of one not paused).
    Effects: ``close`` cancels every resting order (reason ``market_closed``; they are
    remembered in ``closed_orders`` until settlement so their owners are told
    ``market_closed``); ``pause`` cancels the orders placed with cancel-on-pause
    (``trading_paused``); ``resume`` cancels every resting order (``market_reactivated``,
    as Kalshi does). Events: the cancels' ``OrderUpdate``/``BookDelta``, then
    ``MarketUpdate`` (``closed``/``deactivated``/``activated``).
``DetermineMarket`` -> the market's status afterwards
    Rejects: ``market_not_found``, ``invalid_parameters`` (a scalar result without a value
    in [0, 1]), ``invalid_transition`` (already finalized).
    Effects: closes the market first if it is still open; a second determination
    disputes and amends the first (``MarketUpdate(disputed)``); ``settle_now`` or a zero
    settlement timer finalizes at once. Events: ``MarketUpdate(determined)``, and those
    of the close and the finalization.
``FinalizeMarket`` -> ``finalized``
    Rejects: ``market_not_found``, ``invalid_transition`` (not determined).
    Effects (also reached by the timer): every position is paid out by the ledger
    (``SettlementEvent`` per account, ``PositionUpdate``, ``BalanceUpdate``), open
    interest falls to zero, the market's ``closed_orders`` are forgotten,
    ``MarketUpdate(settled)``.
``SetExchangeState`` -> whether trading is active afterwards
    Rejects: ``invalid_transition`` (already in that state).
    Effects: a pause cancels every order placed with cancel-on-pause
    (``exchange_paused``). Events: the cancels', then ``ExchangeUpdate``.
``Tick`` -> how many orders were due to expire (never refused)
    Effects: ``advance_market`` for every market whose next step is due at the exchange's
    time (in the order of ``Exchange.markets``, i.e. listing order), then every resting
    order whose expiration is at or before the tick's time is cancelled (``expired``), in
    order id order. The same events as advancing every market not finalized, in listing
    order: ``advance_market`` does nothing to a market whose step is not due.

The due index (``engine/due.py``): ``Exchange.market_due`` holds, for every market with a
step ahead, ``market_due_ns`` of its current state; every change of a market's status here
reschedules it (``_schedule``), so a Tick takes only the due markets from the index, in
O(k log n), and never looks at the others. ``Exchange.expiring`` is kept the same way by
whatever rests an order with an expiration or ends one (placement, amend, retire).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.enums import MarketStatus
from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import ONE_DOLLAR_CC
from augury.engine import commands as c
from augury.engine.checks import market_of
from augury.engine.due import market_due_ns
from augury.engine.emit import market_update
from augury.engine.events import ExchangeUpdate, SettlementEvent
from augury.engine.market import Market
from augury.engine.retire import cancel_order

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = [
    "advance_market",
    "determine",
    "finalize",
    "set_exchange_state",
    "set_market_state",
    "settle",
    "tick",
]

_DETERMINED = (MarketStatus.DETERMINED, MarketStatus.AMENDED)


def _schedule(ex: Exchange, market: Market) -> None:
    """Put the market in the due index at the time of its next step (or take it out)."""
    ex.market_due.set(market.ticker, market_due_ns(market))


def advance_market(ex: Exchange, market: Market) -> None:
    """Apply the transitions that time alone causes, and reschedule the market."""
    now = ex.now_ns
    if market.status is MarketStatus.INITIALIZED and now >= market.open_ts_ns:
        market.status = MarketStatus.ACTIVE
        market_update(ex, market, "opened")
    if market.before_close and now >= market.close_ts_ns:
        _close(ex, market)
    if (
        market.status in _DETERMINED
        and market.determined_ns is not None
        and now >= market.determined_ns + market.settlement_timer_s * 1_000_000_000
    ):
        settle(ex, market)
    _schedule(ex, market)


def _close(ex: Exchange, market: Market) -> None:
    for order in list(market.book.resting()):
        cancel_order(ex, order, "market_closed")
        # Later operations on these orders are refused as market_closed, not "unknown".
        ex.closed_orders[order.order_id] = (market.ticker, order.key)
    market.status = MarketStatus.CLOSED
    market_update(ex, market, "closed")


def set_market_state(ex: Exchange, cmd: c.SetMarketState, ts: int) -> str:
    market = market_of(ex, cmd.ticker)
    if not market.before_close:
        raise Reject(RejectReason.MARKET_CLOSED, f"market {cmd.ticker} is closed")
    if cmd.action == "close":
        _close(ex, market)
    elif cmd.action == "pause":
        if market.status is not MarketStatus.ACTIVE:
            raise Reject(RejectReason.INVALID_TRANSITION, "only an active market can pause")
        market.status = MarketStatus.INACTIVE
        for order in list(market.book.resting()):
            if order.cancel_on_pause:
                cancel_order(ex, order, "trading_paused")
        market_update(ex, market, "deactivated")
    else:
        if market.status is not MarketStatus.INACTIVE:
            raise Reject(RejectReason.INVALID_TRANSITION, "only a paused market can resume")
        # Kalshi cancels every resting order when a market is reactivated.
        for order in list(market.book.resting()):
            cancel_order(ex, order, "market_reactivated")
        market.status = MarketStatus.ACTIVE
        market_update(ex, market, "activated")
    _schedule(ex, market)
    return market.status.value


def determine(ex: Exchange, cmd: c.DetermineMarket, ts: int) -> str:
    market = market_of(ex, cmd.ticker)
    if cmd.result == "scalar":
        if cmd.value_cc is None or not 0 <= cmd.value_cc <= ONE_DOLLAR_CC:
            raise Reject(RejectReason.INVALID_PARAMETERS, "scalar result needs a value in [0, 1]")
        value: int | None = cmd.value_cc
    else:
        value = {"yes": ONE_DOLLAR_CC, "no": 0, "void": None}[cmd.result]
    if market.status is MarketStatus.FINALIZED:
        raise Reject(RejectReason.INVALID_TRANSITION, "market is already settled")
    if market.before_close:
        _close(ex, market)
    amending = market.status in _DETERMINED
    if amending:
        market.status = MarketStatus.DISPUTED
        market_update(ex, market, "disputed")
    market.result = cmd.result
    market.settlement_value_cc = value
    market.determined_ns = ts
    market.status = MarketStatus.AMENDED if amending else MarketStatus.DETERMINED
    market_update(ex, market, "determined")
    if cmd.settle_now or market.settlement_timer_s == 0:
        settle(ex, market)
    _schedule(ex, market)
    return market.status.value


def finalize(ex: Exchange, cmd: c.FinalizeMarket, ts: int) -> str:
    market = market_of(ex, cmd.ticker)
    if market.status not in _DETERMINED:
        raise Reject(RejectReason.INVALID_TRANSITION, "market is not determined")
    settle(ex, market)
    _schedule(ex, market)
    return market.status.value


def settle(ex: Exchange, market: Market) -> None:
    """Pay out every position of a determined market and mark it finalized."""
    ts = ex.now_ns
    value = market.settlement_value_cc
    lines = ex.ledger.settle_market(market.ticker, value, ts)
    result = market.result
    for line in lines:
        ex.out.append(
            SettlementEvent(
                ts_ns=ts,
                user_id=line.key[0],
                subaccount=line.key[1],
                ticker=market.ticker,
                result=result,
                yes_c=line.yes_c,
                no_c=line.no_c,
                yes_cost_cc=line.yes_cost_cc,
                no_cost_cc=line.no_cost_cc,
                revenue_cc=line.revenue_cc,
                fee_cost_cc=line.fee_cost_cc,
                value_cc=value,
            )
        )
    market.open_interest_c = 0
    for order_id in [o for o, (t, _) in ex.closed_orders.items() if t == market.ticker]:
        del ex.closed_orders[order_id]
    market.status = MarketStatus.FINALIZED
    market.settled_ns = ts
    market_update(ex, market, "settled")


def set_exchange_state(ex: Exchange, cmd: c.SetExchangeState, ts: int) -> bool:
    if cmd.paused == ex.trading_paused:
        raise Reject(RejectReason.INVALID_TRANSITION, "exchange is already in that state")
    ex.trading_paused = cmd.paused
    if cmd.paused:
        for order in [o for o in ex.orders.values() if o.cancel_on_pause]:
            cancel_order(ex, order, "exchange_paused")
    ex.out.append(ExchangeUpdate(ts_ns=ts, trading_active=not cmd.paused))
    return not cmd.paused


def _listing_order(market: Market) -> int:
    return market.seq


def tick(ex: Exchange, cmd: c.Tick, ts: int) -> int:
    markets = ex.markets
    due = [markets[ticker] for ticker in ex.market_due.take_due(ex.now_ns)]
    due.sort(key=_listing_order)
    for market in due:
        advance_market(ex, market)  # a due market is never finalized: it has no step ahead
    # Taken from the index here; cancelling them would take them out anyway.
    expired = sorted(ex.expiring.take_due(ts))
    for order_id in expired:
        order = ex.orders.get(order_id)
        if order is not None:
            cancel_order(ex, order, "expired")
    return len(expired)
