"""The sequencer: the single writer between the transports and the exchange.

Every state change goes through ``Sequencer.submit``. Commands wait in a bounded queue.
The sequencer is a two-stage pipeline of two tasks on the event loop (decision 0064):

- stage 1 (journal) takes everything waiting (up to ``max_batch``), reads the clock once
  for the batch and gives each command the next sequence number; that envelope
  ``(seq, ts_ns)`` is journaled with the command. It **writes the batch to the journal
  first**, in one transaction on the journal's own thread (group commit: one fsync for the
  batch), then hands the committed batch to stage 2 and takes the next one;
- stage 2 (engine) applies each committed batch to the engine
  (``Exchange.apply(command, ts_ns)``), resolves each caller's future with its ``Outcome``
  and hands the events to the subscribers (store read models, WebSocket hub).

So the journal commits batch N+1 while the engine applies batch N, but a batch is applied
only after its own commit, batches are applied in the order they were journaled (stage 2
takes them from a FIFO of one slot, so the journal is never more than one committed batch
ahead of stage 2), and ``last_seq`` is the newest *applied* record. Hence:

- nothing acknowledged is ever lost: a response exists only for a journaled command, and
  recovery replays the journal through the same deterministic engine;
- nobody observes state that is not durable: reads of engine memory, responses and events
  all come after the commit;
- the journal holds inputs, not outcomes: a command the engine rejects is journaled too and
  is rejected again, identically, on replay.

While one batch commits, the next one gathers in the queue, so batches grow with load.
A journal failure is fatal: the engine and the disk might disagree, so the sequencer stops
(fail-stop), and the server must restart and recover. Stage 2 first applies and answers
the batches committed before the failed one (they are durable); the failed batch and
everything queued are failed with ``SequencerStopped`` and never applied. A failure in
stage 2 (a native panic) stops stage 1 too and fails every caller not yet answered.

One command never stops the others (decision 0015):

- before the journal, each command is checked against its domain
  (``engine.domain_check``) and encoded on its own. An out-of-domain command (or batch
  item) is answered with its ``OUT_OF_DOMAIN`` reject and never journaled: it changes no
  state, so leaving it out cannot change a replay. A command that cannot be encoded gets
  ``CommandFailed`` (a 500 for that caller) and is dropped from the batch.
- if ``apply`` raises (a bug: validation makes every known cause impossible), the engine
  may hold part of the command. The record is voided durably and the state rebuilt from
  snapshot + journal up to the record before it (``undo``), on the journal's thread while
  the event loop waits, so no reader sees the partial state; the caller gets the
  ``COMMAND_FAILED`` reject (500) and the batch goes on. Recovery replays the record as
  failed, so the restarted state is the same.
- an exception from a subscriber is logged and contained; the others still run.

Snapshots: every ``snapshot_every`` commands a forked child pickles the state as of the
last applied command while the sequencer goes on (at most one at a time); the parent
stores it through the journal thread. A clean stop waits for it and takes a final one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from augury.domain.rejects import Reject
from augury.engine import commands as c
from augury.engine.domain_check import domain_reject
from augury.engine.exchange import Exchange, Outcome
from augury.engine.results import batch_outcomes
from augury.engine.results import refused as refused_outcome
from augury.engine.state import make_snapshot
from augury.runtime.clock import Clock
from augury.runtime.forked_snapshot import can_fork, snapshot_in_child
from augury.runtime.ports import JournalPort

__all__ = [
    "DEFAULT_SNAPSHOT_EVERY",
    "CommandFailed",
    "EventSink",
    "Sequencer",
    "SequencerStopped",
    "Undo",
]

# Commands between periodic snapshots. Forked snapshots cost the sequencer only the fork,
# so they can be frequent; recovery then replays at most this many commands.
DEFAULT_SNAPSHOT_EVERY = 50_000

log = logging.getLogger(__name__)

T = TypeVar("T")
# Called on the event loop, in sequence order, after each command's commit and apply.
EventSink = Callable[[int, c.Command, Outcome[object]], None]
# Called once per batch with all of its applied items, after the per-command sinks.
BatchSink = Callable[[list[tuple[int, c.Command, Outcome[object]]]], None]
R = TypeVar("R")
_Waiting = tuple[c.Command, "asyncio.Future[Outcome[object]]"]


# Runs on the journal's thread: void record ``seq`` (applied at ``ts_ns``) and rebuild the
# exchange (in place) as of ``seq - 1``; returns the outcome the failed command's caller
# and subscribers get.
Undo = Callable[[int, int, Exchange], Outcome[object]]


class SequencerStopped(RuntimeError):
    """The sequencer is not accepting commands (stopping, or stopped after a failure)."""


class CommandFailed(RuntimeError):
    """This one command could not be journaled (it does not encode); nothing changed."""


class _Prepared:
    """A command ready for the journal: what is written, and what its caller is owed."""

    __slots__ = ("command", "future", "item_count", "payload", "refused")

    def __init__(
        self,
        future: asyncio.Future[Outcome[object]],
        command: c.Command,
        payload: bytes,
        refused: dict[int, Reject],
        item_count: int,
    ) -> None:
        self.future = future
        self.command = command  # as journaled: a batch without its refused items
        self.payload = payload
        self.refused = refused  # batch item index (as submitted) -> its domain reject
        self.item_count = item_count


class _Committed:
    """A batch that is durable in the journal and waits to be applied (stage 2)."""

    __slots__ = ("commit_ns", "ready", "seq0", "taken", "ts_ns")

    def __init__(
        self, ready: list[_Prepared], taken: int, seq0: int, ts_ns: int, commit_ns: int
    ) -> None:
        self.ready = ready  # the journaled commands, records seq0 + 1 .. seq0 + len(ready)
        self.taken = taken  # commands taken from the queue (refused ones included)
        self.seq0 = seq0
        self.ts_ns = ts_ns
        self.commit_ns = commit_ns


class Sequencer:
    """Owns the exchange and the journal; applies commands one batch at a time."""

    def __init__(
        self,
        exchange: Exchange,
        journal: JournalPort,
        journal_thread: ThreadPoolExecutor,
        clock: Clock,
        *,
        last_seq: int,
        max_batch: int = 1024,
        queue_size: int = 16_384,
        snapshot_every: int = DEFAULT_SNAPSHOT_EVERY,
        fork_snapshots: bool = True,
        undo: Undo | None = None,
    ) -> None:
        self.exchange = exchange
        self.journal = journal
        self._thread = journal_thread
        self.clock = clock
        self.last_seq = last_seq  # the newest applied (and so committed) record
        self._journaled_seq = last_seq  # the newest committed record (>= last_seq)
        self.max_batch = max_batch
        self.snapshot_every = snapshot_every
        self.undo = undo
        # Periodic snapshots are pickled by a forked child (runtime.forked_snapshot) so the
        # sequencer never stalls for them; the final one at shutdown is taken in-process.
        self.fork_snapshots = fork_snapshots and can_fork()
        self._background: asyncio.Task[None] | None = None
        self._since_snapshot = 0
        self.observe_batch: Callable[[int, int, int], None] | None = None
        self._queue: asyncio.Queue[_Waiting] = asyncio.Queue(queue_size)
        self._sinks: list[EventSink] = []
        self._batch_sinks: list[BatchSink] = []
        # Awaited before each snapshot, so read models can catch up with the state first.
        self.before_snapshot: Callable[[], Awaitable[None]] | None = None
        # Awaited before each batch is taken, so a subscriber that writes behind (the
        # history feed's bounded queue) can hold the sequencer back instead of queueing.
        self.wait_for_room: Callable[[], Awaitable[None]] | None = None
        self._task: asyncio.Task[None] | None = None  # stage 1: journal
        self._apply_task: asyncio.Task[None] | None = None  # stage 2: engine and callers
        # Batches taken from the queue and not yet answered, oldest first (stage 1's
        # batch being committed, and the committed ones stage 2 has yet to finish).
        self._inflight: deque[list[_Waiting]] = deque()
        # Stage 1 -> stage 2; None says stage 1 failed. One slot: see ``_run``.
        self._committed: asyncio.Queue[_Committed | None] = asyncio.Queue(1)
        self._failed: BaseException | None = None
        # Continue from the recovered state's time: a clock behind the journal must not
        # stamp new commands earlier than the last journaled one.
        self._last_ts = exchange.now_ns
        self.batch_sizes: list[int] = []  # recent batch sizes, for the benchmarks

    @property
    def queue_depth(self) -> int:
        """Return how many commands wait for the sequencer (for monitoring)."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        """Whether the sequencer task runs and has not failed."""
        return (
            self._task is not None
            and not self._task.done()
            and self._apply_task is not None
            and not self._apply_task.done()
            and self._failed is None
        )

    def subscribe(self, sink: EventSink) -> None:
        """Receive every applied command and its outcome, in order."""
        self._sinks.append(sink)

    def subscribe_batch(self, sink: BatchSink) -> None:
        """Receive each applied batch as one list (for writers that commit per batch)."""
        self._batch_sinks.append(sink)

    def start(self) -> None:
        """Start the sequencer task on the running loop."""
        assert self._task is None
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name="sequencer")
        self._apply_task = loop.create_task(self._apply_stage(), name="sequencer-apply")

    async def stop(self, *, snapshot: bool = True) -> None:
        """Drain the queue, stop the task and write a final snapshot (clean shutdown)."""
        if self._task is not None:
            await self._queue.join()  # every command taken is applied and answered
            for task in (self._task, self._apply_task):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            self._task = None
            self._apply_task = None
        if self._background is not None:
            await self._background
            self._background = None
        if snapshot and self._failed is None and self._since_snapshot:
            await self._snapshot()

    async def submit(self, command: c.Cmd[R]) -> Outcome[R]:
        """Queue a command; return its outcome once it is durable and applied."""
        if self._failed is not None or self._task is None:
            raise SequencerStopped("the sequencer is not running") from self._failed
        future: asyncio.Future[Outcome[object]] = asyncio.get_running_loop().create_future()
        # Every Cmd is a Command, and the engine answers it with an Outcome[R].
        await self._queue.put((cast(c.Command, command), future))
        return cast("Outcome[R]", await future)  # a string: no generic alias built per call

    async def call(self, fn: Callable[[JournalPort], T]) -> T:
        """Run a function with the journal on the journal's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, self.journal)

    async def _run(self) -> None:
        """Stage 1: take what waits, stamp and encode it, commit it; hand it to stage 2."""
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            if self.wait_for_room is not None:
                await self.wait_for_room()
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            self._inflight.append(batch)
            try:
                committed = await self._commit(batch, loop)
            except Exception as error:  # fail-stop: see the module docstring
                log.exception("journal write failed; the server must restart and recover")
                self._failed = error
                # Stage 2 applies and answers the batches committed before this one, then
                # fails this batch and everything still queued.
                await self._committed.put(None)
                return
            # At most one committed batch waits for stage 2 (back-pressure: the journal
            # never runs more than a batch ahead of the engine).
            await self._committed.put(committed)

    async def _apply_stage(self) -> None:
        """Stage 2: apply each committed batch in journal order and answer its callers."""
        queue = self._queue
        while True:
            committed = await self._committed.get()
            if committed is None:  # stage 1 failed: nothing after this was committed
                self._fail_all()
                return
            try:
                await self._apply_committed(committed)
            except Exception as error:  # fail-stop: the engine may hold part of a batch
                log.exception("sequencer failed; the server must restart and recover")
                self._failed = error
                if self._task is not None:
                    self._task.cancel()
                self._fail_all()
                return
            for _ in self._inflight.popleft():
                queue.task_done()

    def _fail_all(self) -> None:
        """Fail every caller not yet answered (taken batches and the queue); fail-stop."""
        queue = self._queue
        for batch in self._inflight:
            for _, future in batch:
                if not future.done():
                    future.set_exception(SequencerStopped("the sequencer failed"))
                queue.task_done()
        self._inflight.clear()
        while not queue.empty():
            _, future = queue.get_nowait()
            future.set_exception(SequencerStopped("the sequencer failed"))
            queue.task_done()

    async def _commit(self, batch: list[_Waiting], loop: Any) -> _Committed:
        now = self.clock.now_ns()
        # Time never runs backwards in the journal, whatever the clock does.
        ts = now if now > self._last_ts else self._last_ts
        self._last_ts = ts
        seq0 = self._journaled_seq
        ready: list[_Prepared] = []
        for command, future in batch:
            prepared = _prepare(command, future, ts)
            if prepared is not None:
                ready.append(prepared)
        records = [(seq0 + i + 1, ts, p.payload) for i, p in enumerate(ready)]
        started_ns = time.perf_counter_ns()
        if records:
            await loop.run_in_executor(self._thread, self.journal.append_batch, records)
        self._journaled_seq = seq0 + len(ready)
        return _Committed(ready, len(batch), seq0, ts, time.perf_counter_ns() - started_ns)

    async def _apply_committed(self, committed: _Committed) -> None:
        ready, seq0, ts = committed.ready, committed.seq0, committed.ts_ns
        applying_ns = time.perf_counter_ns()
        self.batch_sizes.append(committed.taken)
        if len(self.batch_sizes) > 4096:
            del self.batch_sizes[:2048]
        self.last_seq = seq0 + len(ready)
        applied: list[tuple[int, c.Command, Outcome[object]]] = []
        # The native engine takes the batch's journal payloads in one call, at the batch's
        # time (a panic inside it is a bug: it propagates and the sequencer stops,
        # fail-stop); the Python engine applies command by command, undoing one that
        # raises (decision 0015).
        native_batch = getattr(self.exchange, "apply_encoded_batch", None)
        outcomes: list[Outcome[object]] | None = (
            native_batch([p.payload for p in ready], ts)
            if native_batch is not None and ready
            else None
        )
        sinks = self._sinks
        for i, prepared in enumerate(ready):
            seq = seq0 + i + 1
            outcome = (
                outcomes[i] if outcomes is not None else self._apply(seq, prepared.command, ts)
            )
            applied.append((seq, prepared.command, outcome))
            for sink in sinks:
                _deliver(sink, seq, prepared.command, outcome)
            if not prepared.future.done():
                prepared.future.set_result(_answer(prepared, outcome))
        if self.observe_batch is not None:  # monitoring: size, commit time, apply time
            self.observe_batch(
                committed.taken, committed.commit_ns, time.perf_counter_ns() - applying_ns
            )
        for batch_sink in self._batch_sinks:
            try:
                batch_sink(applied)
            except Exception:
                log.exception(
                    "a batch subscriber failed on commands %d..%d", seq0 + 1, self.last_seq
                )
        self._since_snapshot += len(ready)
        if self._since_snapshot >= self.snapshot_every:
            await self._periodic_snapshot()

    def _apply(self, seq: int, command: c.Command, ts_ns: int) -> Outcome[object]:
        try:
            outcome: Outcome[object] = self.exchange.apply(command, ts_ns)
            return outcome
        except Exception:
            log.exception(
                "command %d (%s) raised while applied: undoing it", seq, type(command).__name__
            )
            if self.undo is None:
                raise  # nothing can rebuild the state: fail-stop
            undo = self.undo
            # The loop waits (no reader may see the partial state) while the journal's
            # thread voids the record and rebuilds the state; a failure there is fatal.
            return self._thread.submit(undo, seq, ts_ns, self.exchange).result()

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


def _prepare(
    command: c.Command, future: asyncio.Future[Outcome[object]], ts_ns: int
) -> _Prepared | None:
    """Check and encode one command; answer it at once (and return None) if it cannot be
    journaled: out of domain (every item of a batch), or not encodable."""
    refused: dict[int, Reject] = {}
    item_count = 0
    journaled = command
    if isinstance(command, c.Batch):
        item_count = len(command.items)
        kept: list[c.Single] = []
        for index, item in enumerate(command.items):
            reject = domain_reject(item)
            if reject is None:
                kept.append(item)
            else:
                refused[index] = reject
        if refused:
            if not kept:
                answer = [refused_outcome(refused[i], ts_ns) for i in range(item_count)]
                future.set_result(Outcome([], None, answer, ts_ns))
                return None
            journaled = c.Batch.of(kept)
    else:
        reject = domain_reject(command)
        if reject is not None:
            future.set_result(refused_outcome(reject, ts_ns))
            return None
    try:
        payload = c.encode_command(journaled)
    except Exception as error:
        log.exception("command %s cannot be encoded; refused alone", type(command).__name__)
        future.set_exception(CommandFailed(f"the command cannot be journaled: {error}"))
        return None
    return _Prepared(future, journaled, payload, refused, item_count)


def _answer(prepared: _Prepared, outcome: Outcome[object]) -> Outcome[object]:
    """Return the caller's outcome: a batch's refused items put back in their places."""
    if not prepared.refused or outcome.reject is not None:
        return outcome
    results = iter(batch_outcomes(outcome))
    value = [
        refused_outcome(prepared.refused[i], outcome.ts_ns)
        if i in prepared.refused
        else next(results)
        for i in range(prepared.item_count)
    ]
    return Outcome(outcome.events, None, value, outcome.ts_ns)


def _deliver(sink: EventSink, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
    try:
        sink(seq, command, outcome)
    except Exception:
        # A subscriber's own state may now lag; the exchange and the others go on.
        log.exception("a subscriber failed on command %d", seq)
