"""Notifications and webhook deliveries, derived from the exchange's events.

What makes a notification (for platform users only): a fill, a settlement, an order the
exchange cancelled (expiry, market close or pause, self-trade, order group), a deposit or
withdrawal, and a protection that fired (written by ``platform.protections``). Each user
can turn each kind off (preferences); the webhook deliveries for a subscription follow
the subscription's own kinds, whatever the preferences say.

Consistency with the journal: the sequencer hands every applied batch to ``on_batch`` on
the event loop; the derived rows are queued to the platform's single database thread
(never blocking the loop) and written in ONE transaction together with the watermark
``platform.seq`` (the last command they cover). A batch whose write fails is retried with
the next one (both in one transaction), so the watermark never moves past notes that were
not written. After a crash, recovery replays the
commands past the watermark through ``replay`` and the rows are derived again, so a
webhook is delivered at least once for every journaled event. Rows are derived from
events only (never from engine memory), so replay derives the same ones.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from augury.api.schemas.base import rfc3339_from_ns
from augury.engine import commands as c
from augury.engine.events import CashMovement, FillEvent, OrderUpdate, SettlementEvent
from augury.engine.exchange import Outcome
from augury.platform.db import PlatformDb, Tx
from augury.platform.fees import fill_fee_cents

__all__ = ["EXCHANGE_CANCEL_REASONS", "Note", "Notifier"]

log = logging.getLogger(__name__)

EXCHANGE_CANCEL_REASONS = frozenset(
    {
        "expired",
        "market_closed",
        "trading_paused",
        "market_reactivated",
        "exchange_paused",
        "fee_changed",
        "self_trade_maker",
        "order_group_triggered",
    }
)
_WATERMARK = "platform.seq"


@dataclass(frozen=True, slots=True)
class Note:
    """One thing to tell one user: a notification and the webhook deliveries it causes."""

    user_id: str
    kind: str
    payload: dict[str, Any]
    seq: int
    ts_ns: int


def _fees_before(events: Sequence[object]) -> dict[str, int]:
    """Each order's exact fees before this command's fills of it (decision 0041): its
    last ``OrderUpdate`` here carries the total after them."""
    after: dict[str, int] = {}
    here: dict[str, int] = {}
    for event in events:
        if isinstance(event, OrderUpdate):
            after[event.order_id] = event.taker_fees_cc + event.maker_fees_cc
        elif isinstance(event, FillEvent):
            here[event.order_id] = here.get(event.order_id, 0) + event.fee_cc
            after.pop(event.order_id, None)  # only an update after its fills has the total
    return {order: max(after.get(order, fees) - fees, 0) for order, fees in here.items()}


def _fill_payload(event: FillEvent, fee_cents: int) -> dict[str, Any]:
    side = "NO" if event.legacy_side == "no" else "YES"
    price = event.price_cc if side == "YES" else 10_000 - event.price_cc
    return {
        "optionId": event.ticker,
        "orderId": event.order_id,
        "fillId": event.fill_id,
        "side": side,
        "action": "SELL" if event.legacy_action == "sell" else "BUY",
        "quantityCentis": event.count_c,
        "priceBps": price,
        "feeCents": fee_cents,
    }


def derive(members: set[str], seq: int, outcome: Outcome[object], ts_ns: int) -> list[Note]:
    """Return the notes one applied command causes for platform users."""
    notes: list[Note] = []
    fees_before: dict[str, int] | None = None
    for event in outcome.events:
        user = getattr(event, "user_id", None)
        if user is None or user not in members:
            continue
        if isinstance(event, FillEvent):
            if fees_before is None:
                fees_before = _fees_before(outcome.events)
            before = fees_before.get(event.order_id, 0)
            fees_before[event.order_id] = before + event.fee_cc
            fee_cents = fill_fee_cents(before, event.fee_cc)
            notes.append(Note(user, "fill", _fill_payload(event, fee_cents), seq, ts_ns))
        elif isinstance(event, SettlementEvent):
            payload = {
                "optionId": event.ticker,
                "result": event.result,
                "revenueCents": event.revenue_cc // 100,
            }
            notes.append(Note(user, "settlement", payload, seq, ts_ns))
        elif (
            isinstance(event, OrderUpdate)
            and event.status == "canceled"
            and event.reason in EXCHANGE_CANCEL_REASONS
        ):
            payload = {"optionId": event.ticker, "orderId": event.order_id, "reason": event.reason}
            notes.append(Note(user, "order_cancelled", payload, seq, ts_ns))
        elif isinstance(event, CashMovement) and event.kind in ("deposit", "withdrawal"):
            payload = {"amountCents": event.amount_cc // 100, "reference": event.transfer_id}
            notes.append(Note(user, event.kind, payload, seq, ts_ns))
    return notes


class Notifier:
    """Writes notes (notifications + webhook deliveries) behind the sequencer."""

    def __init__(self, db: PlatformDb, watermark: int) -> None:
        self.db = db
        self.watermark = watermark
        self.members: set[str] = set()
        self.muted: dict[str, frozenset[str]] = {}
        # user id -> [(webhook id, kinds or empty for all)]
        self.webhooks: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self.on_deliveries: Callable[[], None] = lambda: None
        self._replayed: list[Note] = []
        self._replay_last = 0
        # Batches whose write failed, oldest first (touched on the platform thread only).
        self._unwritten: list[tuple[list[Note], int]] = []
        self.closed = False

    async def load(self) -> None:
        def load(tx: Tx) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            muted = tx.all("SELECT user_id, muted_kinds FROM platform_users")
            hooks = tx.all("SELECT webhook_id, user_id, kinds FROM platform_webhooks")
            return muted, hooks

        muted, hooks = await self.db.read(load)
        self.muted = {str(u): frozenset(str(k).split()) for u, k in muted}
        self.webhooks = {}
        for webhook_id, user_id, kinds in hooks:
            self.webhooks.setdefault(str(user_id), []).append(
                (str(webhook_id), frozenset(str(kinds).split()))
            )

    # --- from the journal ----------------------------------------------------------------

    def replay(
        self, seq: int, command: c.Command, outcome: Outcome[object], members: set[str]
    ) -> None:
        """Derive the notes of a command replayed by recovery (past the watermark only)."""
        if seq <= self.watermark:
            return
        self._replayed.extend(derive(members, seq, outcome, outcome.ts_ns))
        self._replay_last = seq

    async def flush_replay(self) -> None:
        """Write what recovery derived (called once, before live batches arrive)."""
        notes, last = self._replayed, self._replay_last
        self._replayed = []
        if last:
            await self.db.run(lambda tx: self._write(tx, notes, last))
            self.watermark = max(self.watermark, last)
            self.on_deliveries()

    def on_batch(self, items: list[tuple[int, c.Command, Outcome[object]]]) -> None:
        """Queue one applied batch's notes for the platform thread (never blocks)."""
        if self.closed or not items:
            return
        notes: list[Note] = []
        for seq, _command, outcome in items:
            notes.extend(derive(self.members, seq, outcome, outcome.ts_ns))
        future = self.db.thread.submit(self._write_queued, notes, items[-1][0])
        future.add_done_callback(self._written)

    def _write_queued(self, notes: list[Note], last_seq: int) -> None:
        """Write every batch not yet written, oldest first, in one transaction (on the
        platform thread, so one at a time). A failed write stays queued: the next batch
        retries it, and the watermark never passes a batch whose notes are not written."""
        self._unwritten.append((notes, last_seq))
        queued = list(self._unwritten)
        everything = [note for batch, _last in queued for note in batch]
        self.db.transaction_sync(lambda tx: self._write(tx, everything, queued[-1][1]))
        del self._unwritten[: len(queued)]
        self.watermark = max(self.watermark, queued[-1][1])

    def _written(self, future: Future[None]) -> None:
        error = future.exception()
        if error is not None:
            log.error(
                "writing notifications failed; the next batch retries them (and a restart "
                "derives them again: the watermark did not move)",
                exc_info=error,
            )
            return
        self.on_deliveries()

    # --- writing -------------------------------------------------------------------------

    def _write(self, tx: Tx, notes: list[Note], last_seq: int) -> None:
        for note in notes:
            self.add(tx, note)
        if last_seq > self.watermark:  # self.watermark moves only once this commits
            tx.exec(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_WATERMARK, str(last_seq)),
            )

    def add(self, tx: Tx, note: Note) -> None:
        """Insert one note: its notification (unless muted) and its webhook deliveries."""
        if note.kind not in self.muted.get(note.user_id, frozenset()):
            tx.exec(
                "INSERT INTO platform_notifications (user_id, kind, payload, is_read, seq, "
                "created_ns) VALUES (?, ?, ?, ?, ?, ?)",
                (note.user_id, note.kind, json.dumps(note.payload), False, note.seq, note.ts_ns),
            )
        for webhook_id, kinds in self.webhooks.get(note.user_id, []):
            if kinds and note.kind not in kinds:
                continue
            body = json.dumps(
                {
                    "id": "evt_" + secrets.token_hex(12),
                    "type": note.kind,
                    "createdAt": rfc3339_from_ns(note.ts_ns),
                    "data": note.payload,
                },
                separators=(",", ":"),
            )
            tx.exec(
                "INSERT INTO platform_webhook_deliveries (webhook_id, kind, body, status, "
                "attempts, next_attempt_ns, last_status_code, last_error, created_ns, "
                "updated_ns) VALUES (?, ?, ?, 'pending', 0, 0, NULL, NULL, ?, ?)",
                (webhook_id, note.kind, body, note.ts_ns, note.ts_ns),
            )
