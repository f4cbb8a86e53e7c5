"""Protections: stop-loss and take-profit on a position, fired by a trigger service.

A protection watches one user's position in one option. Thresholds are probabilities of
the HELD side in basis points (5000 = 50%): a stop-loss fires when that side's price falls
to or below ``stop_loss_bps``, a take-profit when it rises to or above
``take_profit_bps``. The price looked at is the last trade and the book's mid, after every
sequencer batch that traded in or changed the book of that option: either one crossing
fires it.

Firing, exactly once:

1. the row becomes ``firing`` (with the trigger and price) and that commit is awaited;
2. a reduce-only immediate-or-cancel SELL of the whole position at any price (1¢) goes
   through the sequencer with ``client_order_id = "prot-" + id``;
3. the row becomes ``fired`` with the order id and filled size, and the user is notified,
   in one transaction.

A restart finds rows still ``firing`` and submits the same command again: the engine
refuses a second order with that client order id, so the sell happens once whatever the
moment of the crash. A protection is cancelled when its position closes (or flips side)
by any other means; one position has at most one live protection (setting again replaces
it).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.events import BookDelta, OrderUpdate, PositionUpdate, TradeEvent
from augury.engine.exchange import Outcome
from augury.platform import render
from augury.platform import schemas as s
from augury.platform.db import Tx
from augury.platform.http import PlatformError
from augury.platform.notify import Note
from augury.platform.trading import OrderIntent, place_command, yes_mark_cc

if TYPE_CHECKING:
    from augury.platform.service import Platform

__all__ = ["ProtectionRow", "Protections"]

log = logging.getLogger(__name__)

_COLUMNS = (
    "protection_id, user_id, ticker, held_side, stop_loss_bps, take_profit_bps, status, "
    "trigger, trigger_price_cc, order_id, filled_c, created_ns, updated_ns"
)
_LIVE = ("active", "firing")


@dataclass(frozen=True, slots=True)
class ProtectionRow:
    protection_id: str
    user_id: str
    ticker: str
    held_side: str  # yes | no
    stop_loss_bps: int | None
    take_profit_bps: int | None
    status: str
    trigger: str | None
    trigger_price_cc: int | None
    order_id: str | None
    filled_c: int | None
    created_ns: int
    updated_ns: int

    def wire(self) -> s.Protection:
        return s.Protection(
            id=self.protection_id,
            stop_loss_prob_bps=self.stop_loss_bps,
            take_profit_prob_bps=self.take_profit_bps,
            status=self.status,
            trigger=self.trigger,
            order_id=self.order_id,
            created_at=render.iso(self.created_ns) or "",
            updated_at=render.iso(self.updated_ns) or "",
        )

    def crossed(self, held_price_cc: int) -> str | None:
        """Return which threshold a held-side price crosses, if any."""
        if self.stop_loss_bps is not None and held_price_cc <= self.stop_loss_bps:
            return "stop_loss"
        if self.take_profit_bps is not None and held_price_cc >= self.take_profit_bps:
            return "take_profit"
        return None


def _save(tx: Tx, row: ProtectionRow) -> None:
    tx.exec(
        f"INSERT INTO platform_protections ({_COLUMNS}) VALUES ({', '.join('?' * 13)}) "  # noqa: S608
        "ON CONFLICT (protection_id) DO UPDATE SET status = excluded.status, "
        "trigger = excluded.trigger, trigger_price_cc = excluded.trigger_price_cc, "
        "order_id = excluded.order_id, filled_c = excluded.filled_c, "
        "updated_ns = excluded.updated_ns",
        (
            row.protection_id,
            row.user_id,
            row.ticker,
            row.held_side,
            row.stop_loss_bps,
            row.take_profit_bps,
            row.status,
            row.trigger,
            row.trigger_price_cc,
            row.order_id,
            row.filled_c,
            row.created_ns,
            row.updated_ns,
        ),
    )


class Protections:
    """The trigger service and the rows behind it."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.live: dict[str, ProtectionRow] = {}  # protection id -> row (active or firing)
        self._by_ticker: dict[str, set[str]] = {}
        self._by_position: dict[tuple[str, str], str] = {}
        self._pending: set[asyncio.Task[None]] = set()

    # --- the index ------------------------------------------------------------------------

    def _index(self, row: ProtectionRow) -> None:
        self.live[row.protection_id] = row
        self._by_ticker.setdefault(row.ticker, set()).add(row.protection_id)
        self._by_position[(row.user_id, row.ticker)] = row.protection_id

    def _unindex(self, row: ProtectionRow) -> None:
        self.live.pop(row.protection_id, None)
        self._by_ticker.get(row.ticker, set()).discard(row.protection_id)
        if self._by_position.get((row.user_id, row.ticker)) == row.protection_id:
            del self._by_position[(row.user_id, row.ticker)]

    async def load(self) -> None:
        rows = await self.platform.db.read(
            lambda tx: tx.all(
                f"SELECT {_COLUMNS} FROM platform_protections "  # noqa: S608
                "WHERE status IN ('active', 'firing')"
            )
        )
        for raw in rows:
            self._index(ProtectionRow(*raw))

    async def resume(self) -> None:
        """Finish every protection a previous run left ``firing`` (same client order id)."""
        for row in list(self.live.values()):
            if row.status == "firing":
                await self._execute(row)

    # --- the API --------------------------------------------------------------------------

    async def for_user(self, user_id: str) -> dict[str, s.Protection]:
        return {row.ticker: row.wire() for row in self.live.values() if row.user_id == user_id}

    async def set(
        self, user_id: str, ticker: str, stop_bps: int | None, take_bps: int | None
    ) -> ProtectionRow:
        """Protect a position (replacing its live protection, if any)."""
        if stop_bps is None and take_bps is None:
            raise PlatformError(400, "give stopLossProbBps, takeProfitProbBps, or both")
        if stop_bps is not None and take_bps is not None and stop_bps >= take_bps:
            raise PlatformError(400, "stopLossProbBps must be below takeProfitProbBps")
        reads = self.platform.reads
        position = reads.position(user_id, ticker)
        if position is None or position.position_c == 0 or position.settled:
            raise PlatformError(404, "no such open position")
        held = "yes" if position.position_c > 0 else "no"
        price = self._held_price(ticker, held)
        if price is not None:
            if stop_bps is not None and price <= stop_bps:
                raise PlatformError(
                    400, f"the stop-loss is at or above the price now ({price} bps)"
                )
            if take_bps is not None and price >= take_bps:
                raise PlatformError(
                    400, f"the take-profit is at or below the price now ({price} bps)"
                )
        previous_id = self._by_position.get((user_id, ticker))
        previous = self.live.get(previous_id) if previous_id else None
        if previous is not None and previous.status == "firing":
            raise PlatformError(409, "this position's protection is firing")
        now = self.platform.clock.now_ns()
        row = ProtectionRow(
            "prot_" + secrets.token_hex(8),
            user_id,
            ticker,
            held,
            stop_bps,
            take_bps,
            "active",
            None,
            None,
            None,
            None,
            now,
            now,
        )

        def write(tx: Tx) -> None:
            if previous is not None:
                _save(tx, replace(previous, status="cancelled", updated_ns=now))
            _save(tx, row)

        await self.platform.db.run(write)
        if previous is not None:
            self._unindex(previous)
        self._index(row)
        return row

    async def cancel(self, user_id: str, ticker: str) -> bool:
        """Cancel a position's live protection; False if it has none."""
        pid = self._by_position.get((user_id, ticker))
        row = self.live.get(pid) if pid else None
        if row is None or row.status != "active":
            return False
        await self._finish(
            replace(row, status="cancelled", updated_ns=self.platform.clock.now_ns())
        )
        return True

    # --- the trigger service ---------------------------------------------------------------

    def _held_price(self, ticker: str, held: str) -> int | None:
        market = self.platform.reads.market(ticker)
        if market is None:
            return None
        yes = yes_mark_cc(market.yes_bid_cc, market.yes_ask_cc, market.last_price_cc)
        if yes is None:
            return None
        return yes if held == "yes" else 10_000 - yes

    def on_applied(self, _seq: int, _command: c.Command, outcome: Outcome[object]) -> None:
        """Look at one applied command (on the loop, in sequence order)."""
        if not self.live:
            return
        touched: dict[str, int | None] = {}
        for event in outcome.events:
            if isinstance(event, TradeEvent):
                touched[event.ticker] = event.price_cc
            elif isinstance(event, BookDelta):
                touched.setdefault(event.ticker, None)
            elif isinstance(event, PositionUpdate):
                self._position_changed(event)
            elif isinstance(event, OrderUpdate) and event.ticker in self._by_ticker:
                touched.setdefault(event.ticker, None)
        for ticker, last_trade in touched.items():
            for pid in list(self._by_ticker.get(ticker, ())):
                row = self.live.get(pid)
                if row is not None and row.status == "active":
                    self._check(row, last_trade)

    def _position_changed(self, event: PositionUpdate) -> None:
        if event.subaccount != 0:
            return
        pid = self._by_position.get((event.user_id, event.ticker))
        row = self.live.get(pid) if pid else None
        if row is None or row.status != "active":
            return
        held = event.position_c if row.held_side == "yes" else -event.position_c
        if held <= 0 or event.settled:
            closed = replace(row, status="cancelled", updated_ns=event.ts_ns)
            self._unindex(row)
            self._spawn(self._finish(closed))

    def _check(self, row: ProtectionRow, last_trade_cc: int | None) -> None:
        prices = []
        if last_trade_cc is not None:
            prices.append(last_trade_cc if row.held_side == "yes" else 10_000 - last_trade_cc)
        mid = self._held_price(row.ticker, row.held_side)
        if mid is not None:
            prices.append(mid)
        for price in prices:
            trigger = row.crossed(price)
            if trigger is not None:
                firing = replace(
                    row,
                    status="firing",
                    trigger=trigger,
                    trigger_price_cc=price,
                    updated_ns=self.platform.clock.now_ns(),
                )
                # In memory at once, so no later batch can fire it a second time.
                self._index(firing)
                self._spawn(self._fire(firing))
                return

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _fire(self, row: ProtectionRow) -> None:
        try:
            await self.platform.db.run(lambda tx: _save(tx, row))
            await self._execute(row)
        except Exception:
            log.exception("protection %s failed to fire; a restart retries it", row.protection_id)

    async def _execute(self, row: ProtectionRow) -> None:
        position = self.platform.reads.position(row.user_id, row.ticker)
        held_c = 0
        if position is not None:
            held_c = position.position_c if row.held_side == "yes" else -position.position_c
        side: s.Side = "YES" if row.held_side == "yes" else "NO"
        # Reduce-only caps the size at what is held; the count only has to be positive.
        intent = OrderIntent(row.user_id, row.ticker, side, "SELL", max(held_c, 100), 1)
        command = place_command(
            intent, immediate=True, reduce_only=True, client_order_id="prot-" + row.protection_id
        )
        outcome = await self.platform.submit(command)
        order_id: str | None = None
        filled = 0
        if outcome.reject is None:
            assert isinstance(outcome.value, OrderUpdate)
            order_id, filled = outcome.value.order_id, outcome.value.fill_c
        elif outcome.reject.reason is RejectReason.ORDER_ALREADY_EXISTS:
            # Placed before a restart: the engine kept its client order id.
            order_id = await self.platform.reads.order_for_client_id(
                row.user_id, command.client_order_id or ""
            )
            record = await self.platform.reads.order(order_id) if order_id else None
            filled = record.fill_c if record else 0
        else:
            log.info("protection %s: %s", row.protection_id, outcome.reject.message)
        done = replace(
            row,
            status="fired",
            order_id=order_id,
            filled_c=filled,
            updated_ns=self.platform.clock.now_ns(),
        )
        note = Note(
            row.user_id,
            "protection",
            {
                "optionId": row.ticker,
                "protectionId": row.protection_id,
                "trigger": row.trigger,
                "priceBps": row.trigger_price_cc,
                "orderId": order_id,
                "filledQuantityCentis": filled,
            },
            0,
            done.updated_ns,
        )
        notifier = self.platform.notifier

        def write(tx: Tx) -> None:
            _save(tx, done)
            notifier.add(tx, note)

        await self.platform.db.run(write)
        notifier.on_deliveries()
        self._unindex(row)

    async def _finish(self, row: ProtectionRow) -> None:
        await self.platform.db.run(lambda tx: _save(tx, row))
        self._unindex(row)

    async def drain(self) -> None:
        """Wait for protections being fired or cancelled right now (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
