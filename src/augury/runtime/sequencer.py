"""The sequencer: the single writer between the transports and the exchange.

Every state change goes through ``Sequencer.submit``. Commands wait in a bounded queue; the
sequencer's one task takes everything waiting (up to ``max_batch``), stamps each command
with the clock and the next sequence number, and **writes the batch to the journal first**,
in one transaction on the journal's own thread (group commit: one fsync for the batch).
Only after that commit does it apply the commands to the engine, resolve each caller's
future with its ``Outcome`` and hand the events to the subscribers (store read models,
WebSocket hub). So:

- nothing acknowledged is ever lost: a response exists only for a journaled command, and
  recovery replays the journal through the same deterministic engine;
- nobody observes state that is not durable: reads of engine memory, responses and events
  all come after the commit;
- the journal holds inputs, not outcomes: a command the engine rejects is journaled too and
  is rejected again, identically, on replay.

While one batch commits, the next one gathers in the queue, so batches grow with load.
A journal failure is fatal: the engine and the disk might disagree, so the sequencer stops
and fails every waiting caller (fail-stop), and the server must restart and recover.

Snapshots: every ``snapshot_every`` commands a forked child pickles the state as of the
last applied command while the sequencer goes on (at most one at a time); the parent
stores it through the journal thread. A clean stop waits for it and takes a final one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import msgspec

from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import make_snapshot
from augury.runtime.clock import Clock
from augury.runtime.forked_snapshot import can_fork, snapshot_in_child
from augury.store import Journal

__all__ = ["DEFAULT_SNAPSHOT_EVERY", "EventSink", "Sequencer", "SequencerStopped"]

# Commands between periodic snapshots. Forked snapshots cost the sequencer only the fork,
# so they can be frequent; recovery then replays at most this many commands.
DEFAULT_SNAPSHOT_EVERY = 50_000

log = logging.getLogger(__name__)

T = TypeVar("T")
# Called on the event loop, in sequence order, after each command's commit and apply.
EventSink = Callable[[int, c.Command, Outcome], None]
# Called once per batch with all of its applied items, after the per-command sinks.
BatchSink = Callable[[list[tuple[int, c.Command, Outcome]]], None]


class SequencerStopped(RuntimeError):
    """The sequencer is not accepting commands (stopping, or stopped after a failure)."""


def stamp(command: c.Command, ts_ns: int) -> c.Command:
    """Return the command with its time (and its items' times) set."""
    if isinstance(command, c.Batch):
        items = [msgspec.structs.replace(item, ts_ns=ts_ns) for item in command.items]
        return c.Batch(ts_ns=ts_ns, items=items)
    return msgspec.structs.replace(command, ts_ns=ts_ns)


class Sequencer:
    """Owns the exchange and the journal; applies commands one batch at a time."""

    def __init__(
        self,
        exchange: Exchange,
        journal: Journal,
        journal_thread: ThreadPoolExecutor,
        clock: Clock,
        *,
        last_seq: int,
        max_batch: int = 1024,
        queue_size: int = 16_384,
        snapshot_every: int = DEFAULT_SNAPSHOT_EVERY,
        fork_snapshots: bool = True,
    ) -> None:
        self.exchange = exchange
        self.journal = journal
        self._thread = journal_thread
        self.clock = clock
        self.last_seq = last_seq
        self.max_batch = max_batch
        self.snapshot_every = snapshot_every
        # Periodic snapshots are pickled by a forked child (runtime.forked_snapshot) so the
        # sequencer never stalls for them; the final one at shutdown is taken in-process.
        self.fork_snapshots = fork_snapshots and can_fork()
        self._background: asyncio.Task[None] | None = None
        self._since_snapshot = 0
        self._queue: asyncio.Queue[tuple[c.Command, asyncio.Future[Outcome]]] = asyncio.Queue(
            queue_size
        )
        self._sinks: list[EventSink] = []
        self._batch_sinks: list[BatchSink] = []
        # Awaited before each snapshot, so read models can catch up with the state first.
        self.before_snapshot: Callable[[], Awaitable[None]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._failed: BaseException | None = None
        # Continue from the recovered state's time: a clock behind the journal must not
        # stamp new commands earlier than the last journaled one.
        self._last_ts = exchange.now_ns
        self.batch_sizes: list[int] = []  # recent batch sizes, for the benchmarks

    @property
    def queue_depth(self) -> int:
        """Commands waiting to be sequenced (the operator's health view)."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        """Whether the sequencer task runs and has not failed."""
        return self._task is not None and not self._task.done() and self._failed is None

    def subscribe(self, sink: EventSink) -> None:
        """Receive every applied command and its outcome, in order."""
        self._sinks.append(sink)

    def subscribe_batch(self, sink: BatchSink) -> None:
        """Receive each applied batch as one list (for writers that commit per batch)."""
        self._batch_sinks.append(sink)

    def start(self) -> None:
        """Start the sequencer task on the running loop."""
        assert self._task is None
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sequencer")

    async def stop(self, *, snapshot: bool = True) -> None:
        """Drain the queue, stop the task and write a final snapshot (clean shutdown)."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._background is not None:
            await self._background
            self._background = None
        if snapshot and self._failed is None and self._since_snapshot:
            await self._snapshot()

    async def submit(self, command: c.Command) -> Outcome:
        """Queue a command; return its outcome once it is durable and applied."""
        if self._failed is not None or self._task is None:
            raise SequencerStopped("the sequencer is not running") from self._failed
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((command, future))
        return await future

    async def call(self, fn: Callable[[Journal], T]) -> T:
        """Run a function with the journal on the journal's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, self.journal)

    async def _run(self) -> None:
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._commit_and_apply(batch, loop)
            except Exception as error:  # fail-stop: see the module docstring
                log.exception("sequencer failed; the server must restart and recover")
                self._failed = error
                for _, future in batch:
                    if not future.done():
                        future.set_exception(SequencerStopped("journal write failed"))
                while not queue.empty():
                    _, future = queue.get_nowait()
                    future.set_exception(SequencerStopped("journal write failed"))
                    queue.task_done()
                for _ in batch:
                    queue.task_done()
                return
            for _ in batch:
                queue.task_done()

    async def _commit_and_apply(
        self, batch: list[tuple[c.Command, asyncio.Future[Outcome]]], loop: Any
    ) -> None:
        now = self.clock.now_ns()
        # Time never runs backwards in the journal, whatever the clock does.
        ts = now if now > self._last_ts else self._last_ts
        self._last_ts = ts
        seq0 = self.last_seq
        commands = [stamp(command, ts) for command, _ in batch]
        records = [
            (seq0 + i + 1, ts, c.encode_command(command)) for i, command in enumerate(commands)
        ]
        await loop.run_in_executor(self._thread, self.journal.append_batch, records)
        self.last_seq = seq0 + len(batch)
        self.batch_sizes.append(len(batch))
        if len(self.batch_sizes) > 4096:
            del self.batch_sizes[:2048]
        exchange = self.exchange
        sinks = self._sinks
        applied: list[tuple[int, c.Command, Outcome]] = []
        for i, ((_, future), command) in enumerate(zip(batch, commands, strict=True)):
            outcome = exchange.apply(command)
            applied.append((seq0 + i + 1, command, outcome))
            for sink in sinks:
                sink(seq0 + i + 1, command, outcome)
            if not future.done():
                future.set_result(outcome)
        for batch_sink in self._batch_sinks:
            batch_sink(applied)
        self._since_snapshot += len(batch)
        if self._since_snapshot >= self.snapshot_every:
            await self._periodic_snapshot()

    async def _periodic_snapshot(self) -> None:
        if not self.fork_snapshots:
            await self._snapshot()
            return
        if self._background is not None and not self._background.done():
            return  # the previous one is still being written; retry after the next batch
        if self.before_snapshot is not None:
            await self.before_snapshot()
        seq, ts = self.last_seq, self.clock.now_ns()
        pending = snapshot_in_child(self.exchange)  # the state at seq, whatever comes next
        self._since_snapshot = 0
        self._background = asyncio.get_running_loop().create_task(
            self._store_snapshot(seq, ts, pending), name="snapshot"
        )

    async def _store_snapshot(self, seq: int, ts: int, pending: Awaitable[bytes | None]) -> None:
        try:
            payload = await pending
            if payload is not None:
                await self.call(lambda journal: journal.write_snapshot(seq, ts, payload))
        except Exception:
            # Not fatal: the journal still holds every command, so recovery only replays
            # more. A broken journal fails the next batch anyway (fail-stop).
            log.exception("writing the snapshot at seq %d failed", seq)

    async def _snapshot(self) -> None:
        # Pickling happens on the loop (the state must not change while it is copied);
        # writing it happens on the journal thread.
        if self.before_snapshot is not None:
            await self.before_snapshot()
        seq = self.last_seq
        payload = make_snapshot(self.exchange)
        ts = self.clock.now_ns()
        await self.call(lambda journal: journal.write_snapshot(seq, ts, payload))
        self._since_snapshot = 0
