"""What the runtime needs from a store, as protocols: the runtime never imports the store.

The dependency arrow runs ``runtime <- store``: the store implements these protocols
(``augury.store.SQL_STORE``, SQLite or PostgreSQL), and whoever composes a server passes
one in (``StoreOpener``). A test can pass a store of its own.

- ``JournalPort``: the durable command log and its snapshots (``augury.store.Journal``).
- ``HistoryWriterPort`` / ``HistoryReaderPort``: the history read models, written behind
  the sequencer from applied batches and read on a thread of their own.
- ``MarketBook``: what a history writer needs of a market to continue from a recovered
  state (``book_seeds`` reads it from the engine: only the runtime touches engine memory).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome

__all__ = [
    "HistoryReaderPort",
    "HistoryWriterPort",
    "JournalPort",
    "MarketBook",
    "StoreOpener",
    "book_seeds",
]

Applied = tuple[int, c.Command, Outcome[object]]


class _Recovery(Protocol):
    @property
    def dropped_count(self) -> int: ...


class JournalPort(Protocol):
    """The append-only command log plus snapshots and a small key/value ``meta``."""

    @property
    def recovery(self) -> _Recovery: ...
    @property
    def skipped_snapshots(self) -> list[int]: ...

    def last_seq(self) -> int: ...
    def append_batch(self, records: Sequence[tuple[int, int, bytes]]) -> None: ...
    def read_after(self, seq: int) -> Iterator[tuple[int, int, bytes]]: ...
    def write_snapshot(self, seq: int, created_ns: int, payload: bytes) -> None: ...
    def load_latest_snapshot(self, at_most: int | None = None) -> tuple[int, bytes] | None: ...
    def void_records(self) -> frozenset[int]: ...
    def void_record(self, seq: int) -> None: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class MarketBook:
    """A market's aggregated book and statistics, as a history writer continues from them."""

    ticker: str
    event_ticker: str
    bids: Mapping[int, int]  # YES price_cc -> resting size_c
    asks: Mapping[int, int]  # YES price_cc (1 - the NO price) -> resting size_c
    open_interest_c: int
    volume_c: int
    last_price_cc: int | None  # None: never traded
    last_trade_ns: int | None


class HistoryWriterPort(Protocol):
    """Writes the history read models from applied batches (one owner thread)."""

    @property
    def url(self) -> str: ...

    def watermark(self) -> int: ...
    def apply_batch(self, items: Sequence[Applied]) -> None: ...
    def skip(self, items: Sequence[Applied]) -> None: ...
    def seed_books(self, books: Iterable[MarketBook], seq: int) -> None: ...
    def close(self) -> None: ...


class HistoryReaderPort(Protocol):
    """Reads the history read models (its queries are the store's own business)."""

    def close(self) -> None: ...


class StoreOpener(Protocol):
    """Opens the databases of a store URL (migrating them), each on the calling thread."""

    def open_journal(self, url: str) -> JournalPort: ...
    def open_history(self, url: str) -> tuple[HistoryWriterPort, Any]: ...


def book_seeds(exchange: Exchange) -> list[MarketBook]:
    """Return every market's book and statistics, read from the engine's memory."""
    out = []
    for ticker, market in exchange.markets.items():
        prices = market.grid.prices_cc
        book = market.book
        traded = bool(market.last_trade_ns or market.volume_c)
        out.append(
            MarketBook(
                ticker,
                market.event_ticker,
                {prices[idx]: size for idx, size in book.levels(True)},
                {prices[idx]: size for idx, size in book.levels(False)},
                market.open_interest_c,
                market.volume_c,
                market.last_price_cc if traded else None,
                market.last_trade_ns if traded else None,
            )
        )
    return out
