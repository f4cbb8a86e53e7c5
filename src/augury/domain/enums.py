"""Vocabulary shared by the engine, the ledger and the wire: Kalshi's exact strings.

The values are the strings Kalshi puts on the wire (``canceled`` with one "l" for orders),
so an adapter never needs a translation table for them. Book sides are the V2 vocabulary:
``bid`` buys YES, ``ask`` sells YES, which is the same as buying NO.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BookSide",
    "ExchangeState",
    "FeeType",
    "MarketResult",
    "MarketStatus",
    "OrderStatus",
    "OrderType",
    "SelfTradePrevention",
    "TimeInForce",
]


class BookSide(StrEnum):
    BID = "bid"  # buy YES; outcome side "yes"
    ASK = "ask"  # sell YES == buy NO; outcome side "no"


class TimeInForce(StrEnum):
    GTC = "good_till_canceled"
    IOC = "immediate_or_cancel"
    FOK = "fill_or_kill"


class SelfTradePrevention(StrEnum):
    TAKER_AT_CROSS = "taker_at_cross"
    MAKER = "maker"


class OrderStatus(StrEnum):
    RESTING = "resting"
    CANCELED = "canceled"
    EXECUTED = "executed"


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class FeeType(StrEnum):
    QUADRATIC = "quadratic"
    QUADRATIC_WITH_MAKER_FEES = "quadratic_with_maker_fees"
    QUADRATIC_WITH_COMBO_MAKER_FEES = "quadratic_with_combo_maker_fees"
    FLAT = "flat"


class MarketStatus(StrEnum):
    """Lifecycle: initialized -> active <-> inactive -> closed -> determined
    (-> disputed -> amended) -> finalized."""

    INITIALIZED = "initialized"
    ACTIVE = "active"
    INACTIVE = "inactive"
    CLOSED = "closed"
    DETERMINED = "determined"
    DISPUTED = "disputed"
    AMENDED = "amended"
    FINALIZED = "finalized"


class MarketResult(StrEnum):
    YES = "yes"
    NO = "no"
    SCALAR = "scalar"
    VOID = "void"


class ExchangeState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
