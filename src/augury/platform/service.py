"""The running platform: its database, its services, and how it joins the exchange.

Lifecycle (driven by ``api.app``'s lifespan):

1. ``Platform.open`` (before the exchange recovers) opens the platform database and reads
   its watermark ``platform.seq``: the last journal command whose consequences
   (notifications, webhook deliveries, protection updates) the platform has recorded.
2. Recovery replays the journal; ``replay`` receives every replayed command, and those
   past the watermark are derived again (``Runtime.start(max_snapshot_seq=...)`` makes
   recovery start no later than the watermark, so none is skipped).
3. ``start`` (once the sequencer runs): writes what replay derived, reconciles accounts
   whose ``CreateUser`` never reached the journal (a crash between the two), loads the
   suspended users into the Kalshi API's ``blocked_users``, subscribes to every applied
   batch and starts the workers (webhook delivery, protection triggers).
4. ``stop`` cancels the workers and closes the database.

Ordering rule (decision 0040): the platform writes its intent first and journals the
command second, and every such command carries an idempotency key the engine enforces
(``CreateUser`` by user id, protection orders by ``client_order_id``, cash approvals by
``transfer_id``). So a crash, or a backup taken between the two writes, is repaired by
submitting the same command again: it either applies or is refused as already done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from augury.engine import commands as c
from augury.engine.exchange import Outcome
from augury.platform import accounts, credentials
from augury.platform.cash import CashDesk
from augury.platform.db import PlatformDb, Tx, platform_url
from augury.platform.http import PlatformError
from augury.platform.leaderboard import Standing
from augury.platform.limits import LoginThrottle, RequestLimiter
from augury.platform.notify import Notifier
from augury.platform.passwords import Passwords
from augury.platform.protections import Protections
from augury.platform.reads import ExchangeReads, LiveReads
from augury.platform.settings import PlatformSettings
from augury.platform.slugs import Slugs
from augury.platform.webhooks import WebhookWorker
from augury.runtime.clock import Clock

if TYPE_CHECKING:
    from augury.api.context import Context
    from augury.api.ws import Hub

__all__ = ["WATERMARK_KEY", "Platform"]

log = logging.getLogger(__name__)
R = TypeVar("R")

WATERMARK_KEY = "platform.seq"


def read_watermark(tx: Tx) -> int:
    row = tx.one("SELECT value FROM meta WHERE key = ?", (WATERMARK_KEY,))
    return int(row[0]) if row else 0


def write_watermark(tx: Tx, seq: int) -> None:
    tx.exec(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (WATERMARK_KEY, str(seq)),
    )


def _adds_event(command: c.Command) -> bool:
    if isinstance(command, c.Batch):
        return any(isinstance(item, c.AddEvent) for item in command.items)
    return isinstance(command, c.AddEvent)


class Platform:
    """Everything behind ``/api/*`` for one server."""

    def __init__(
        self,
        settings: PlatformSettings,
        clock: Clock,
        db: PlatformDb,
        watermark: int,
        members: set[str],
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.watermark = watermark
        self.passwords = Passwords(settings)
        self.limiter = RequestLimiter(settings.requests_per_minute)
        self.throttle = LoginThrottle(
            settings.login_window_s,
            settings.login_failures_per_email,
            settings.login_failures_per_address,
        )
        self._context: Context | None = None
        self._reads: LiveReads | None = None
        self.members = members  # user ids of every platform account
        self.slugs = Slugs(db)
        self.notifier = Notifier(db, watermark)
        self.notifier.members = members
        self.protections = Protections(self)
        self.cash = CashDesk(self)
        self._hub: Hub | None = None
        # period -> ((period, last seq), standings): recomputed only when the journal moved.
        self.leaderboard_cache: dict[str, tuple[tuple[str, int], dict[str, Standing]]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def open(cls, settings: PlatformSettings, clock: Clock, store_url: str) -> Platform:
        """Open the platform database for the store at ``store_url``."""
        loop = asyncio.get_running_loop()
        db = await loop.run_in_executor(None, PlatformDb.open, platform_url(store_url))
        watermark = await db.read(read_watermark)
        rows = await db.read(accounts.all_user_ids)
        return cls(settings, clock, db, watermark, {user_id for user_id, _ in rows})

    # --- joining the exchange ----------------------------------------------------------

    def replay(self, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        """Receive one command replayed by recovery (on the recovery thread)."""
        self.notifier.replay(seq, command, outcome, self.members)

    async def start(self, context: Context, hub: Hub | None = None) -> None:
        """Join the running exchange (see the module docstring)."""
        self._context = context
        self._hub = hub
        context.platform = self
        self._reads = LiveReads(context.runtime)
        rows = await self.db.read(accounts.all_user_ids)
        context.blocked_users.update(u for u, status in rows if status == "suspended")
        await self.slugs.load()
        await self.slugs.ensure(self._reads.events(), self.clock.now_ns())
        await self.notifier.load()
        await self.notifier.flush_replay()
        await self.protections.load()
        sequencer = context.runtime.sequencer
        sequencer.subscribe_batch(self.notifier.on_batch)
        sequencer.subscribe_batch(self._on_catalogue)
        sequencer.subscribe(self.protections.on_applied)
        await self._reconcile_accounts()
        self.spawn(self.protections.resume(), "protections-resume")
        self.spawn(self.cash.resume(), "cash-resume")
        worker = WebhookWorker(self)
        self.notifier.on_deliveries = worker.poke
        self.spawn(worker.run(), "webhooks")

    def _on_catalogue(self, items: list[tuple[int, c.Command, Outcome[object]]]) -> None:
        """Give new events their slugs (see ``platform.slugs``)."""
        if any(_adds_event(command) for _seq, command, _outcome in items):
            self.slugs.refresh(self.reads.events, self.clock.now_ns)

    async def _reconcile_accounts(self) -> None:
        for user_id in sorted(self.members):
            exists, _name = self.reads.user_exists(user_id)
            if not exists:
                log.warning("account %s has no exchange user yet: creating it", user_id)
                await self.submit(
                    c.CreateUser(user_id=user_id, name=accounts.ACCOUNT_MARKER + user_id)
                )

    async def stop(self) -> None:
        """Stop the workers and close the database."""
        self.notifier.closed = True  # later batches are derived again at the next start
        await self.slugs.settled()
        await self.protections.drain()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("platform worker failed")
        self._tasks = []
        if self._reads is not None:
            self._reads.close()
        self.passwords.close()
        await asyncio.get_running_loop().run_in_executor(None, self.db.close)

    # --- what the endpoints use --------------------------------------------------------

    @property
    def context(self) -> Context:
        if self._context is None:
            raise PlatformError(503, "the platform is starting")
        return self._context

    @property
    def reads(self) -> ExchangeReads:
        if self._reads is None:
            raise PlatformError(503, "the platform is starting")
        return self._reads

    async def set_suspended(self, user_id: str, suspended: bool) -> None:
        """Suspend (or reinstate) an account: its sessions end, and its tokens, API keys
        and WebSocket connections stop working at once."""
        status = "suspended" if suspended else "active"
        now = self.clock.now_ns()

        def write(tx: Tx) -> bool:
            if not accounts.set_status(tx, user_id, status, now):
                return False
            if suspended:
                credentials.end_all_sessions(tx, user_id)
            return True

        if not await self.db.run(write):
            raise PlatformError(404, f"no platform account {user_id!r}")
        blocked = self.context.blocked_users
        if not suspended:
            blocked.discard(user_id)
            return
        blocked.add(user_id)
        if self._hub is not None:
            from augury.api.ws.protocol import ErrorCode

            for conn in list(self._hub.connections):
                if conn.user_id == user_id:
                    conn.drop(ErrorCode.AUTH_REQUIRED, 1008)

    async def submit(self, command: c.Cmd[R]) -> Outcome[R]:
        """Sequence a command through the exchange's single writer (journaled first)."""
        return await self.context.runtime.sequencer.submit(command)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run a worker until ``stop``."""
        self._tasks.append(asyncio.get_running_loop().create_task(coro, name=name))
