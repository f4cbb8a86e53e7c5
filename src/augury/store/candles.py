"""Per-market tape of the history writer: an aggregated book, live statistics and candles.

``MarketTape`` follows one market from the engine's events alone (never from engine
memory), so the history writer can run on any thread and can be rebuilt: ``BookDelta``
maintains an aggregated book (price -> size per side), ``FillEvent`` the open interest,
``TradeEvent`` the last price and volume. ``CandleBatch`` folds one batch's trades and
quote changes into one accumulator per ``(ticker, period_min, end_ts_s)``; the writer
upserts each accumulator once with ``UPSERT_CANDLE``, which merges it into the stored row.

Candle semantics:

- Periods are 1, 60 and 1440 minutes. A period is ``(end - period, end]`` in Unix seconds,
  ``end`` aligned to the period, so a trade exactly on a boundary closes that period.
- ``yes_bid`` is the best YES bid, ``yes_ask`` the lowest ask on the YES scale (1 - the
  best NO bid); an empty side reads 0 and $1 (10_000 cc). A row's quote ``open`` is the
  quote in force when the period's first event arrived, so a period that starts with a
  quote change opens at the previous quote; ``close`` is the quote after its last event.
- ``price_*`` are the OHLC of trade prices, NULL in a period without trades;
  ``price_previous_cc`` is the last trade price before the period (NULL if none),
  ``price_volume_fine`` sums ``price_cc * count_c`` so the mean is that over ``volume_c``.
- ``open_interest_c`` is the open interest after the period's last event. Open interest
  is the number of YES contracts held, which equals the number of (YES, NO) pairs in
  escrow, i.e. the engine's ``Market.open_interest_c``; each fill moves it by the change
  of ``max(position, 0)`` on both sides. Settlement sets it to 0.
- A row exists only for periods with a trade, a quote change or a settlement; a reader
  fills the gaps by carrying the previous row's closes forward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from augury.domain.units import ONE_DOLLAR_CC
from augury.store.records import Candle, columns

__all__ = [
    "EMPTY_ASK_CC",
    "EMPTY_BID_CC",
    "PERIODS_MIN",
    "UPSERT_CANDLE",
    "BookSeed",
    "CandleBatch",
    "MarketTape",
    "period_end_s",
    "tapes_from_books",
]

PERIODS_MIN = (1, 60, 1440)
EMPTY_BID_CC = 0
EMPTY_ASK_CC = ONE_DOLLAR_CC
_NS_PER_MIN = 60 * 1_000_000_000

# Accumulator layout (a list of ints, for speed): quote OHLC, price OHLC, then the rest.
# ``_NONE`` stands for "no trade yet" in the price slots (prices are never negative).
_NONE = -1
_BO, _BH, _BL, _BC, _AO, _AH, _AL, _AC, _PO, _PH, _PL, _PC, _PREV, _PV, _VOL, _OI = range(16)

# The row shape is records.Candle; CandleBatch.rows builds rows in its field order.
_CANDLE_COLUMNS = ", ".join(columns(Candle))


def _greater(column: str) -> str:
    return (
        f"{column} = CASE WHEN candles.{column} IS NULL OR excluded.{column} > candles.{column} "
        f"THEN excluded.{column} ELSE candles.{column} END"
    )


def _less(column: str) -> str:
    return (
        f"{column} = CASE WHEN candles.{column} IS NULL OR excluded.{column} < candles.{column} "
        f"THEN excluded.{column} ELSE candles.{column} END"
    )


# Merging a batch's accumulator into an existing row: opens and ``previous`` stay, highs
# and lows widen, closes and open interest move on, sums add up. Plain CASE/COALESCE so
# SQLite and PostgreSQL run the same text (their two-argument max differ on NULL).
UPSERT_CANDLE = (
    f"INSERT INTO candles ({_CANDLE_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(columns(Candle)))}) "
    "ON CONFLICT (ticker, period_min, end_ts_s) DO UPDATE SET "
    + ", ".join(
        [
            _greater("yes_bid_high_cc"),
            _less("yes_bid_low_cc"),
            "yes_bid_close_cc = excluded.yes_bid_close_cc",
            _greater("yes_ask_high_cc"),
            _less("yes_ask_low_cc"),
            "yes_ask_close_cc = excluded.yes_ask_close_cc",
            "price_open_cc = COALESCE(candles.price_open_cc, excluded.price_open_cc)",
            _greater("price_high_cc"),
            _less("price_low_cc"),
            "price_close_cc = COALESCE(excluded.price_close_cc, candles.price_close_cc)",
            "price_volume_fine = candles.price_volume_fine + excluded.price_volume_fine",
            "volume_c = candles.volume_c + excluded.volume_c",
            "open_interest_c = excluded.open_interest_c",
        ]
    )
)


def period_end_s(ts_ns: int, period_min: int) -> int:
    """Return the end (inclusive, Unix seconds) of the period of ``period_min`` holding ``ts_ns``.

    Args:
        ts_ns: a time in ns since the epoch.
        period_min: the period length in minutes (1, 60 or 1440).
    """
    return -(-ts_ns // (period_min * _NS_PER_MIN)) * period_min * 60


class MarketTape:
    """What the history writer knows about one market, derived from its events."""

    __slots__ = (
        "asks",
        "bids",
        "changed_ns",
        "changed_seq",
        "event_ticker",
        "last_price_cc",
        "last_trade_ns",
        "open_interest_c",
        "ticker",
        "volume_c",
        "yes_ask_cc",
        "yes_bid_cc",
    )

    def __init__(self, ticker: str, event_ticker: str | None = None) -> None:
        self.ticker = ticker
        self.event_ticker = event_ticker
        self.bids: dict[int, int] = {}  # YES price -> resting size
        self.asks: dict[int, int] = {}  # YES price (1 - NO price) -> resting size
        self.yes_bid_cc = EMPTY_BID_CC
        self.yes_ask_cc = EMPTY_ASK_CC
        self.open_interest_c = 0
        self.last_price_cc: int | None = None
        self.last_trade_ns: int | None = None
        self.volume_c = 0
        # When a statistic last changed: the ``market_stats`` row's updated_ns and seq.
        self.changed_ns = 0
        self.changed_seq = 0

    def copy(self) -> MarketTape:
        """Return an independent copy (the writer's undo record for a failed batch)."""
        other = MarketTape(self.ticker, self.event_ticker)
        other.bids = dict(self.bids)
        other.asks = dict(self.asks)
        other.yes_bid_cc = self.yes_bid_cc
        other.yes_ask_cc = self.yes_ask_cc
        other.open_interest_c = self.open_interest_c
        other.last_price_cc = self.last_price_cc
        other.last_trade_ns = self.last_trade_ns
        other.volume_c = self.volume_c
        other.changed_ns = self.changed_ns
        other.changed_seq = self.changed_seq
        return other

    def apply_delta(self, is_bid: bool, price_cc: int, delta_c: int) -> bool:
        """Change the resting size at one level; return whether the best price moved."""
        levels = self.bids if is_bid else self.asks
        size = levels.get(price_cc, 0) + delta_c
        if size < 0:
            raise AssertionError(f"{self.ticker}: level {price_cc} would go negative")
        if size:
            levels[price_cc] = size
        else:
            levels.pop(price_cc, None)
        if is_bid:
            best = self.yes_bid_cc
            if size and price_cc > best:
                self.yes_bid_cc = price_cc
            elif not size and price_cc == best:
                self.yes_bid_cc = max(levels) if levels else EMPTY_BID_CC
            return self.yes_bid_cc != best
        best = self.yes_ask_cc
        if size and price_cc < best:
            self.yes_ask_cc = price_cc
        elif not size and price_cc == best:
            self.yes_ask_cc = min(levels) if levels else EMPTY_ASK_CC
        return self.yes_ask_cc != best

    def apply_fill(self, is_bid: bool, count_c: int, post_position_c: int) -> None:
        """Move the open interest by one fill side's change of YES held."""
        pre = post_position_c - count_c if is_bid else post_position_c + count_c
        self.open_interest_c += max(post_position_c, 0) - max(pre, 0)

    def stats_row(self) -> tuple[object, ...]:
        """Return the ``market_stats`` row of this market."""
        return (
            self.ticker,
            self.volume_c,
            self.open_interest_c,
            self.last_price_cc,
            self.last_trade_ns,
            self.yes_bid_cc,
            self.yes_ask_cc,
            self.changed_ns,
            self.changed_seq,
        )


class BookSeed(Protocol):
    """A market's book and statistics to continue from (``runtime.ports.MarketBook``)."""

    @property
    def ticker(self) -> str: ...
    @property
    def event_ticker(self) -> str: ...
    @property
    def bids(self) -> Mapping[int, int]: ...
    @property
    def asks(self) -> Mapping[int, int]: ...
    @property
    def open_interest_c(self) -> int: ...
    @property
    def volume_c(self) -> int: ...
    @property
    def last_price_cc(self) -> int | None: ...
    @property
    def last_trade_ns(self) -> int | None: ...


def tapes_from_books(books: Iterable[BookSeed]) -> dict[str, MarketTape]:
    """Return a tape per market, from its aggregated book and statistics."""
    tapes: dict[str, MarketTape] = {}
    for book in books:
        tape = MarketTape(book.ticker, book.event_ticker)
        tape.bids = dict(book.bids)
        tape.asks = dict(book.asks)
        tape.yes_bid_cc = max(tape.bids) if tape.bids else EMPTY_BID_CC
        tape.yes_ask_cc = min(tape.asks) if tape.asks else EMPTY_ASK_CC
        tape.open_interest_c = book.open_interest_c
        tape.volume_c = book.volume_c
        tape.last_price_cc = book.last_price_cc
        tape.last_trade_ns = book.last_trade_ns
        tapes[book.ticker] = tape
    return tapes


class CandleBatch:
    """The candle accumulators of one batch, one per ``(ticker, period_min, end_ts_s)``."""

    __slots__ = ("_accs", "_recent")

    def __init__(self) -> None:
        self._accs: dict[tuple[str, int, int], list[int]] = {}
        # ticker -> (ts_ns, its three accumulators): a sequencer batch shares one ts.
        self._recent: dict[str, tuple[int, list[list[int]]]] = {}

    def _touch(self, tape: MarketTape, ts_ns: int, bid: int, ask: int) -> list[list[int]]:
        recent = self._recent.get(tape.ticker)
        if recent is not None and recent[0] == ts_ns:
            return recent[1]
        accs = []
        previous = _NONE if tape.last_price_cc is None else tape.last_price_cc
        for period in PERIODS_MIN:
            key = (tape.ticker, period, period_end_s(ts_ns, period))
            acc = self._accs.get(key)
            if acc is None:
                acc = self._accs[key] = [
                    *(bid, bid, bid, bid, ask, ask, ask, ask),
                    *(_NONE, _NONE, _NONE, _NONE, previous, 0, 0, tape.open_interest_c),
                ]
            accs.append(acc)
        self._recent[tape.ticker] = (ts_ns, accs)
        return accs

    def quote(self, tape: MarketTape, ts_ns: int, old_bid: int, old_ask: int) -> None:
        """Record that the tape's quote moved from ``(old_bid, old_ask)``."""
        bid = tape.yes_bid_cc
        ask = tape.yes_ask_cc
        for acc in self._touch(tape, ts_ns, old_bid, old_ask):
            if bid > acc[_BH]:
                acc[_BH] = bid
            if bid < acc[_BL]:
                acc[_BL] = bid
            if ask > acc[_AH]:
                acc[_AH] = ask
            if ask < acc[_AL]:
                acc[_AL] = ask
            acc[_BC] = bid
            acc[_AC] = ask
            acc[_OI] = tape.open_interest_c

    def trade(self, tape: MarketTape, ts_ns: int, price_cc: int, count_c: int) -> None:
        """Record a trade, then move the tape's last price and volume."""
        for acc in self._touch(tape, ts_ns, tape.yes_bid_cc, tape.yes_ask_cc):
            if acc[_PO] == _NONE:
                acc[_PO] = acc[_PH] = acc[_PL] = price_cc
            elif price_cc > acc[_PH]:
                acc[_PH] = price_cc
            elif price_cc < acc[_PL]:
                acc[_PL] = price_cc
            acc[_PC] = price_cc
            acc[_PV] += price_cc * count_c
            acc[_VOL] += count_c
            acc[_OI] = tape.open_interest_c
        tape.last_price_cc = price_cc
        tape.last_trade_ns = ts_ns
        tape.volume_c += count_c

    def open_interest(self, tape: MarketTape, ts_ns: int) -> None:
        """Record the tape's open interest (after a settlement)."""
        for acc in self._touch(tape, ts_ns, tape.yes_bid_cc, tape.yes_ask_cc):
            acc[_OI] = tape.open_interest_c

    def rows(self) -> list[tuple[object, ...]]:
        """Return the accumulators as ``UPSERT_CANDLE`` parameter rows."""
        return [
            (*key, *acc[:_PO], *[None if v == _NONE else v for v in acc[_PO:_PV]], *acc[_PV:])
            for key, acc in self._accs.items()
        ]

    def __len__(self) -> int:
        return len(self._accs)
