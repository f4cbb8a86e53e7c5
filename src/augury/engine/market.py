"""Markets and their lifecycle, plus the series and events that group them.

Lifecycle (Kalshi's statuses)::

    initialized --open_time--> active <--pause/resume--> inactive
         active/inactive --close_time or close--> closed --determine--> determined
         determined --(dispute)--> disputed --> amended;  determined/amended --timer--> finalized

Trading is allowed only in ``active`` while the exchange is not paused. Closing cancels
every resting order; from then on every order operation, cancels included, is refused with
``market_closed``. Reactivating a paused market cancels its resting orders, as Kalshi does.
A market's fee rule comes from its series (an event may override it).
"""

from __future__ import annotations

from augury.domain.enums import FeeType, MarketStatus
from augury.domain.grid import PriceGrid
from augury.engine.book import Book
from augury.ledger.fees import FeeSchedule

__all__ = ["EventInfo", "Market", "SeriesInfo"]

TRADABLE = frozenset({MarketStatus.ACTIVE})
PRE_CLOSE = frozenset({MarketStatus.INITIALIZED, MarketStatus.ACTIVE, MarketStatus.INACTIVE})


class SeriesInfo:
    """A series: its fee rule and its descriptive metadata (Kalshi field names)."""

    __slots__ = ("created_ns", "fee_multiplier_e4", "fee_type", "meta", "ticker")

    def __init__(
        self,
        ticker: str,
        fee_type: FeeType,
        fee_multiplier_e4: int,
        meta: dict[str, object],
        ts_ns: int,
    ) -> None:
        self.ticker = ticker
        self.fee_type = fee_type
        self.fee_multiplier_e4 = fee_multiplier_e4
        self.meta = meta
        self.created_ns = ts_ns


class EventInfo:
    """An event: a set of markets on one question, possibly mutually exclusive."""

    __slots__ = (
        "created_ns",
        "event_ticker",
        "markets",
        "meta",
        "mutually_exclusive",
        "series_ticker",
    )

    def __init__(
        self,
        event_ticker: str,
        series_ticker: str,
        mutually_exclusive: bool,
        meta: dict[str, object],
        ts_ns: int,
    ) -> None:
        self.event_ticker = event_ticker
        self.series_ticker = series_ticker
        self.mutually_exclusive = mutually_exclusive
        self.meta = meta
        self.markets: list[str] = []
        self.created_ns = ts_ns


class Market:
    """One binary market: its rules, lifecycle state, live book and live statistics."""

    __slots__ = (
        "book",
        "book_seq",
        "close_ts_ns",
        "created_ns",
        "determined_ns",
        "event_ticker",
        "fees",
        "fractional",
        "grid",
        "last_price_cc",
        "last_trade_ns",
        "lot_c",
        "market_type",
        "meta",
        "open_interest_c",
        "open_ts_ns",
        "result",
        "seq",
        "settled_ns",
        "settlement_timer_s",
        "settlement_value_cc",
        "status",
        "ticker",
        "updated_ns",
        "volume_c",
    )

    def __init__(
        self,
        ticker: str,
        event_ticker: str,
        grid: PriceGrid,
        fees: FeeSchedule,
        *,
        fractional: bool,
        open_ts_ns: int,
        close_ts_ns: int,
        settlement_timer_s: int,
        market_type: str,
        meta: dict[str, object],
        ts_ns: int,
    ) -> None:
        self.ticker = ticker
        self.event_ticker = event_ticker
        self.grid = grid
        self.fees = fees
        self.fractional = fractional
        self.lot_c = 1 if fractional else 100
        self.open_ts_ns = open_ts_ns
        self.close_ts_ns = close_ts_ns
        self.settlement_timer_s = settlement_timer_s
        self.market_type = market_type
        self.meta = meta
        self.status = MarketStatus.INITIALIZED
        self.result = ""
        self.settlement_value_cc: int | None = None
        self.determined_ns: int | None = None
        self.settled_ns: int | None = None
        self.book = Book(len(grid))
        self.book_seq = 0
        self.volume_c = 0
        self.open_interest_c = 0
        self.last_price_cc = 0
        self.last_trade_ns = 0
        self.created_ns = ts_ns
        self.updated_ns = ts_ns
        # The market's place in ``Exchange.markets`` (set when it is listed there; derived,
        # not snapshotted): a Tick advances its due markets in this order.
        self.seq = 0

    @property
    def tradable(self) -> bool:
        return self.status in TRADABLE

    @property
    def before_close(self) -> bool:
        return self.status in PRE_CLOSE
