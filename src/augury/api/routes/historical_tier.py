"""The historical tier: what finished before the cutoff, under ``/historical/*``.

Invariants (docs/decisions/0009-candlesticks.md):

- The cutoff is ``now - Settings.historical_cutoff_days``, one instant for all four kinds
  of record: markets settled, trades and fills made, orders finished (canceled or executed,
  by last update) and settled positions last updated before it.
- The historical tier is a *view*: the live endpoints keep serving everything, so a short
  history never loses data from them and a client that reads only the live tier sees all.
  Its fills, orders, trades, markets and positions are served by the live tier's handlers
  (``records``, ``markets``, ``portfolio``) given the cutoff.
- Resting orders are never historical, whatever their age (CONTRACT §3.2).
- Paging follows the live endpoints: keyset cursors from the reader for trades, fills and
  orders (every page full but the last); the last ticker for markets and positions.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import Context, context_of, json_response
from augury.api.routes import markets, portfolio, records
from augury.api.schemas import historical as wh
from augury.api.schemas.base import rfc3339_from_ns

__all__ = ["cutoff_ns", "routes"]

_DAY_NS = 86_400 * 1_000_000_000


def cutoff_ns(context: Context) -> int:
    """Return the instant before which finished records are historical."""
    return context.clock.now_ns() - context.settings.historical_cutoff_days * _DAY_NS


def _cutoff(request: Request) -> int:
    return cutoff_ns(context_of(request))


async def get_cutoff(request: Request) -> Response:
    stamp = rfc3339_from_ns(_cutoff(request))
    return json_response(
        wh.GetHistoricalCutoffResponse(
            market_settled_ts=stamp,
            trades_created_ts=stamp,
            orders_updated_ts=stamp,
            market_positions_last_updated_ts=stamp,
        )
    )


async def get_markets(request: Request) -> Response:
    return await markets.markets(request, settled_before_ns=_cutoff(request))


async def get_market(request: Request) -> Response:
    return await markets.one_market(request, settled_before_ns=_cutoff(request))


async def get_trades(request: Request) -> Response:
    return await records.trades(request, _cutoff(request))


async def get_fills(request: Request) -> Response:
    return await records.fills(request, _cutoff(request))


async def get_orders(request: Request) -> Response:
    return await records.orders(request, _cutoff(request))


async def get_positions(request: Request) -> Response:
    return await portfolio.positions(request, settled_before_ns=_cutoff(request))


routes = [
    Route("/historical/cutoff", get_cutoff, methods=["GET"]),
    Route("/historical/markets", get_markets, methods=["GET"]),
    Route("/historical/markets/{ticker}", get_market, methods=["GET"]),
    Route("/historical/trades", get_trades, methods=["GET"]),
    Route("/historical/fills", get_fills, methods=["GET"]),
    Route("/historical/orders", get_orders, methods=["GET"]),
    Route("/historical/positions", get_positions, methods=["GET"]),
]
