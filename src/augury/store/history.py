"""The history read models: what the API serves for past orders, fills, trades, settlements,
cash movements and candles, written from the engine's events.

The sequencer hands every applied command to its subscribers as ``(seq, command, outcome)``.
``HistoryWriter.apply_batch`` takes a run of those and writes everything they caused in ONE
transaction, together with the watermark ``meta["history.seq"]`` (the last seq the tables
include). The writer reads only the events (never engine memory), so it may run on a thread
of its own; it keeps a small tape per market (aggregated book, open interest, last price;
see ``augury.store.candles``) for the candles. ``HistoryReader`` (``history_read.py``)
serves the tables as the dataclasses of ``records.py``.

Invariants:

- The tables hold exactly the outcomes of commands ``1..watermark()``; a batch is written
  completely with its watermark, or not at all. A failed batch also rolls the in-memory
  tapes back, so the same items may simply be applied again.
- Items must arrive contiguously, in seq order. Items at or below the watermark (replayed
  after a restart) only advance the tapes; nothing is written twice.
- The tapes hold the state after ``applied_seq()``. They start empty (seq 0); a writer that
  starts from an engine snapshot at seq S must first be seeded with ``seed_books(exchange,
  S)``, then be fed the replayed commands from S + 1.
- Order rows carry each order's latest ``OrderUpdate``; an ``AmendOrder`` that changed only
  metadata emits none, so its ``outcome.value.new`` snapshot is applied as well.

Limits:

- One owner: not thread-safe. Only one thread may call a writer at a time.
- Raw drivers on the write path (``rawsql.py``), as in ``journal.py``; rows are built from
  the events' msgspec tuples, each order row once per batch, each candle once per batch and
  period; PostgreSQL loads plain inserts with COPY. Measured on the 2-vCPU dev VM (batches
  of 1000, about 5 events per command): SQLite writes 13 k commands/s (18 k per CPU-second)
  when 40% of commands trade, 22 k/s (30 k per CPU-second) when 10% do; smaller batches
  cost more per command (about 10 k/s at 100). SQLite runs WAL with
  ``synchronous=NORMAL``: the read models are rebuildable from the journal, and the
  watermark rolls back with the rows, so a commit lost to power failure is replayed.
- History older than the newest snapshot can only be rebuilt while the journal still
  holds it (``seed_books(..., accept_gap=True)`` starts history at a snapshot instead).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from augury.engine import commands as c
from augury.engine.events import (
    BalanceUpdate,
    BookDelta,
    CashMovement,
    FillEvent,
    MarketUpdate,
    OrderUpdate,
    PositionUpdate,
    SettlementEvent,
    TradeEvent,
)
from augury.engine.exchange import Exchange, Outcome
from augury.engine.results import Amended, batch_outcomes
from augury.store.candles import UPSERT_CANDLE, CandleBatch, MarketTape, tapes_from_exchange
from augury.store.rawsql import ClosesOnExit, Connection, connect, insert_sql

__all__ = ["ORD_SHIFT", "WATERMARK_KEY", "HistoryGapError", "HistoryWriter", "history_url"]

WATERMARK_KEY = "history.seq"
ORD_SHIFT = 24  # ord = seq << ORD_SHIFT | n: up to 16.7 M events per command

_Item = tuple[int, c.Command, Outcome[object]]
_Rows = list[tuple[object, ...]]


def history_url(store_url: str) -> str:
    """Return the URL of the database that holds the read models for ``store_url``.

    An SQLite file store keeps them in a sibling file (``augury.db`` → ``augury-history.db``):
    SQLite has one write lock per file, and read-model batches holding it made the journal's
    group commit wait out SQLite's busy back-off (1, 2, 5, 10 ms ...), which was most of
    the REST p99 (decision 0013). PostgreSQL locks rows, not the database, so its URL is
    returned unchanged; so are in-memory SQLite URLs (each connection is its own database
    anyway) and URI-form ones (``?uri=true``), whose sibling cannot be named safely: such a
    store keeps one file and its lock contention.
    """
    if not store_url.startswith("sqlite:///"):
        return store_url
    path = store_url.removeprefix("sqlite:///")
    if not path or path == ":memory:" or "?" in path:
        return store_url
    slash = path.rfind("/") + 1
    dot = path.rfind(".")
    stem_end = dot if dot > slash else len(path)
    return f"sqlite:///{path[:stem_end]}-history{path[stem_end:]}"


def _picker(cls: type[msgspec.Struct], names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    # One C-level pass (astuple + itemgetter) instead of an attribute read per column. The
    # indexes come from the struct's own field names, so a renamed field fails at import.
    get = operator.itemgetter(*[cls.__struct_fields__.index(name) for name in names])
    astuple = msgspec.structs.astuple

    def pick(ev: Any) -> tuple[Any, ...]:
        return get(astuple(ev))  # type: ignore[no-any-return]

    return pick


def _names(text: str) -> list[str]:
    return text.split()


# Columns filled from an event's field of the same name ("updated_ns" from ts_ns), then
# the ones the writer adds.
_ORDER_FROM_EVENT = _names(
    "order_id user_id subaccount ticker side price_cc initial_c fill_c remaining_c status "
    "time_in_force order_type legacy_side legacy_action client_order_id order_group_id "
    "self_trade_prevention post_only cancel_order_on_pause expiration_ts_ns created_ns "
    "updated_ns taker_fill_cost_cc maker_fill_cost_cc taker_fees_cc maker_fees_cc"
)
# What can change once an order exists. Identity, creation time and ord never do, and
# ``status`` is set only when it may have changed (an order leaves ``resting`` once):
# SQLite rewrites an index only when one of its columns is in the SET list.
_ORDER_MUTABLE = _names(
    "price_cc initial_c fill_c remaining_c client_order_id expiration_ts_ns updated_ns "
    "taker_fill_cost_cc maker_fill_cost_cc taker_fees_cc maker_fees_cc"
)
_FILL_FROM_EVENT = _names(
    "fill_id trade_id order_id user_id subaccount ticker side legacy_side legacy_action "
    "price_cc count_c is_taker fee_cc post_position_c client_order_id ts_ns"
)
_TRADE_FROM_EVENT = _names("trade_id ticker price_cc count_c taker_side ts_ns")
_SETTLEMENT_FROM_EVENT = _names(
    "user_id subaccount ticker result yes_c no_c yes_cost_cc no_cost_cc revenue_cc "
    "fee_cost_cc value_cc ts_ns"
)
_CASH_FROM_EVENT = _names("kind user_id subaccount amount_cc to_subaccount transfer_id ts_ns")


def _fields(names: Sequence[str]) -> list[str]:
    return ["ts_ns" if name == "updated_ns" else name for name in names]


_order_values = _picker(OrderUpdate, _fields(_ORDER_FROM_EVENT))
_order_changes = _picker(OrderUpdate, _fields(_ORDER_MUTABLE))
_fill_values = _picker(FillEvent, _FILL_FROM_EVENT)
_trade_values = _picker(TradeEvent, _TRADE_FROM_EVENT)
_settlement_values = _picker(SettlementEvent, _SETTLEMENT_FROM_EVENT)
_cash_values = _picker(CashMovement, _CASH_FROM_EVENT)

_INSERT_ORDER = insert_sql("orders", [*_ORDER_FROM_EVENT, "event_ticker", "ord"])
_SET_MUTABLE = ", ".join(f"{col} = ?" for col in _ORDER_MUTABLE)
_UPDATE_RESTING = f"UPDATE orders SET {_SET_MUTABLE} WHERE order_id = ?"  # noqa: S608
_UPDATE_FINISHED = f"UPDATE orders SET {_SET_MUTABLE}, status = ? WHERE order_id = ?"  # noqa: S608
# For orders that predate the history (``seed_books(..., accept_gap=True)``).
_UPSERT_ORDER = f"{_INSERT_ORDER} ON CONFLICT (order_id) DO UPDATE SET " + ", ".join(
    f"{col} = excluded.{col}" for col in [*_ORDER_MUTABLE, "status"]
)
_INSERT_FILL = insert_sql("fills", [*_FILL_FROM_EVENT, "seq", "ord"])
_INSERT_TRADE = insert_sql("trades", [*_TRADE_FROM_EVENT, "seq", "ord"])
_INSERT_SETTLEMENT = insert_sql(
    "settlements", [*_SETTLEMENT_FROM_EVENT, "event_ticker", "seq", "ord"]
)
_INSERT_CASH = insert_sql("cash_movements", [*_CASH_FROM_EVENT, "seq"])
_UPSERT_STATS = (
    "INSERT INTO market_stats (ticker, volume_c, open_interest_c, last_price_cc, "
    "last_trade_ns, yes_bid_cc, yes_ask_cc, updated_ns, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (ticker) DO UPDATE SET volume_c = excluded.volume_c, "
    "open_interest_c = excluded.open_interest_c, last_price_cc = excluded.last_price_cc, "
    "last_trade_ns = excluded.last_trade_ns, yes_bid_cc = excluded.yes_bid_cc, "
    "yes_ask_cc = excluded.yes_ask_cc, updated_ns = excluded.updated_ns, seq = excluded.seq"
)
_UPSERT_META = (
    "INSERT INTO meta (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


class HistoryGapError(RuntimeError):
    """The history would miss commands: items do not follow what the writer holds."""


class _Batch:
    """The rows one batch writes; a replayed segment fills one and throws it away."""

    __slots__ = (
        "candles",
        "cash",
        "fills",
        "new_orders",
        "orders",
        "settlements",
        "stats",
        "trades",
    )

    def __init__(self) -> None:
        self.orders: dict[str, tuple[OrderUpdate, str | None, int]] = {}
        self.new_orders: set[str] = set()  # placed in this batch: not in the table yet
        self.fills: _Rows = []
        self.trades: _Rows = []
        self.settlements: _Rows = []
        self.cash: _Rows = []
        self.candles = CandleBatch()
        self.stats: set[str] = set()

    def order(self, ev: OrderUpdate, event_ticker: str | None, ord_: int) -> None:
        # The last snapshot wins; the row is built once, at write time.
        previous = self.orders.get(ev.order_id)
        self.orders[ev.order_id] = (ev, event_ticker, ord_ if previous is None else previous[2])

    def changed(self, tape: MarketTape, ts_ns: int, seq: int) -> None:
        tape.changed_ns = ts_ns
        tape.changed_seq = seq
        self.stats.add(tape.ticker)


class HistoryWriter(ClosesOnExit):
    """Writes the history read models from the sequencer's ``(seq, command, outcome)``."""

    def __init__(self, conn: Connection) -> None:
        # Use HistoryWriter.open.
        self._conn = conn
        self._tapes: dict[str, MarketTape] = {}
        rows = conn.query("SELECT value FROM meta WHERE key = ?", (WATERMARK_KEY,))
        self._watermark = int(rows[0][0]) if rows else 0
        self._applied = 0
        # Per batch: an undo copy of every tape touched, and the tapes touched so far.
        self._undo: dict[str, MarketTape | None] = {}
        self._touched: dict[str, MarketTape] = {}

    @classmethod
    def open(cls, url: str) -> HistoryWriter:
        """Migrate the database at ``url`` and open a writer on its own connection.

        Args:
            url: the read models' URL: ``history_url`` of the store URL, e.g.
                ``sqlite:///data/augury-history.db`` or ``postgresql://...``.
        """
        conn = connect(url)
        try:
            return cls(conn)
        except BaseException:
            conn.close()
            raise

    @property
    def url(self) -> str:
        """A URL that reaches this writer's database (for ``HistoryReader.open``)."""
        return self._conn.url

    def close(self) -> None:
        """Close the connection; committed batches are already stored."""
        self._conn.close()

    def watermark(self) -> int:
        """Return the last seq whose outcome the tables include (0 when empty)."""
        return self._watermark

    def applied_seq(self) -> int:
        """Return the last seq the in-memory tapes include."""
        return self._applied

    def tape(self, ticker: str) -> MarketTape | None:
        """Return the writer's tape of one market (read-only use), or None."""
        return self._tapes.get(ticker)

    def seed_books(self, exchange: Exchange, seq: int, *, accept_gap: bool = False) -> None:
        """Replace the tapes with the state of ``exchange``, which includes commands ``..seq``.

        Call it after loading a snapshot and before feeding the replayed commands.

        Args:
            exchange: an exchange as of ``seq`` (read, never changed).
            seq: the last command the exchange includes.
            accept_gap: allow ``seq`` past the watermark; the commands in between are then
                never written, and the watermark moves to ``seq``.

        Raises:
            HistoryGapError: ``seq`` is past the watermark and ``accept_gap`` is false.
        """
        if seq > self._watermark:
            if not accept_gap:
                raise HistoryGapError(
                    f"history holds commands up to {self._watermark}; a state at {seq} "
                    "cannot fill the gap (replay from an older snapshot or accept_gap)"
                )
            with self._conn.transaction() as executemany:
                executemany(_UPSERT_META, [(WATERMARK_KEY, str(seq))])
            self._watermark = seq
        self._tapes = tapes_from_exchange(exchange)
        self._applied = seq

    def apply_batch(self, items: Sequence[_Item]) -> None:
        """Write what ``items`` caused, with the new watermark, in one transaction.

        Args:
            items: ``(seq, command, outcome)`` in seq order, the first one following
                ``applied_seq()``; those at or below ``watermark()`` only advance the tapes.

        Raises:
            HistoryGapError: the first seq does not follow ``applied_seq()`` or seqs skip.
        """
        if not items:
            return
        self._undo = {}
        self._touched = {}
        applied = self._applied
        try:
            live = self._collect(items)
            last = items[-1][0]
            if last > self._watermark:
                self._write(live, last)
                self._watermark = last
        except BaseException:
            for ticker, saved in self._undo.items():
                if saved is None:
                    self._tapes.pop(ticker, None)
                else:
                    self._tapes[ticker] = saved
            self._applied = applied
            raise
        finally:
            self._undo = {}
            self._touched = {}

    def skip(self, items: Sequence[_Item]) -> None:
        """Advance past ``items`` writing none of their rows, only the watermark.

        For a command whose rows the database refuses (``HistoryFeed`` finds it by writing
        a failed batch one command at a time): its tapes still advance, so candles and
        books stay right, and the commands after it are written as usual.

        Raises:
            HistoryGapError: as ``apply_batch``.
        """
        if not items:
            return
        self._undo = {}
        self._touched = {}
        applied = self._applied
        try:
            self._collect(items)
            last = items[-1][0]
            if last > self._watermark:
                with self._conn.transaction() as executemany:
                    executemany(_UPSERT_META, [(WATERMARK_KEY, str(last))])
                self._watermark = last
        except BaseException:
            for ticker, saved in self._undo.items():
                if saved is None:
                    self._tapes.pop(ticker, None)
                else:
                    self._tapes[ticker] = saved
            self._applied = applied
            raise
        finally:
            self._undo = {}
            self._touched = {}

    def _write(self, live: _Batch, seq: int) -> None:
        inserts: _Rows = []
        resting: _Rows = []
        finished: _Rows = []
        for order_id, (ev, event_ticker, ord_) in live.orders.items():
            if order_id in live.new_orders:
                inserts.append((*_order_values(ev), event_ticker, ord_))
            elif ev.status == "resting":  # it was resting before too: status is unchanged
                resting.append((*_order_changes(ev), order_id))
            else:
                finished.append((*_order_changes(ev), ev.status, order_id))
        tapes = self._tapes
        with self._conn.transaction() as executemany:
            for sql, rows in (
                (_INSERT_ORDER, inserts),
                (_INSERT_FILL, live.fills),
                (_INSERT_TRADE, live.trades),
                (_INSERT_SETTLEMENT, live.settlements),
                (_INSERT_CASH, live.cash),
                (UPSERT_CANDLE, live.candles.rows()),
                (_UPSERT_STATS, [tapes[t].stats_row() for t in sorted(live.stats)]),
            ):
                if rows:
                    executemany(sql, rows)
            updated = executemany(_UPDATE_RESTING, resting) if resting else 0
            updated += executemany(_UPDATE_FINISHED, finished) if finished else 0
            if updated < len(resting) + len(finished):
                # Some orders predate the history (a seed that accepted a gap): upsert.
                executemany(
                    _UPSERT_ORDER,
                    [
                        (*_order_values(ev), event_ticker, ord_)
                        for order_id, (ev, event_ticker, ord_) in live.orders.items()
                        if order_id not in live.new_orders
                    ],
                )
            executemany(_UPSERT_META, [(WATERMARK_KEY, str(seq))])

    def _tape(self, ticker: str) -> MarketTape:
        # The first touch in a batch saves an undo copy; later ones hit ``_touched``.
        tape = self._tapes.get(ticker)
        self._undo[ticker] = None if tape is None else tape.copy()
        if tape is None:
            tape = self._tapes[ticker] = MarketTape(ticker)
        self._touched[ticker] = tape
        return tape

    def _collect(self, items: Sequence[_Item]) -> _Batch:
        live = _Batch()
        scratch = _Batch()
        watermark = self._watermark
        expected = self._applied + 1
        for seq, command, outcome in items:
            if seq != expected:
                raise HistoryGapError(f"history expected command {expected}, got {seq}")
            expected += 1
            self._applied = seq
            # A refused command (or a failed one, COMMAND_FAILED) wrote nothing.
            if outcome.reject is None and (
                outcome.events or isinstance(command, c.AmendOrder | c.Batch)
            ):
                self._command(seq, command, outcome, live if seq > watermark else scratch)
        return live

    def _command(
        self, seq: int, command: c.Command, outcome: Outcome[object], rows: _Batch
    ) -> None:
        base = seq << ORD_SHIFT
        n = 0
        leaves = (
            zip(command.items, batch_outcomes(outcome), strict=True)
            if type(command) is c.Batch
            else ((command, outcome),)
        )
        for leaf, out in leaves:
            if out.reject is not None:
                continue
            if type(leaf) is c.PlaceOrder:
                placed = out.value
                assert isinstance(placed, OrderUpdate)
                rows.new_orders.add(placed.order_id)
            elif isinstance(leaf, c.AddMarket):
                tape = self._touched.get(leaf.ticker) or self._tape(leaf.ticker)
                tape.event_ticker = leaf.event_ticker
            n = self._events(out, rows, seq, n)
            if isinstance(leaf, c.AmendOrder):
                amended = out.value
                assert isinstance(amended, Amended)
                new = amended.new
                n += 1
                tape = self._touched.get(new.ticker) or self._tape(new.ticker)
                rows.order(new, tape.event_ticker, base | n)
        if n >> ORD_SHIFT:
            raise AssertionError(f"command {seq} has more than {1 << ORD_SHIFT} events")

    def _events(self, out: Outcome[object], rows: _Batch, seq: int, n: int) -> int:
        base = seq << ORD_SHIFT
        touched = self._touched
        candles = rows.candles
        for ev in out.events:
            n += 1
            if type(ev) is OrderUpdate:
                tape = touched.get(ev.ticker) or self._tape(ev.ticker)
                rows.order(ev, tape.event_ticker, base | n)
            elif type(ev) is BalanceUpdate or type(ev) is PositionUpdate:
                continue
            elif type(ev) is BookDelta:
                tape = touched.get(ev.ticker) or self._tape(ev.ticker)
                bid, ask = tape.yes_bid_cc, tape.yes_ask_cc
                if tape.apply_delta(ev.side == "bid", ev.price_cc, ev.delta_c):
                    candles.quote(tape, ev.ts_ns, bid, ask)
                    rows.changed(tape, ev.ts_ns, seq)
            elif type(ev) is FillEvent:
                tape = touched.get(ev.ticker) or self._tape(ev.ticker)
                rows.fills.append((*_fill_values(ev), seq, base | n))
                tape.apply_fill(ev.side == "bid", ev.count_c, ev.post_position_c)
            elif type(ev) is TradeEvent:
                tape = touched.get(ev.ticker) or self._tape(ev.ticker)
                rows.trades.append((*_trade_values(ev), seq, base | n))
                candles.trade(tape, ev.ts_ns, ev.price_cc, ev.count_c)
                rows.changed(tape, ev.ts_ns, seq)
            elif type(ev) is CashMovement:
                rows.cash.append((*_cash_values(ev), seq))
            elif type(ev) is SettlementEvent:
                tape = touched.get(ev.ticker) or self._tape(ev.ticker)
                rows.settlements.append((*_settlement_values(ev), tape.event_ticker, seq, base | n))
            elif type(ev) is MarketUpdate and ev.kind == "settled":
                tape = touched.get(ev.ticker) or self._tape(ev.ticker)
                tape.open_interest_c = 0
                candles.open_interest(tape, ev.ts_ns)
                rows.changed(tape, ev.ts_ns, seq)
        return n
