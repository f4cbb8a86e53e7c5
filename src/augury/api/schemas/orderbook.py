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

``augury.api.render.book`` builds both from integer levels ``(price_cc, size_c)``.
"""

from augury.api.schemas.base import WireResponse

__all__ = [
    "GetMarketOrderbookResponse",
    "GetMarketOrderbooksResponse",
    "LegacyOrderbook",
    "MarketOrderbookFp",
    "OrderbookCountFp",
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
