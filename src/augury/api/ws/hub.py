"""The WebSocket hub: who is subscribed to what, and the fan-out of engine events.

``Hub.on_applied`` is a sequencer sink: it runs on the event loop, in sequence order,
right after each command is durable and applied. It turns the command's events into
message bodies — each body encoded **once** and shared by every subscriber that gets the
same bytes — and pushes them into the subscribers' connection buffers. It never awaits
and never touches a socket (see ``connection``), so a slow client cannot slow the
sequencer down.

Routing indexes: market-filtered subscriptions are found by (channel, ticker), the
"every market" ones by channel, and the per-user channels by (channel, user id). Market
state (book snapshots, tops of book, listings) comes from the read port; the read side's
index is subscribed before the hub and the sink runs synchronously between the engine's
commands, so what it reads is exactly the state after the events already fanned out; a
new subscription registered and snapshotted in one synchronous step therefore continues
seamlessly with the next delta.

What comes from where:
    orderbook_delta   BookDelta (side "ask" = NO bids at their YES price); snapshots from
                      the read side's book
    ticker            the read side's market after each command that touched it, sent
                      only when one of its fields changed
    trade / fill      TradeEvent / FillEvent
    user_orders       OrderUpdate            market_positions   PositionUpdate
    order_group_updates  OrderGroupUpdate
    market_lifecycle_v2  MarketUpdate, plus ``event_lifecycle`` when an AddEvent created
                      an event (the engine emits no event for that, the command says it)
                      and ``event_fee_update`` when an AddEvent set, changed or cleared
                      its event's fee override (the read side's ``fee_changed_seq`` is the
                      command's journal position; decision 0058)
Connections: the hub counts unauthenticated connections per source address (the endpoint
refuses one past ``ServerLimits.ws_anonymous_per_address``), and when an API key is
revoked (``ApiKeyUpdate`` inactive) it drops every connection that key opened, with
``error`` 9 "Authentication required" and close code 1008, before any later event of the
key's user is fanned out.

``market_position.volume_fp`` is the position's ``traded_c`` (contracts the account
traded in the market, from the engine, so it survives restarts).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import defaultdict
from collections.abc import Iterable

from augury.api.render import book as render_book
from augury.api.render import event as render_event
from augury.api.render import fill as render_fill
from augury.api.render import group as render_group
from augury.api.render import market as render_market
from augury.api.render import order as render_order
from augury.api.render import position as render_position
from augury.api.render import trade as render_trade
from augury.api.ws.connection import Connection, Subscription
from augury.api.ws.protocol import ErrorCode
from augury.engine import commands as c
from augury.engine.events import (
    ApiKeyUpdate,
    BookDelta,
    Event,
    FillEvent,
    MarketUpdate,
    OrderGroupUpdate,
    OrderUpdate,
    PositionUpdate,
    TradeEvent,
)
from augury.engine.exchange import Outcome
from augury.engine.results import batch_outcomes
from augury.queries import Queries

__all__ = ["BUFFER_ENV", "DEFAULT_BUFFER_BYTES", "FLUSH_INTERVAL_S", "Hub"]

log = logging.getLogger(__name__)

DEFAULT_BUFFER_BYTES = 2 * 1024 * 1024
BUFFER_ENV = "AUGURY_WS_BUFFER_BYTES"  # overrides the default (tests use a small one)
# Dirty connections are flushed once per event-loop pass, but not more often than this:
# each flush costs a system call per connection, so bursts of small sequencer batches
# coalesce into one write per connection.
FLUSH_INTERVAL_S = 0.005
FLUSH_CHUNK = 128  # connections written per event-loop callback

_SUBS = dict[Subscription, None]  # an insertion-ordered set

T_SNAPSHOT = b"orderbook_snapshot"
T_DELTA = b"orderbook_delta"
T_TICKER = b"ticker"
T_TRADE = b"trade"
T_FILL = b"fill"
T_POSITION = b"market_position"
T_ORDER = b"user_order"
T_GROUP = b"order_group_updates"
T_LIFECYCLE = b"market_lifecycle_v2"
T_EVENT = b"event_lifecycle"
T_EVENT_FEE = b"event_fee_update"
_DELTA = b'{"type":"orderbook_delta","sid":%d,"seq":%d,"msg":%b}'


class Hub:
    """All connections of one server and the fan-out of the sequencer's events."""

    def __init__(
        self,
        queries: Queries,
        *,
        buffer_bytes: int | None = None,
        flush_interval_s: float = FLUSH_INTERVAL_S,
    ) -> None:
        self.queries = queries
        self.flush_interval_s = flush_interval_s
        self._dirty: list[Connection] = []
        self._flush_handle: asyncio.Handle | None = None
        self._last_flush = 0.0
        if buffer_bytes is None:
            buffer_bytes = int(os.environ.get(BUFFER_ENV) or DEFAULT_BUFFER_BYTES)
        self.buffer_bytes = buffer_bytes
        self.connections: set[Connection] = set()
        self._by_market: dict[str, dict[str, _SUBS]] = defaultdict(dict)
        self._all: dict[str, _SUBS] = defaultdict(dict)
        self._by_user: dict[str, dict[str, _SUBS]] = defaultdict(dict)
        self._ids: dict[str, str] = {}  # ticker -> market_id
        self._tickers_by_id: dict[str, str] = {}
        self._tickers: dict[str, render_market.TickerState] = {}
        self._last_size: dict[str, int] = {}  # ticker -> size of its last trade
        self.deliveries = 0  # data messages buffered, for the benchmarks
        self.drops = 0  # connections dropped as slow readers (code 25), for /metrics
        self._anonymous: dict[str, int] = {}  # source address -> open anonymous connections
        self._anonymous_total = 0
        self.revoked_drops = 0  # connections closed because their key was revoked
        self._seq = 0  # the journal position of the command being fanned out
        # --compat tutorials: trades also carry a whole-contract ``count``.
        self.trade_count = False
        for market in queries.markets():
            self._tickers[market.ticker] = render_market.ticker_state(market, 0)

    def seed_last_trade_sizes(self, sizes: dict[str, int]) -> None:
        """Restore each market's last trade size after a restart (from the history store),
        before any command flows; the engine keeps the last price but not the size."""
        for ticker, size in sizes.items():
            market = self.queries.market(ticker)
            if market is not None:
                self._last_size[ticker] = size
                self._tickers[ticker] = render_market.ticker_state(market, size)

    # --- connections and subscriptions ---------------------------------------------------

    def connect(self, conn: Connection) -> None:
        self.connections.add(conn)
        if conn.user_id is None:
            self._anonymous[conn.address] = self._anonymous.get(conn.address, 0) + 1
            self._anonymous_total += 1

    def anonymous_count(self, address: str | None = None) -> int:
        """Return how many unauthenticated connections ``address`` (or everyone) holds."""
        if address is None:
            return self._anonymous_total
        return self._anonymous.get(address, 0)

    def mark_dirty(self, conn: Connection) -> None:
        """Remember a connection with buffered frames; schedule one flush for all."""
        self._dirty.append(conn)
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            delay = self._last_flush + self.flush_interval_s - loop.time()
            if delay > 0:
                self._flush_handle = loop.call_later(delay, self._flush)
            else:
                self._flush_handle = loop.call_soon(self._flush)

    def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        self._flush_handle = None
        self._last_flush = loop.time()
        dirty = self._dirty
        if len(dirty) > FLUSH_CHUNK:
            # A write costs a system call (~20 us on a loaded VM): flush a chunk, then let
            # the sequencer and HTTP run before the next one.
            dirty, self._dirty = dirty[:FLUSH_CHUNK], dirty[FLUSH_CHUNK:]
            self._flush_handle = loop.call_soon(self._flush)
        else:
            self._dirty = []
        for conn in dirty:
            conn.flush()

    def disconnect(self, conn: Connection) -> None:
        """Forget a connection and all its subscriptions (idempotent)."""
        if conn not in self.connections:
            return
        self.connections.discard(conn)
        self.drops += conn.dropped
        if conn.user_id is None:
            self._anonymous_total -= 1
            left = self._anonymous[conn.address] - 1
            if left:
                self._anonymous[conn.address] = left
            else:
                del self._anonymous[conn.address]
        for sub in list(conn.subs.values()):
            self.unregister(sub)
        conn.subs.clear()

    def register(self, sub: Subscription) -> None:
        """Index a subscription under its current filter."""
        spec = sub.spec
        if spec.per_user:
            user = sub.conn.user_id
            assert user is not None, "per-user channels need an authenticated connection"
            self._by_user[spec.name].setdefault(user, {})[sub] = None
        elif sub.markets is None:
            self._all[spec.name][sub] = None
        else:
            self.index_markets(sub, sub.markets)

    def unregister(self, sub: Subscription) -> None:
        spec = sub.spec
        if spec.per_user:
            users = self._by_user[spec.name]
            subs = users.get(sub.conn.user_id or "")
            if subs is not None:
                subs.pop(sub, None)
                if not subs:
                    del users[sub.conn.user_id or ""]
        elif sub.markets is None:
            self._all[spec.name].pop(sub, None)
        else:
            self.unindex_markets(sub, sub.markets)

    def index_markets(self, sub: Subscription, tickers: Iterable[str]) -> None:
        if sub.spec.per_user or sub.markets is None:
            return  # per-user subscriptions filter per message; "all" needs no index
        by_market = self._by_market[sub.spec.name]
        for ticker in tickers:
            by_market.setdefault(ticker, {})[sub] = None

    def unindex_markets(self, sub: Subscription, tickers: Iterable[str]) -> None:
        if sub.spec.per_user or sub.markets is None:
            return
        by_market = self._by_market[sub.spec.name]
        for ticker in tickers:
            subs = by_market.get(ticker)
            if subs is not None:
                subs.pop(sub, None)
                if not subs:
                    del by_market[ticker]

    # --- memory-based messages -------------------------------------------------------------

    def market_id(self, ticker: str) -> str:
        mid = self._ids.get(ticker)
        if mid is None:
            mid = self._ids[ticker] = render_market.market_id(self.queries.instance_id, ticker)
            self._tickers_by_id[mid] = ticker
        return mid

    def ticker_for_id(self, mid: str) -> str | None:
        """Return the market with this ``market_id``, or None."""
        if mid not in self._tickers_by_id and len(self._ids) < self.queries.market_count():
            for market in self.queries.markets():
                self.market_id(market.ticker)
        return self._tickers_by_id.get(mid)

    def send_snapshot(self, sub: Subscription, ticker: str) -> None:
        """Send the live book of one market on an orderbook subscription."""
        market = self.queries.market(ticker)
        assert market is not None, "subscriptions are checked against the listed markets"
        body = render_book.snapshot_message(market, self.market_id(ticker), sub.use_yes_price)
        sub.send(T_SNAPSHOT, body)

    def send_ticker(self, sub: Subscription, ticker: str) -> None:
        """Send the current ticker of one market (``send_initial_snapshot``)."""
        market = self.queries.market(ticker)
        if market is None:
            return
        state = render_market.ticker_state(market, self._last_size.get(ticker, 0))
        ts = max(market.updated_ns, market.last_trade_ns)
        sub.send(T_TICKER, render_market.ticker_message(ticker, self.market_id(ticker), state, ts))

    # --- the sequencer sink ----------------------------------------------------------------

    def on_applied(self, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        """Fan out one applied command's events (sequencer sink; never blocks).

        An exception here would stop the sequencer (fail-stop), so a fan-out bug is
        contained: every connection, whose streams may now have a hole, gets the terminal
        code 10 "Channel error" and is dropped; clients reconnect and resynchronise.
        """
        if outcome.reject is not None:
            return
        self._seq = seq
        try:
            self._fan_out(command, outcome)
        except Exception:
            log.exception("WebSocket fan-out failed at command %d; dropping every client", seq)
            for conn in list(self.connections):
                conn.drop(ErrorCode.CHANNEL_ERROR, 1011)

    def _fan_out(self, command: c.Command, outcome: Outcome[object]) -> None:
        if not self.connections:
            self._remember_quietly(outcome.events)
            return
        touched: dict[str, int] = {}
        if isinstance(command, c.Batch):
            for item, result in zip(command.items, batch_outcomes(outcome), strict=True):
                if result.reject is None:
                    self._apply_one(item, result, touched)
        else:
            self._apply_one(command, outcome, touched)
        for ticker, ts in touched.items():
            self._ticker_changed(ticker, ts)

    def _remember_quietly(self, events: list[Event]) -> None:
        # No connection at all (a headless exchange, a benchmark): nothing is sent, so keep
        # only what a later subscriber's first messages read, each market's last trade
        # size, and forget the ticker states of the markets touched. A forgotten state
        # counts as changed, so at worst a new subscriber gets one ticker that repeats its
        # snapshot. Dispatching every event for nobody cost 10-15 µs per order.
        last_size = self._last_size
        tickers = self._tickers
        for event in events:
            if isinstance(event, TradeEvent):
                last_size[event.ticker] = event.count_c
                tickers.pop(event.ticker, None)
            elif isinstance(event, (BookDelta, MarketUpdate)):
                tickers.pop(event.ticker, None)

    def _apply_one(
        self, command: c.Command, outcome: Outcome[object], touched: dict[str, int]
    ) -> None:
        # AddEvent answers True when it created the event (False: metadata refreshed).
        if isinstance(command, c.AddEvent):
            if outcome.value is True:
                self._event_created(command.event_ticker)
            self._event_fees(command.event_ticker)
        for event in outcome.events:
            self._dispatch(event, touched)

    def _dispatch(self, event: Event, touched: dict[str, int]) -> None:
        if isinstance(event, BookDelta):
            self._book_delta(event)
            touched[event.ticker] = event.ts_ns
        elif isinstance(event, TradeEvent):
            self._trade(event)
            touched[event.ticker] = event.ts_ns
        elif isinstance(event, FillEvent):
            self._fill(event)
        elif isinstance(event, OrderUpdate):
            self._order(event)
        elif isinstance(event, PositionUpdate):
            self._position(event)
        elif isinstance(event, OrderGroupUpdate):
            self._group(event)
        elif isinstance(event, MarketUpdate):
            self._lifecycle(event)
        elif isinstance(event, ApiKeyUpdate) and not event.active:
            self._revoked(event.api_key_id)

    def _market_subs(self, channel: str, ticker: str) -> list[Subscription]:
        subs = self._by_market[channel].get(ticker)
        everyone = self._all[channel]
        if subs is None:
            return list(everyone)
        return [*subs, *everyone] if everyone else list(subs)

    def _book_delta(self, delta: BookDelta) -> None:
        subs = self._by_market["orderbook_delta"].get(delta.ticker)
        if not subs:
            return
        mid = self.market_id(delta.ticker)
        bodies: dict[bool, bytes] = {}
        user, subaccount = delta.user_id, delta.subaccount
        # The hot loop of the feed: one format and one buffer append per subscriber.
        # Dropped connections leave these sets only after the loop (call_soon), so the
        # iteration is safe without a copy.
        for sub in subs:
            conn = sub.conn
            yes = sub.use_yes_price
            if conn.user_id == user and conn.sees(user, subaccount):
                body = render_book.delta_message(delta, mid, yes, True)
            else:
                body = bodies.get(yes) or bodies.setdefault(
                    yes, render_book.delta_message(delta, mid, yes, False)
                )
            sub.seq += 1
            conn.push(_DELTA % (sub.sid, sub.seq, body))
        self.deliveries += len(subs)

    def _ticker_changed(self, ticker: str, ts_ns: int) -> None:
        market = self.queries.market(ticker)
        if market is None:
            return
        state = render_market.ticker_state(market, self._last_size.get(ticker, 0))
        if self._tickers.get(ticker) == state:
            return
        self._tickers[ticker] = state
        subs = self._market_subs("ticker", ticker)
        if subs:
            body = render_market.ticker_message(ticker, self.market_id(ticker), state, ts_ns)
            for sub in subs:
                sub.send(T_TICKER, body)

    def _trade(self, trade: TradeEvent) -> None:
        self._last_size[trade.ticker] = trade.count_c
        subs = self._market_subs("trade", trade.ticker)
        if subs:
            body = render_trade.trade_message(trade, with_count=self.trade_count)
            for sub in subs:
                sub.send(T_TRADE, body)

    def _user_subs(self, channel: str, user_id: str, subaccount: int) -> list[Subscription]:
        subs = self._by_user[channel].get(user_id)
        if not subs:
            return []
        return [sub for sub in subs if sub.conn.sees(user_id, subaccount)]

    def _fill(self, fill: FillEvent) -> None:
        subs = self._user_subs("fill", fill.user_id, fill.subaccount)
        subs = [s for s in subs if s.covers(fill.ticker)]
        if subs:
            body = render_fill.fill_message(fill)
            for sub in subs:
                sub.send(T_FILL, body)

    def _order(self, update: OrderUpdate) -> None:
        subs = self._user_subs("user_orders", update.user_id, update.subaccount)
        subs = [s for s in subs if s.covers(update.ticker)]
        if subs:
            body = render_order.user_order_message(update)
            for sub in subs:
                sub.send(T_ORDER, body)

    def _position(self, update: PositionUpdate) -> None:
        subs = self._user_subs("market_positions", update.user_id, update.subaccount)
        subs = [s for s in subs if s.covers(update.ticker)]
        if subs:
            body = render_position.position_message(update)
            for sub in subs:
                sub.send(T_POSITION, body)

    def _group(self, update: OrderGroupUpdate) -> None:
        subs = self._user_subs("order_group_updates", update.user_id, update.subaccount)
        if subs:
            body = render_group.group_message(update)
            for sub in subs:
                sub.send(T_GROUP, body)

    def _revoked(self, api_key_id: str) -> None:
        for conn in [conn for conn in self.connections if conn.api_key_id == api_key_id]:
            self.revoked_drops += 1
            conn.drop(ErrorCode.AUTH_REQUIRED, 1008)

    def _lifecycle(self, update: MarketUpdate) -> None:
        market = self.queries.market(update.ticker)
        assert market is not None, "the read side lists a market before its lifecycle"
        if update.kind == "created":
            self._tickers[update.ticker] = render_market.ticker_state(market, 0)
        subs = list(self._all["market_lifecycle_v2"])
        if subs:
            body = render_market.lifecycle_message(market, update)
            if body is not None:
                for sub in subs:
                    sub.send(T_LIFECYCLE, body)

    def _event_created(self, event_ticker: str) -> None:
        subs = list(self._all["market_lifecycle_v2"])
        event = self.queries.event(event_ticker)
        if subs and event is not None:
            body = render_event.event_lifecycle_message(event)
            for sub in subs:
                sub.send(T_EVENT, body)

    def _event_fees(self, event_ticker: str) -> None:
        subs = list(self._all["market_lifecycle_v2"])
        if not subs:
            return
        event = self.queries.event(event_ticker)
        if event is not None and event.fee_changed_seq == self._seq:
            series = self.queries.series(event.series_ticker)
            body = render_event.event_fee_update_message(event, series)
            for sub in subs:
                sub.send(T_EVENT_FEE, body)

    async def stop(self) -> None:
        """Stop every connection's writer (the server closes the sockets)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        for conn in list(self.connections):
            await conn.close()
            self.disconnect(conn)
