"""Live pages: one server-sent event stream per page, fed by the sequencer's events.

``GET /live?m=TICKER`` opens the stream of one page. It is authenticated by the session
cookie (signed out, a page only gets public market events). What it carries, as HTML the
server rendered (htmx's SSE extension swaps it into the element whose ``sse-swap`` names
the event):

- ``book``, ``tape``, ``stats`` for the page's market, after every command that changed
  its book or traded in it, rendered once per market and shared by every subscriber;
- ``trade``: a signal that the chart's candles changed (the page's script fetches them);
- ``mine``: the viewer's position and open orders in that market, after any event of
  theirs;
- ``badge``: the viewer's unread-notification count, after the platform has written the
  notifications of their events (the notifier calls back once its rows are committed);
- ``portfolio``: a signal for the portfolio page to refresh its sections.

Flow control: the hub only marks markets and users dirty on the sequencer's callback (no
I/O on the sequencer's path); one flusher task renders what is dirty at most every
``FLUSH_INTERVAL_S`` and queues it. Each stream has a bounded queue (``QUEUE_MAX``
messages): a stream that falls behind is closed, and the browser's ``EventSource``
reconnects and is sent everything fresh. At most ``STREAMS_MAX`` streams are open at
once (503 past it) and ``STREAMS_PER_VIEWER_MAX`` per session or address (429 past it).
A comment line is sent every ``HEARTBEAT_S`` so proxies keep the stream open.

Sessions end mid-stream (logout elsewhere, a password change, the account suspended, the
session expiring): before every flush, the hub checks the sessions of all its signed-in
streams in one query and closes the streams whose session is gone, so nothing more of the
account reaches them; an idle stream is checked at its heartbeat. The browser reconnects
and is then served as whoever its cookie now names (signed out: public market data only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from augury.engine import commands as c
from augury.engine.events import (
    BookDelta,
    CashMovement,
    FillEvent,
    MarketUpdate,
    OrderUpdate,
    PositionUpdate,
    SettlementEvent,
    TradeEvent,
)
from augury.engine.exchange import Outcome
from augury.platform import credentials
from augury.platform.http import PlatformError, client_address
from augury.web.session import Viewer, platform_of, viewer_of

if TYPE_CHECKING:
    from augury.web.app import Web

__all__ = ["LiveHub", "routes"]

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.15
QUEUE_MAX = 64
STREAMS_MAX = 1_000
STREAMS_PER_VIEWER_MAX = 8
HEARTBEAT_S = 15.0
_TICKER_MAX_CHARS = 100


@dataclass(eq=False)
class Stream:
    """One open page."""

    request: Request
    viewer: Viewer | None
    ticker: str | None
    key: str
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_MAX))
    closed: bool = False

    def push(self, event: str, html: str) -> None:
        if self.closed:
            return
        lines = html.splitlines() or [""]
        message = f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.close()  # too slow: the browser reconnects and gets a fresh state

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)


class LiveHub:
    """Marks what changed on the sequencer's callback; a flusher renders and pushes it."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.streams: set[Stream] = set()
        self._markets: set[str] = set()
        self._users: set[str] = set()
        self._badges: set[str] = set()
        self._noted_pending: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # The operator's orders/s: orders sequenced since the hub started, sampled.
        self.orders_placed = 0
        self._rate_sample: tuple[int, int] | None = None

    # --- joining the exchange (on the first stream) ------------------------------------

    def _start(self, request: Request) -> None:
        if self._task is not None:
            return
        platform = platform_of(request)
        self._loop = asyncio.get_running_loop()
        platform.context.runtime.sequencer.subscribe(self.on_applied)
        previous = platform.notifier.on_deliveries

        def noted() -> None:  # the notifier's rows are committed (any thread)
            previous()
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._notes_written)

        platform.notifier.on_deliveries = noted
        self._task = self._loop.create_task(self._flusher(), name="web-live")

    async def stop(self) -> None:
        for stream in list(self.streams):
            stream.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # --- the sequencer's side: mark, never render ---------------------------------------

    def on_applied(self, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        self.orders_placed += _orders_in(command)
        if not self.streams:
            return
        for event in outcome.events:
            if isinstance(event, (BookDelta, TradeEvent, MarketUpdate)):
                self._markets.add(event.ticker)
            if isinstance(
                event, (OrderUpdate, FillEvent, PositionUpdate, SettlementEvent, CashMovement)
            ):
                self._users.add(event.user_id)
                self._noted_pending.add(event.user_id)
        if self._markets or self._users:
            self._wake.set()

    def orders_rate(self, now_ns: int) -> str:
        """Orders per second since the previous call (a decimal string, one place)."""
        sample, self._rate_sample = self._rate_sample, (now_ns, self.orders_placed)
        if sample is None or now_ns <= sample[0]:
            return "—"
        per_s_x10 = (self.orders_placed - sample[1]) * 10_000_000_000 // (now_ns - sample[0])
        return f"{per_s_x10 // 10}.{per_s_x10 % 10}"

    def _notes_written(self) -> None:
        self._badges |= self._noted_pending
        self._noted_pending = set()
        self._wake.set()

    # --- the flusher ---------------------------------------------------------------------

    async def _flusher(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(FLUSH_INTERVAL_S)  # coalesce a burst into one render
            markets, users, badges = self._markets, self._users, self._badges
            self._markets, self._users, self._badges = set(), set(), set()
            try:
                await self._flush(markets, users, badges)
            except Exception:
                log.exception("live page update failed")

    async def close_ended(self, streams: list[Stream] | None = None) -> None:
        """Close the signed-in streams (of ``streams``, default all) whose session has
        ended or whose account is no longer active: one query for all of them."""
        signed = [s for s in (self.streams if streams is None else streams) if s.viewer]
        if not signed:
            return
        platform = platform_of(signed[0].request)
        hashes = sorted({s.viewer.session_hash for s in signed if s.viewer})
        now_ns = platform.clock.now_ns()
        alive = await platform.db.read(lambda tx: credentials.live_sessions(tx, hashes, now_ns))
        for stream in signed:
            if stream.viewer and stream.viewer.session_hash not in alive:
                self.close(stream)

    async def session_ended(self, stream: Stream) -> bool:
        """Check one (idle) stream's session; close the stream and say so if it ended."""
        await self.close_ended([stream])
        return stream not in self.streams

    async def _flush(self, markets: set[str], users: set[str], badges: set[str]) -> None:
        await self.close_ended()
        for ticker in markets:
            watchers = [s for s in self.streams if s.ticker == ticker]
            if watchers:
                await self._push_market(watchers, ticker)
        for stream in list(self.streams):
            user = stream.viewer.user_id if stream.viewer else None
            if user is None:
                continue
            if user in users:
                await self._push_mine(stream)
            if user in badges:
                await self._push_badge(stream)

    async def _push_market(self, watchers: list[Stream], ticker: str) -> None:
        from augury.web.pages import trade

        request = watchers[0].request
        market = platform_of(request).reads.market(ticker)
        if market is None:
            return
        templates = self.web.templates
        book = templates.render_text(
            "partials/book.html", {"book": trade.book_context(request, ticker)}
        )
        tape = templates.render_text(
            "partials/tape.html", {"tape": await trade.tape_context(request, ticker)}
        )
        changes = await _changes(request, ticker)
        stats = templates.render_text(
            "partials/stats.html",
            {"stats": trade.stats_context(request, market, changes.get(ticker))},
        )
        for stream in watchers:
            stream.push("book", book)
            stream.push("tape", tape)
            stream.push("stats", stats)
            stream.push("trade", str(market.last_price_cc))

    async def _push_mine(self, stream: Stream) -> None:
        from augury.web.pages import trade

        stream.push("portfolio", "changed")
        if stream.ticker is None:
            return
        mine = await trade.mine_context(stream.request, stream.viewer, stream.ticker)
        stream.push("mine", self.web.templates.render_text("partials/mine.html", {"mine": mine}))

    async def _push_badge(self, stream: Stream) -> None:
        from augury.web.pages.common import unread_count

        assert stream.viewer is not None
        unread = await unread_count(stream.request, stream.viewer)
        stream.push(
            "badge", self.web.templates.render_text("partials/badge.html", {"unread": unread})
        )

    # --- the stream endpoint -------------------------------------------------------------

    def open(self, request: Request, viewer: Viewer | None, ticker: str | None) -> Stream:
        if len(self.streams) >= STREAMS_MAX:
            raise PlatformError(503, "too many live pages open; try again shortly")
        key = viewer.session_hash if viewer else "a:" + client_address(request)
        if sum(1 for s in self.streams if s.key == key) >= STREAMS_PER_VIEWER_MAX:
            raise PlatformError(429, f"at most {STREAMS_PER_VIEWER_MAX} live pages at once")
        self._start(request)
        stream = Stream(request, viewer, ticker, key)
        self.streams.add(stream)
        # A (re)connected page may have missed updates: send it everything fresh.
        if ticker is not None:
            self._markets.add(ticker)
        if viewer is not None:
            self._users.add(viewer.user_id)
            self._badges.add(viewer.user_id)
        self._wake.set()
        return stream

    def close(self, stream: Stream) -> None:
        stream.close()
        self.streams.discard(stream)


def _orders_in(command: c.Command) -> int:
    if isinstance(command, c.PlaceOrder):
        return 1
    if isinstance(command, c.Batch):
        return sum(1 for item in command.items if isinstance(item, c.PlaceOrder))
    return 0


async def _changes(request: Request, ticker: str) -> dict[str, int]:
    platform = platform_of(request)
    market = platform.reads.market(ticker)
    if market is None:
        return {}
    before = await platform.reads.last_prices_before(
        [ticker], platform.clock.now_ns() - 86_400 * 1_000_000_000
    )
    from augury.platform.endpoints.markets import option_wire

    price = option_wire(market).yes_price_cents
    then = before.get(ticker)
    return {} if price is None or then is None else {ticker: price - then // 100}


async def live_stream(request: Request) -> Response:
    from augury.web.app import web_of

    ticker = request.query_params.get("m") or None
    if ticker is not None and (
        len(ticker) > _TICKER_MAX_CHARS or platform_of(request).reads.market(ticker) is None
    ):
        raise PlatformError(404, "There is no such market.")
    viewer = await viewer_of(request)
    if viewer is None and ticker is None:
        raise PlatformError(401, "sign in for a live feed of your own account")
    hub = web_of(request).live
    stream = hub.open(request, viewer, ticker)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\n\n"
            while not stream.closed:
                try:
                    # asyncio.timeout, not wait_for (3.11's wait_for can swallow a cancel).
                    async with asyncio.timeout(HEARTBEAT_S):
                        message = await stream.queue.get()
                except TimeoutError:
                    if await hub.session_ended(stream):
                        break
                    yield ": ping\n\n"
                    continue
                if message is None:
                    break
                yield message
        finally:
            hub.close(stream)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


routes = [Route("/live", live_stream, methods=["GET"])]
