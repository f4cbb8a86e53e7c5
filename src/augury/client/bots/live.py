"""Running a bot on a live feed: paper (simulated fills) or live (real orders).

``run_bot`` subscribes the feed (books, trades, lifecycle) for the bot's markets, turns each
message into an event stamped with the clock, and hands it to the ``Runner``; a timer event
goes in every second. Paper mode uses the ``FillModel`` on the observed book (no order is
sent anywhere). Live mode uses :class:`LiveBroker`: real V2 orders with the runner's
client_order_ids, fills from the private ``fill`` channel.

Reconciliation (``LiveBroker.reconcile``, on start and after every reconnect): the
exchange's resting orders with this bot's client_order_id prefix are adopted (an order
whose create response was lost in transit is found here, never sent twice), open orders
the exchange no longer rests are closed, and fills of the bot's orders that the feed did
not deliver are booked once, deduplicated by fill id.

Shutdown: ``stop`` (a signal, the duration, or the kill file appearing) cancels every
resting order before returning.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from augury.client import endpoints as ep
from augury.client.bots.runner import Runner
from augury.client.clock import Clock
from augury.client.errors import ApiError, ConflictError, NotFoundError, TransportError
from augury.client.feed import FEED_CHANNELS, events_from
from augury.client.orders import order_v2
from augury.client.pagination import items
from augury.client.sim.events import Event, Timer
from augury.client.sim.fees import FeeSchedule
from augury.client.sim.fillmodel import SimFill, SimOrder
from augury.client.sync import Client
from augury.client.units import count_c, dollars_cc
from augury.client.ws.client import WsClient

__all__ = ["LiveBroker", "run_bot"]


class LiveBroker:
    """Real orders on a Kalshi-compatible exchange, tracked by client_order_id."""

    def __init__(self, client: Client, prefix: str, fees: Callable[[str], FeeSchedule]) -> None:
        self.client = client
        self.prefix = prefix
        self.fees = fees
        self.orders: dict[str, SimOrder] = {}
        self.order_ids: dict[str, str] = {}  # client_order_id -> exchange order id
        self.seen_fills: set[str] = set()
        self._fills: list[SimFill] = []
        self.unknown: set[str] = set()  # creates whose outcome was lost

    def submit(self, order: SimOrder, ts_ns: int) -> None:
        self.orders[order.client_order_id] = order
        request = order_v2(
            order.ticker,
            "bid" if order.side == "bid" else "ask",
            order.price_cc,
            order.count_c,
            time_in_force=order.time_in_force,  # type: ignore[arg-type]
            client_order_id=order.client_order_id,
        )
        try:
            made = self.client.create_order(request)
        except ConflictError:
            self.unknown.add(order.client_order_id)  # already exists: reconcile adopts it
            return
        except (TransportError, ApiError) as exc:
            if isinstance(exc, TransportError) or exc.status >= 500:
                self.unknown.add(order.client_order_id)
            else:
                order.status = "canceled"
            return
        self.order_ids[order.client_order_id] = made.order_id
        order.status = "resting" if count_c(made.remaining_count) else "executed"

    def cancel(self, client_order_id: str, ts_ns: int) -> None:
        order_id = self.order_ids.get(client_order_id)
        order = self.orders.get(client_order_id)
        if order_id is None or order is None or order.status != "resting":
            return
        with contextlib.suppress(NotFoundError):
            self.client.cancel_order(order_id)
        order.status = "canceled"

    def on_event(self, event: Event) -> list[SimFill]:
        return []

    def advance(self, ts_ns: int) -> list[SimFill]:
        fills, self._fills = self._fills, []
        return fills

    def resting(self, ticker: str | None = None) -> list[SimOrder]:
        return [
            o
            for o in self.orders.values()
            if o.status in ("pending", "resting") and (ticker is None or o.ticker == ticker)
        ]

    def on_fill_message(self, msg: dict[str, Any], ts_ns: int) -> None:
        """Queue a fill from the private ``fill`` channel (deduplicated by fill id)."""
        self._queue_fill(
            msg.get("trade_id", ""),
            msg.get("order_id", ""),
            msg.get("client_order_id"),
            msg["market_ticker"],
            msg["book_side"],
            dollars_cc(msg["yes_price_dollars"]),
            count_c(msg["count_fp"]),
            bool(msg["is_taker"]),
            dollars_cc(msg["fee_cost"]),
            ts_ns,
        )

    def _queue_fill(
        self,
        fill_id: str,
        order_id: str,
        coid: str | None,
        ticker: str,
        side: str,
        price_cc: int,
        size_c: int,
        taker: bool,
        fee_cc: int,
        ts_ns: int,
        adjust: bool = True,
    ) -> None:
        if not coid:
            coid = next((c for c, o in self.order_ids.items() if o == order_id), None)
        if coid is None or coid not in self.orders or fill_id in self.seen_fills:
            return
        self.seen_fills.add(fill_id)
        order = self.orders[coid]
        if adjust:  # a reconciled fill is already in the exchange's remaining count
            order.remaining_c = max(0, order.remaining_c - size_c)
            if not order.remaining_c:
                order.status = "executed"
        self._fills.append(
            SimFill(fill_id, coid, ticker, side, price_cc, size_c, taker, fee_cc, ts_ns)
        )

    def reconcile(self, ts_ns: int) -> dict[str, int]:
        """Match the exchange's orders and fills to ours (see the module docstring)."""
        adopted = closed = booked = 0
        server: dict[str, Any] = {}
        for order in items(
            self.client.send, lambda cur: ep.get_orders(cursor=cur, limit=1000), "orders"
        ):
            if order.client_order_id.startswith(self.prefix):
                server[order.client_order_id] = order
        for coid, found in server.items():
            if coid not in self.order_ids:
                self.order_ids[coid] = found.order_id
                adopted += 1
            mine = self.orders.get(coid)
            if mine is None:
                mine = self.orders[coid] = SimOrder(
                    coid,
                    found.ticker,
                    found.book_side,
                    dollars_cc(found.yes_price_dollars),
                    count_c(found.initial_count_fp),
                )
            mine.remaining_c = count_c(found.remaining_count_fp)
            if mine.status in ("pending", "resting") and found.status != "resting":
                closed += 1  # filled or cancelled while we were not looking
            mine.status = found.status
            self.unknown.discard(coid)
        for coid in list(self.unknown):
            self.orders[coid].status = "canceled"  # never reached the exchange
            self.unknown.discard(coid)
            closed += 1
        for coid, order in self.orders.items():
            if order.status == "resting" and coid not in server:
                order.status = "canceled"
                closed += 1
        by_order = {oid: coid for coid, oid in self.order_ids.items()}
        for fill in items(
            self.client.send, lambda cur: ep.get_fills(cursor=cur, limit=1000), "fills"
        ):
            owner = by_order.get(fill.order_id)
            if owner is None or fill.fill_id in self.seen_fills:
                continue
            before = len(self._fills)
            self._queue_fill(
                fill.fill_id,
                fill.order_id,
                owner,
                fill.ticker,
                fill.book_side,
                dollars_cc(fill.yes_price_dollars),
                count_c(fill.count_fp),
                fill.is_taker,
                dollars_cc(fill.fee_cost),
                ts_ns,
                adjust=False,
            )
            booked += len(self._fills) - before
        return {"adopted": adopted, "closed": closed, "booked": booked}


async def run_bot(
    runner: Runner,
    ws: WsClient,
    tickers: list[str],
    clock: Clock,
    *,
    live: LiveBroker | None = None,
    stop: asyncio.Event | None = None,
    kill_file: Path | None = None,
    duration_s: float | None = None,
    tick_s: float = 1.0,
) -> None:
    """Drive ``runner`` from the feed until ``stop`` is set, the duration ends or a kill."""
    stop = stop or asyncio.Event()
    channels = list(FEED_CHANNELS)
    await ws.subscribe(channels[:2], tickers)
    await ws.subscribe(channels[2:])
    if live is not None:
        await ws.subscribe(["fill"])
        ws.on("fill", lambda m: live.on_fill_message(m["msg"], clock.now_ns()))

        def reconcile() -> None:
            found = live.reconcile(clock.now_ns())
            runner.log("reconcile", **found)
            runner.on_event(Timer(clock.now_ns()))

        ws.on_connect.append(reconcile)
    feed = asyncio.ensure_future(ws.run())
    started = clock.now_ns()

    def handle(message: dict[str, Any]) -> None:
        for event in events_from(message, clock.now_ns()):
            if getattr(event, "ticker", None) in tickers or not hasattr(event, "ticker"):
                runner.on_event(event)

    ws.on("*", handle)
    try:
        while not stop.is_set() and not runner.stopped:
            # asyncio.timeout, not wait_for (3.11's wait_for can swallow a cancel).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(tick_s):
                    await stop.wait()
            runner.on_event(Timer(clock.now_ns()))
            if kill_file is not None and kill_file.exists():  # noqa: ASYNC240 (a stat per second)
                runner.kill("kill file")
            if duration_s is not None and clock.now_ns() - started >= duration_s * 1e9:
                break
    finally:
        runner.stop("shutdown")
        await ws.close()
        feed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feed
