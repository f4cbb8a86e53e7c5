"""REST order books (CONTRACT §4.6, §7, §11.4).

Current shape: ``{"orderbook_fp": {"yes_dollars": [[price, count], …], "no_dollars": […]}}``.
Both sides hold **bids only**: ``yes_dollars`` are YES bids, ``no_dollars`` NO bids priced
on the NO leg. Levels are aggregated per price and sorted **ascending, best bid last**.
Each level is a pair of strings (``["0.0800", "300.00"]``). Both arrays are required and
are ``[]`` when a side is empty, never ``null``.

Legacy courtesy shape: until March 2026 the key was ``orderbook`` with integer-cent
levels ``yes``/``no`` (``[[8, 300], …]``) beside ``yes_dollars``/``no_dollars``. Old
clients still read it, and new SDKs ignore the unknown key, so
``GetMarketOrderbookResponse`` may carry it as an optional ``orderbook``; its
``*_dollars`` lists are the same as ``orderbook_fp``'s. Integer cents and whole contracts
are floored, so a sub-cent or fractional level appears rounded down there only.

``orderbook_response`` builds both from integer levels ``(price_cc, size_c)``.
"""

from collections.abc import Iterable

from augury.api.schemas.base import WireResponse, legacy_cents, legacy_contracts
from augury.domain.units import count_c_to_str, dollars_cc_to_str

__all__ = [
    "GetMarketOrderbookResponse",
    "GetMarketOrderbooksResponse",
    "LegacyOrderbook",
    "MarketOrderbookFp",
    "OrderbookCountFp",
    "orderbook_fp",
    "orderbook_response",
]

Level = tuple[str, str]
LegacyLevel = tuple[int, int]


class OrderbookCountFp(WireResponse, kw_only=True):
    yes_dollars: list[Level]
    no_dollars: list[Level]


class LegacyOrderbook(WireResponse, kw_only=True):
    yes: list[LegacyLevel]
    no: list[LegacyLevel]
    yes_dollars: list[Level]
    no_dollars: list[Level]


class GetMarketOrderbookResponse(WireResponse, kw_only=True):
    orderbook_fp: OrderbookCountFp
    # Legacy courtesy key, see the module docstring.
    orderbook: LegacyOrderbook | None = None


class MarketOrderbookFp(WireResponse, kw_only=True):
    ticker: str
    orderbook_fp: OrderbookCountFp


class GetMarketOrderbooksResponse(WireResponse, kw_only=True):
    orderbooks: list[MarketOrderbookFp]


def _ascending(levels: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    return sorted(levels)


def orderbook_fp(
    yes_levels: Iterable[tuple[int, int]], no_levels: Iterable[tuple[int, int]]
) -> OrderbookCountFp:
    """Format aggregated bid levels as ``orderbook_fp``, ascending by price.

    Args:
        yes_levels: YES bids as ``(price_cc, size_c)``.
        no_levels: NO bids as ``(price_cc, size_c)``, priced on the NO leg.
    """
    return OrderbookCountFp(
        yes_dollars=[(dollars_cc_to_str(p), count_c_to_str(s)) for p, s in _ascending(yes_levels)],
        no_dollars=[(dollars_cc_to_str(p), count_c_to_str(s)) for p, s in _ascending(no_levels)],
    )


def orderbook_response(
    yes_levels: Iterable[tuple[int, int]],
    no_levels: Iterable[tuple[int, int]],
    *,
    include_legacy: bool = True,
) -> GetMarketOrderbookResponse:
    """Build a ``GET /markets/{ticker}/orderbook`` body from integer levels.

    Args:
        yes_levels: YES bids as ``(price_cc, size_c)``, in any order.
        no_levels: NO bids as ``(price_cc, size_c)`` on the NO leg, in any order.
        include_legacy: Also emit the pre-2026 ``orderbook`` key.
    """
    yes = _ascending(yes_levels)
    no = _ascending(no_levels)
    book = orderbook_fp(yes, no)
    legacy = None
    if include_legacy:
        legacy = LegacyOrderbook(
            yes=[(legacy_cents(p), legacy_contracts(s)) for p, s in yes],
            no=[(legacy_cents(p), legacy_contracts(s)) for p, s in no],
            yes_dollars=book.yes_dollars,
            no_dollars=book.no_dollars,
        )
    return GetMarketOrderbookResponse(orderbook_fp=book, orderbook=legacy)
