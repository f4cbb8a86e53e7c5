"""History reads served from the read models: orders, fills, settlements, trades, cash.

Invariants:

- Every list here is served by ``HistoryReader`` on its own thread (never engine memory),
  newest first, keyset-paged: ``cursor`` is the reader's opaque key, ``""`` on the last page.
- Read-your-writes: the writer runs behind the sequencer, so a portfolio read first waits
  for the batches already queued (``HistoryFeed.drain``, cheap when idle). A request that
  returned before this read began is therefore always visible.
- ``min_ts``/``max_ts`` are Unix seconds, both inclusive: ``max_ts`` covers its whole second.
- User-scoped reads only ever query the caller's ``user_id``; an order of another user is
  ``404 not_found``, the same answer as an unknown id, so ids cannot be probed.
- The live endpoints serve everything, including what the historical tier also serves
  (docs/decisions/0009-candlesticks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.auth import ApiKeyRecord
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.history_wire import (
    money_movement_wire,
    settlement_record_wire,
    trade_record_wire,
)
from augury.api.routes.markets import int_param, page_params, tickers_param
from augury.api.routes.orders import ctx, subaccount_for
from augury.api.schemas import exchange as wx
from augury.api.schemas import markets as wm
from augury.api.schemas import orders as wo
from augury.api.schemas import portfolio as wp
from augury.api.tutorials import order_status_alias
from augury.api.wire import fill_wire, order_wire
from augury.runtime.boot import HistoryUnavailable
from augury.store.history_read import HistoryReader, InvalidCursorError

__all__ = ["MAX_TS", "read", "routes", "ts_range", "user_subaccount"]

T = TypeVar("T")
NS_PER_S = 1_000_000_000
MAX_TS = 2**40  # Unix seconds; far beyond any real time, small enough for ns in int64
_ORDER_STATUSES = ("resting", "canceled", "executed")


def ts_range(request: Request) -> tuple[int | None, int | None]:
    """Read ``min_ts``/``max_ts`` (Unix seconds, inclusive) as a ns range."""
    lo = int_param(request, "min_ts", None, 0, MAX_TS)
    hi = int_param(request, "max_ts", None, 0, MAX_TS)
    return (
        None if lo is None else lo * NS_PER_S,
        None if hi is None else hi * NS_PER_S + NS_PER_S - 1,
    )


def user_subaccount(request: Request, record: ApiKeyRecord) -> int | None:
    """The subaccount filter: None (all) unless asked, or the key is restricted to one."""
    requested = int_param(request, "subaccount", None, 0, 63)
    if requested is None and record.subaccount is None:
        return None
    return subaccount_for(record, requested)


async def read(context: Context, query: Callable[[HistoryReader], T], *, drain: bool) -> T:
    """Run a reader query on its thread, after the queued writes when ``drain``."""
    if drain:
        await context.runtime.history.drain()
    try:
        return await context.runtime.history.read(query)
    except InvalidCursorError as error:
        raise ApiError(400, "invalid_parameters", str(error)) from None
    except HistoryUnavailable:
        # Never stale rows: the read models stopped following the journal.
        raise ApiError(
            503, "service_unavailable", "history is unavailable until the server restarts"
        ) from None


async def get_orders(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    status = request.query_params.get("status") or None
    if status is not None and status not in _ORDER_STATUSES:
        status = order_status_alias(status)
    events = tickers_param(request, "event_ticker")
    if len(events) > 10:
        raise ApiError(400, "invalid_parameters", "event_ticker takes at most 10 events")
    sub = user_subaccount(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    ticker = request.query_params.get("ticker") or None
    rows, next_cursor = await read(
        context,
        lambda r: r.orders(
            record.user_id,
            subaccount=sub,
            ticker=ticker,
            event_tickers=events,
            status=status,
            min_ts_ns=lo,
            max_ts_ns=hi,
            limit=limit,
            cursor=cursor,
        ),
        drain=True,
    )
    return json_response(
        wo.GetOrdersResponse(orders=[order_wire(row) for row in rows], cursor=next_cursor)
    )


async def get_order(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    order_id = request.path_params["order_id"]
    row = await read(context, lambda r: r.order(order_id), drain=True)
    if row is None or row.user_id != record.user_id:
        raise ApiError(404, "not_found", f"order {order_id} not found")
    if record.subaccount is not None and row.subaccount != record.subaccount:
        raise ApiError(404, "not_found", f"order {order_id} not found")
    return json_response(wo.GetOrderResponse(order=order_wire(row)))


async def get_fills(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    tickers = tickers_param(request, "ticker")
    if len(tickers) > 100:
        raise ApiError(400, "invalid_parameters", "ticker takes at most 100 markets")
    sub = user_subaccount(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    order_id = request.query_params.get("order_id") or None
    rows, next_cursor = await read(
        context,
        lambda r: r.fills(
            record.user_id,
            subaccount=sub,
            tickers=tickers,
            order_id=order_id,
            min_ts_ns=lo,
            max_ts_ns=hi,
            limit=limit,
            cursor=cursor,
        ),
        drain=True,
    )
    return json_response(
        wp.GetFillsResponse(fills=[fill_wire(row) for row in rows], cursor=next_cursor)
    )


async def get_settlements(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    sub = user_subaccount(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    ticker = request.query_params.get("ticker") or None
    event = request.query_params.get("event_ticker") or None
    rows, next_cursor = await read(
        context,
        lambda r: r.settlements(
            record.user_id,
            subaccount=sub,
            ticker=ticker,
            event_ticker=event,
            min_ts_ns=lo,
            max_ts_ns=hi,
            limit=limit,
            cursor=cursor,
        ),
        drain=True,
    )
    return json_response(
        wp.GetSettlementsResponse(
            settlements=[settlement_record_wire(row) for row in rows], cursor=next_cursor
        )
    )


async def get_trades(request: Request) -> Response:
    context = ctx(request)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request, lo=0)
    ticker = request.query_params.get("ticker") or None
    if request.query_params.get("is_block_trade") == "true":
        # No block trades happen here; the filter can only match nothing.
        return json_response(wm.GetTradesResponse(trades=[], cursor=""))
    rows, next_cursor = await read(
        context,
        lambda r: r.trades(ticker=ticker, min_ts_ns=lo, max_ts_ns=hi, limit=limit, cursor=cursor),
        drain=True,
    )
    return json_response(
        wm.GetTradesResponse(trades=[trade_record_wire(row) for row in rows], cursor=next_cursor)
    )


async def get_deposits(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    limit, cursor = page_params(request, hi=500)
    rows, next_cursor = await read(
        context,
        lambda r: r.cash_movements(
            record.user_id,
            kind="deposit",
            subaccount=record.subaccount,  # a restricted key sees its subaccount only
            limit=limit,
            cursor=cursor,
        ),
        drain=True,
    )
    return json_response(
        wp.GetDepositsResponse(
            deposits=[money_movement_wire(row, wp.Deposit) for row in rows], cursor=next_cursor
        )
    )


async def get_withdrawals(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    limit, cursor = page_params(request, hi=500)
    rows, next_cursor = await read(
        context,
        lambda r: r.cash_movements(
            record.user_id,
            kind="withdrawal",
            subaccount=record.subaccount,  # a restricted key sees its subaccount only
            limit=limit,
            cursor=cursor,
        ),
        drain=True,
    )
    return json_response(
        wp.GetWithdrawalsResponse(
            withdrawals=[money_movement_wire(row, wp.Withdrawal) for row in rows],
            cursor=next_cursor,
        )
    )


_ALL_DAY = [wx.DailySchedule(open_time="00:00", close_time="23:59")]


async def exchange_schedule(_request: Request) -> Response:
    # The exchange trades around the clock and has no planned maintenance.
    week = wx.WeeklySchedule(
        start_time="2020-01-01T00:00:00Z",
        end_time="2100-01-01T00:00:00Z",
        monday=_ALL_DAY,
        tuesday=_ALL_DAY,
        wednesday=_ALL_DAY,
        thursday=_ALL_DAY,
        friday=_ALL_DAY,
        saturday=_ALL_DAY,
        sunday=_ALL_DAY,
    )
    return json_response(
        wx.GetExchangeScheduleResponse(
            schedule=wx.Schedule(standard_hours=[week], maintenance_windows=[])
        )
    )


routes = [
    Route("/portfolio/orders", get_orders, methods=["GET"]),
    Route("/portfolio/orders/{order_id}", get_order, methods=["GET"]),
    Route("/portfolio/fills", get_fills, methods=["GET"]),
    Route("/portfolio/settlements", get_settlements, methods=["GET"]),
    Route("/portfolio/deposits", get_deposits, methods=["GET"]),
    Route("/portfolio/withdrawals", get_withdrawals, methods=["GET"]),
    Route("/markets/trades", get_trades, methods=["GET"]),
    Route("/exchange/schedule", exchange_schedule, methods=["GET"]),
]
