"""The composition root: one running exchange, started and stopped in one order.

``Node.start`` composes what a server runs, from the store inwards:

1. the store's databases, opened through ``runtime.ports.StoreOpener`` (the node depends
   on that protocol, not on a store class: ``augury.store.SQL_STORE`` is passed in);
2. recovery and the running core (``runtime.boot.Runtime``): the journal thread, the
   recovered exchange, the sequencer, the history feed and its bounded queue;
3. the read side (``augury.queries.attach``), subscribed before anything else;
4. the operator: its key pair in the data directory (``operator_key.pem``, made on the
   first start) and its user and key registered through the sequencer.

Then ``start_ticker`` starts the lifecycle ticker (a ``Tick`` whenever the read side's
time-ordered index says something is due); the app factory calls it last, once every
subscriber (the WebSocket hub, the platform) is in place, so none misses a tick.
``stop`` undoes it all in reverse. The web app (``api.app.create_app``) runs a node in
its lifespan and adds the web-facing parts around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from augury.api.auth import generate_key_pair, new_key_id
from augury.api.context import OPERATOR_USER
from augury.engine import commands as c
from augury.queries import Queries, attach
from augury.runtime.boot import ReplaySink, Runtime
from augury.runtime.clock import Clock
from augury.runtime.ports import StoreOpener
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY

__all__ = ["OPERATOR_KEY_FILE", "OPERATOR_KEY_ID_FILE", "TICK_INTERVAL_S", "Node"]

log = logging.getLogger(__name__)

OPERATOR_KEY_FILE = "operator_key.pem"
OPERATOR_KEY_ID_FILE = "operator_key_id"
TICK_INTERVAL_S = 0.1


class Node:
    """A running exchange: its runtime, its read side and its lifecycle ticker."""

    def __init__(self, runtime: Runtime, queries: Queries, clock: Clock) -> None:
        self.runtime = runtime
        self.queries = queries
        self.clock = clock
        self._ticker: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls,
        store: StoreOpener,
        db_url: str,
        instance_id: str,
        clock: Clock,
        data_dir: Path,
        *,
        snapshot_every: int = DEFAULT_SNAPSHOT_EVERY,
        replay_sink: ReplaySink | None = None,
        max_snapshot_seq: int | None = None,
        engine: str | None = None,
    ) -> Node:
        """Open the store, recover, start the sequencer, attach the read side and make sure
        the operator key exists (see the module docstring). ``engine``: ``native``,
        ``python`` or None for the default (``augury.runtime.engines``)."""
        runtime = await Runtime.start(
            db_url,
            instance_id,
            clock,
            store=store,
            snapshot_every=snapshot_every,
            replay_sink=replay_sink,
            max_snapshot_seq=max_snapshot_seq,
            engine=engine,
        )
        # The read side subscribes first: every later sink and every route reads it current.
        node = cls(runtime, attach(runtime), clock)
        await node._ensure_operator(data_dir)
        return node

    def start_ticker(self) -> None:
        """Start submitting a Tick whenever time alone has something to do."""
        assert self._ticker is None
        self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="ticker")

    async def _tick(self) -> None:
        # What is due when comes from the read side's time-ordered index: each check is
        # O(1), whatever the number of markets and expiring orders.
        while True:
            await asyncio.sleep(TICK_INTERVAL_S)
            due = self.queries.next_due_ns()
            if due is not None and due <= self.clock.now_ns():
                try:
                    await self.runtime.sequencer.submit(c.Tick())
                except Exception:
                    log.exception("lifecycle tick failed")
                    return

    async def _ensure_operator(self, data_dir: Path) -> None:
        # The first start writes the key pair (its private half is the operator's
        # credential for ``augury admin``); every start registers it if the journal lacks it.
        key_file = data_dir / OPERATOR_KEY_FILE
        id_file = data_dir / OPERATOR_KEY_ID_FILE
        if not key_file.exists():
            private_pem, _ = generate_key_pair("rsa")
            key_file.write_text(private_pem)
            key_file.chmod(0o600)
            id_file.write_text(new_key_id())
        key_id = id_file.read_text().strip()
        if self.queries.api_key(key_id) is not None:
            return
        private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        public_pem = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        items: list[c.Single] = []
        if self.queries.user(OPERATOR_USER) is None:
            items.append(c.CreateUser(user_id=OPERATOR_USER, name="operator"))
        items.append(
            c.RegisterApiKey(
                api_key_id=key_id,
                user_id=OPERATOR_USER,
                name="operator",
                public_key_pem=public_pem,
                key_type="rsa",
                scopes=["admin", "read", "write"],
            )
        )
        await self.runtime.sequencer.submit(c.Batch.of(items))

    async def stop(self) -> None:
        """Stop the ticker, then the runtime (drain, snapshot, close the store)."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.runtime.stop()
