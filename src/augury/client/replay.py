"""Replaying a recording into a running exchange as a market-making participant.

The replayer owns resting orders that reproduce each recorded book level: a YES bid level
of size s at p becomes bids of total size s at p, a NO bid level becomes asks (sells of
YES) at ``1 - q``. A snapshot re-levels every price; a delta places the increase or
decreases/cancels the replayer's orders at that price by the decrease. Between events it
sleeps ``(t - t_prev) / speed``. Recorded trades are not replayed (their counterparties
are not in the recording); bots trading against the replayed book make the trades.

Invariant: after each event, the replayer's resting size at every (market, side, price)
equals the recorded level (while nobody else trades against it).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from augury.client import endpoints as ep
from augury.client.errors import ApiError
from augury.client.models import wire
from augury.client.orders import BookSide, order_v2
from augury.client.sim.events import BookDelta, BookSnapshot, Event
from augury.client.sync import Client
from augury.client.units import count_str

__all__ = ["Replayer"]

ONE_CC = 10_000


class Replayer:
    """Mirrors recorded books with real orders on ``client``'s account."""

    def __init__(self, client: Client, sleep: Callable[[float], None], speed: float) -> None:
        self.client = client
        self.sleep = sleep
        self.speed = speed
        # (ticker, side, price_cc) -> [(order_id, size_c)]
        self.orders: defaultdict[tuple[str, str, int], list[tuple[str, int]]] = defaultdict(list)
        self.events = 0

    def run(self, events: Iterable[Event]) -> int:
        """Replay every book event; return how many were applied."""
        last_ns: int | None = None
        for event in events:
            if not isinstance(event, BookSnapshot | BookDelta):
                continue
            if last_ns is not None and event.ts_ns > last_ns and self.speed > 0:
                self.sleep((event.ts_ns - last_ns) / 1e9 / self.speed)
            last_ns = event.ts_ns
            if isinstance(event, BookSnapshot):
                self._snapshot(event)
            else:
                self._change(event.ticker, event.side, event.price_cc, event.delta_c)
            self.events += 1
        return self.events

    def _held(self, key: tuple[str, str, int]) -> int:
        return sum(size for _oid, size in self.orders[key])

    def _snapshot(self, event: BookSnapshot) -> None:
        wanted = {("yes", p): s for p, s in event.yes} | {("no", p): s for p, s in event.no}
        keys = {(side, price) for (t, side, price) in self.orders if t == event.ticker}
        for side, price in sorted(keys | set(wanted)):
            have = self._held((event.ticker, side, price))
            self._change(event.ticker, side, price, wanted.get((side, price), 0) - have)

    def _change(self, ticker: str, side: str, price_cc: int, delta_c: int) -> None:
        key = (ticker, side, price_cc)
        if delta_c > 0:
            book_side: BookSide = "bid" if side == "yes" else "ask"
            yes_price = price_cc if side == "yes" else ONE_CC - price_cc
            with contextlib.suppress(ApiError):
                made = self.client.create_order(order_v2(ticker, book_side, yes_price, delta_c))
                left = int(made.remaining_count.replace(".", ""))
                if left:
                    self.orders[key].append((made.order_id, left))
            return
        need = -delta_c
        while need > 0 and self.orders[key]:
            order_id, size = self.orders[key].pop()
            take = min(size, need)
            need -= take
            with contextlib.suppress(ApiError):
                if take == size:
                    self.client.cancel_order(order_id)
                else:
                    self.client.send(
                        ep.decrease_order_v2(
                            order_id, wire.DecreaseOrderV2Request(reduce_by=count_str(take))
                        )
                    )
                    self.orders[key].append((order_id, size - take))
