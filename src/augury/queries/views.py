"""What the read side answers with: typed, immutable views in the engine's integer units.

Every query of ``augury.queries.Queries`` returns one of these (or a ``Page`` of them), never
an engine object, so a reader cannot change engine state and does not depend on how an
engine keeps it. Amounts keep the engine's units (``*_cc`` centi-cents, ``*_c``
centi-contracts, ``*_ns`` times); the wire layer formats them. ``_fine`` amounts never
appear here: they stay inside the ledger.

Market views are the one exception to "a copy per answer": ``MarketView`` is a read-only
protocol over the index's live market record (books and counters change with every
trade, and the WebSocket hub reads them after each command), valid until the next
``await``. History rows (orders, fills, trades, settlements, cash movements, candles) are
the records of ``augury.store.records``, re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from augury.domain.enums import FeeType, MarketStatus
from augury.domain.grid import PriceGrid
from augury.store.records import (
    Candle,
    CashMovementRecord,
    FillRecord,
    MarketStats,
    OrderRecord,
    QuoteSnapshot,
    SettlementRecord,
    TradeRecord,
)

__all__ = [
    "ApiKeyView",
    "BalanceView",
    "BookView",
    "Candle",
    "CashMovementRecord",
    "EventView",
    "FillRecord",
    "GroupView",
    "MarketStats",
    "MarketView",
    "OrderRecord",
    "Page",
    "PositionView",
    "QueuePosition",
    "QuoteSnapshot",
    "SeriesView",
    "SettlementRecord",
    "TopOfBook",
    "TradeRecord",
    "UserView",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the cursor of the next one (``""``: this is the last)."""

    items: list[T]
    cursor: str


@dataclass(frozen=True, slots=True)
class UserView:
    """A user: name, rate-limit tier (``""`` = the server's default), subaccount count
    (subaccount 0 always exists) and how many orders it has resting."""

    user_id: str
    name: str
    tier: str
    subaccounts: int
    resting_orders: int
    created_ns: int


@dataclass(frozen=True, slots=True)
class BalanceView:
    """One subaccount's cash: available, and reserved by its resting orders."""

    user_id: str
    subaccount: int
    available_cc: int
    reserved_cc: int
    updated_ns: int


@dataclass(frozen=True, slots=True)
class PositionView:
    """A subaccount's netted position in one market (positive YES, negative NO).

    ``updated_ns`` moves with fills and settlement only (not with resting-order counts),
    as the ledger's own position does; ``traded_c`` counts contracts traded either way.
    """

    user_id: str
    subaccount: int
    ticker: str
    event_ticker: str
    position_c: int
    exposure_cc: int
    realized_pnl_cc: int
    fees_paid_cc: int
    total_traded_cc: int
    traded_c: int
    resting_orders: int
    settled: bool
    updated_ns: int


@dataclass(frozen=True, slots=True)
class GroupView:
    """An order group: its limit, whether it has triggered, its live orders (oldest first)."""

    group_id: str
    user_id: str
    subaccount: int
    contracts_limit_c: int | None
    triggered: bool
    order_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    """The public half of an API key and what it may do."""

    api_key_id: str
    user_id: str
    name: str
    public_key_pem: str
    key_type: str
    scopes: tuple[str, ...]
    subaccount: int | None
    created_ns: int


@dataclass(frozen=True, slots=True)
class SeriesView:
    """A series: its fee rule and its catalog metadata (Kalshi field names)."""

    ticker: str
    fee_type: FeeType
    fee_multiplier_e4: int
    meta: Mapping[str, object]
    created_ns: int


@dataclass(frozen=True, slots=True)
class EventView:
    """An event: its series, whether its markets exclude each other, its markets in
    listing order and its catalog metadata."""

    event_ticker: str
    series_ticker: str
    mutually_exclusive: bool
    meta: Mapping[str, object]
    markets: tuple[str, ...]
    created_ns: int
    # Decision 0058: since when its fee override is in force (None: no override), and
    # the journal position of its last change since the read side started (None: none).
    fee_since_ns: int | None = None
    fee_changed_seq: int | None = None


@dataclass(frozen=True, slots=True)
class TopOfBook:
    """The best YES bid and YES ask with their sizes; an empty side reads 0 / $1."""

    bid_cc: int
    bid_size_c: int
    ask_cc: int
    ask_size_c: int


@dataclass(frozen=True, slots=True)
class BookView:
    """A market's book as Kalshi shows it: YES bids at YES prices and NO bids at NO
    prices, each as ``(price_cc, size_c)`` levels, best first."""

    yes: list[tuple[int, int]]
    no: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class QueuePosition:
    """The resting size ahead of one order at its price (0 at the front)."""

    order_id: str
    ticker: str
    ahead_c: int


class MarketView(Protocol):
    """A market as the read side keeps it: read-only, valid until the next ``await``.

    Books are indexed by the market grid's step (``grid.prices_cc[i]`` is step ``i``):
    ``best_bid`` is the highest step with resting YES bids (-1 when none), ``best_ask``
    the lowest step with resting asks (NO bids priced in YES; ``len(grid)`` when none).
    """

    @property
    def ticker(self) -> str: ...
    @property
    def event_ticker(self) -> str: ...
    @property
    def grid(self) -> PriceGrid: ...
    @property
    def fractional(self) -> bool: ...
    @property
    def lot_c(self) -> int: ...
    @property
    def open_ts_ns(self) -> int: ...
    @property
    def close_ts_ns(self) -> int: ...
    @property
    def settlement_timer_s(self) -> int: ...
    @property
    def market_type(self) -> str: ...
    @property
    def meta(self) -> Mapping[str, object]: ...
    @property
    def status(self) -> MarketStatus: ...
    @property
    def result(self) -> str: ...
    @property
    def settlement_value_cc(self) -> int | None: ...
    @property
    def determined_ns(self) -> int | None: ...
    @property
    def settled_ns(self) -> int | None: ...
    @property
    def created_ns(self) -> int: ...
    @property
    def updated_ns(self) -> int: ...
    @property
    def volume_c(self) -> int: ...
    @property
    def open_interest_c(self) -> int: ...
    @property
    def last_price_cc(self) -> int: ...
    @property
    def last_trade_ns(self) -> int: ...
    @property
    def best_bid(self) -> int: ...
    @property
    def best_ask(self) -> int: ...

    def level_c(self, is_bid: bool, step: int) -> int:
        """Return the resting size at one step of one side."""
        ...

    def levels(self, is_bid: bool) -> Iterator[tuple[int, int]]:
        """Yield ``(step, size_c)`` of the non-empty levels of one side, best first."""
        ...

    def top_of_book(self) -> TopOfBook:
        """Return the best bid and ask with their sizes (0 / $1 for an empty side)."""
        ...

    def book(self, depth: int = 0) -> BookView:
        """Return the book at most ``depth`` levels deep per side (0: every level)."""
        ...

    def head_owner(self, is_bid: bool, step: int) -> str | None:
        """Return the user whose order is first in the queue at a level, or None."""
        ...
