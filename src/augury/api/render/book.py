"""Order books: the REST ``orderbook_fp`` (with the legacy ``orderbook`` courtesy key) and
the WebSocket ``orderbook_snapshot`` / ``orderbook_delta`` bodies (CONTRACT §4.6, §8.5,
§11.4).

- Both REST sides hold bids only: ``yes_dollars`` are YES bids, ``no_dollars`` NO bids
  priced on the NO leg; levels are ``[price, count]`` strings aggregated per price,
  **ascending** (best bid last), ``[]`` when empty. The legacy key repeats them with
  integer cents and whole contracts (floored).
- On the WebSocket the NO side is priced on the NO leg too, unless the subscription asked
  for ``use_yes_price``; snapshot levels ascend by the price sent and an empty side is
  left out. A delta's ``side`` is ``yes`` for a YES-bid level (``BookDelta`` side
  ``bid``) and ``no`` otherwise; the order's owner also gets its ``client_order_id`` and
  ``subaccount``.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from augury.api.render.common import ms
from augury.api.schemas import orderbook as wb
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import BookDelta
from augury.queries.views import BookView, MarketView

__all__ = [
    "delta_message",
    "orderbook",
    "orderbook_fp",
    "orderbook_response",
    "snapshot_message",
]

_encode = msgspec.json.Encoder().encode
Levels = Iterable[tuple[int, int]]


def orderbook_fp(yes_levels: Levels, no_levels: Levels) -> wb.OrderbookCountFp:
    """Format bid levels ``(price_cc, size_c)`` as ``orderbook_fp``, ascending by price.

    Args:
        yes_levels: YES bids, in any order.
        no_levels: NO bids priced on the NO leg, in any order.
    """
    return wb.OrderbookCountFp(
        yes_dollars=[(dollars_cc_to_str(p), count_c_to_str(s)) for p, s in sorted(yes_levels)],
        no_dollars=[(dollars_cc_to_str(p), count_c_to_str(s)) for p, s in sorted(no_levels)],
    )


def orderbook_response(
    yes_levels: Levels, no_levels: Levels, *, include_legacy: bool = True
) -> wb.GetMarketOrderbookResponse:
    """Build a ``GET /markets/{ticker}/orderbook`` body from bid levels (any order).

    Args:
        yes_levels: YES bids as ``(price_cc, size_c)``.
        no_levels: NO bids as ``(price_cc, size_c)`` on the NO leg.
        include_legacy: Also emit the pre-2026 ``orderbook`` key.
    """
    yes = sorted(yes_levels)
    no = sorted(no_levels)
    book = orderbook_fp(yes, no)
    legacy = None
    if include_legacy:
        legacy = wb.LegacyOrderbook(
            yes=[(legacy_cents(p), legacy_contracts(s)) for p, s in yes],
            no=[(legacy_cents(p), legacy_contracts(s)) for p, s in no],
            yes_dollars=book.yes_dollars,
            no_dollars=book.no_dollars,
        )
    return wb.GetMarketOrderbookResponse(orderbook_fp=book, orderbook=legacy)


def orderbook(book: BookView) -> wb.GetMarketOrderbookResponse:
    """Render a market's book (the read side's ``BookView``)."""
    return orderbook_response(book.yes, book.no)


def _levels(levels: list[tuple[int, int]]) -> list[m.Level] | None:
    if not levels:
        return None
    return [(dollars_cc_to_str(p), count_c_to_str(s)) for p, s in sorted(levels)]


def snapshot_message(market: MarketView, mid: str, use_yes_price: bool) -> bytes:
    """Build an ``orderbook_snapshot`` body from the market's book."""
    book = market.book()
    yes, no = book.yes, book.no
    if use_yes_price:
        no = [(ONE_DOLLAR_CC - p, s) for p, s in no]
    return _encode(
        m.BookSnapshotMsg(
            market_ticker=market.ticker,
            market_id=mid,
            yes_dollars_fp=_levels(yes),
            no_dollars_fp=_levels(no),
        )
    )


def delta_message(delta: BookDelta, mid: str, use_yes_price: bool, own: bool) -> bytes:
    """Build an ``orderbook_delta`` body; ``own`` adds the owner's order identity."""
    is_yes = delta.side == "bid"
    price = delta.price_cc if is_yes or use_yes_price else ONE_DOLLAR_CC - delta.price_cc
    return _encode(
        m.BookDeltaMsg(
            market_ticker=delta.ticker,
            market_id=mid,
            price_dollars=dollars_cc_to_str(price),
            delta_fp=count_c_to_str(delta.delta_c),
            side="yes" if is_yes else "no",
            client_order_id=(delta.client_order_id or None) if own else None,
            subaccount=(delta.subaccount or None) if own else None,
            ts=rfc3339_from_ns(delta.ts_ns),
            ts_ms=ms(delta.ts_ns),
        )
    )
