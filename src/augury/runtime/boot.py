"""Starting an exchange from its data: recovery, first-run setup and the running runtime.

Recovery: ``Journal.open`` has already dropped any torn or corrupt tail; ``recover`` loads
the newest snapshot whose checksum verifies (falling back to older ones) and replays every
journal record after it through the engine. Replay emits the same events the original run
did; the history read models (written behind the sequencer, with a watermark committed in
the same transaction as each batch) take the replayed commands they lack. When the history
lags behind the newest snapshot, recovery starts from the newest snapshot at or below the
history's watermark (or the first command), so no history row is ever skipped. A snapshot
in an older state format (``engine.state.SNAPSHOT_FORMAT``) is not loaded: the journal is
replayed from its first command, which rebuilds every field the new format keeps. The
recovered state is exactly the state that wrote the journal; its digest is reported so
tests and operators can compare.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import SnapshotFormatError, load_snapshot, state_digest
from augury.runtime.clock import Clock
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY, Sequencer
from augury.store import Journal
from augury.store.history import HistoryWriter, history_url
from augury.store.history_read import HistoryReader

__all__ = ["HistoryFeed", "RecoveryResult", "Runtime", "recover"]

log = logging.getLogger(__name__)
T = TypeVar("T")

ReplaySink = Callable[[int, c.Command, Outcome], None]


@dataclass(frozen=True, slots=True)
class RecoveryResult:
    exchange: Exchange
    last_seq: int
    snapshot_seq: int
    replayed: int
    dropped_records: int
    skipped_snapshots: tuple[int, ...]
    seconds: float


def recover(
    journal: Journal,
    instance_id: str,
    replay_sink: ReplaySink | None = None,
    *,
    max_snapshot_seq: int | None = None,
    on_start: Callable[[Exchange, int], None] | None = None,
) -> RecoveryResult:
    """Rebuild the exchange from the newest valid snapshot plus the journal after it.

    Args:
        journal: the opened (and already tail-recovered) journal.
        instance_id: the exchange's id seed, for a journal replayed from its first command.
        replay_sink: receives every replayed command and its outcome.
        max_snapshot_seq: start from no snapshot newer than this (a read model that lags
            behind it needs the commands in between): the newest at or below it, or none.
        on_start: called with the starting state and its seq before the replay begins.
    """
    started = time.perf_counter()
    snapshot_seq, exchange = 0, Exchange(instance_id)
    refused: tuple[int, ...] = ()
    loaded = journal.load_latest_snapshot(at_most=max_snapshot_seq)
    if loaded is not None:
        try:
            exchange = load_snapshot(loaded[1])
            snapshot_seq = loaded[0]
        except SnapshotFormatError as error:
            # Written by a build that kept other fields (and older snapshots are older
            # still): the journal rebuilds the state from its first command.
            log.warning("snapshot at %d not used: %s; replaying the journal", loaded[0], error)
            refused = (loaded[0],)
    if on_start is not None:
        on_start(exchange, snapshot_seq)
    seq = snapshot_seq
    decode = c.decode_command
    apply = exchange.apply
    for seq, _ts, payload in journal.read_after(snapshot_seq):
        command = decode(payload)
        outcome = apply(command)
        if replay_sink is not None:
            replay_sink(seq, command, outcome)
    return RecoveryResult(
        exchange=exchange,
        last_seq=seq,
        snapshot_seq=snapshot_seq,
        replayed=seq - snapshot_seq,
        dropped_records=journal.recovery.dropped_count,
        skipped_snapshots=(*journal.skipped_snapshots, *refused),
        seconds=time.perf_counter() - started,
    )


class HistoryFeed:
    """Feeds applied batches to the history read models on their own thread, in order.

    The writer runs behind the sequencer (its rows are derived, and recovery rebuilds what
    a crash lost, from the watermark it commits with each batch), so a slow read-model
    write never delays a response.
    """

    def __init__(self, writer: HistoryWriter, reader: HistoryReader) -> None:
        self.writer = writer
        self.reader = reader
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self.read_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-read")
        self._pending: list[tuple[int, c.Command, Outcome]] = []

    def replay(self, seq: int, command: c.Command, outcome: Outcome) -> None:
        """Collect replayed commands, writing them in batches (used during recovery)."""
        self._pending.append((seq, command, outcome))
        if len(self._pending) >= 1000:
            self.flush_replay()

    def flush_replay(self) -> None:
        if self._pending:
            self.writer.apply_batch(self._pending)
            self._pending = []

    def on_batch(self, items: list[tuple[int, c.Command, Outcome]]) -> None:
        """Queue one live batch for the history thread (never blocks the loop)."""
        future = self.thread.submit(self.writer.apply_batch, items)
        future.add_done_callback(_log_failure)

    async def drain(self) -> None:
        """Wait until every queued batch is written."""
        await asyncio.get_running_loop().run_in_executor(self.thread, lambda: None)

    async def read(self, fn: Callable[[HistoryReader], T]) -> T:
        """Run a query on the reader's thread."""
        return await asyncio.get_running_loop().run_in_executor(self.read_thread, fn, self.reader)

    def close(self) -> None:
        self.thread.shutdown(wait=True)
        self.read_thread.shutdown(wait=True)
        self.writer.close()
        self.reader.close()


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("history write failed; restart rebuilds it from the journal", exc_info=error)


class Runtime:
    """The running core of a server: journal, recovered exchange, sequencer, history."""

    def __init__(
        self,
        journal: Journal,
        thread: ThreadPoolExecutor,
        recovery: RecoveryResult,
        sequencer: Sequencer,
        history: HistoryFeed,
    ) -> None:
        self.journal = journal
        self.thread = thread
        self.recovery = recovery
        self.sequencer = sequencer
        self.history = history

    @property
    def exchange(self) -> Exchange:
        return self.sequencer.exchange

    @classmethod
    async def start(
        cls,
        db_url: str,
        instance_id: str,
        clock: Clock,
        *,
        snapshot_every: int = DEFAULT_SNAPSHOT_EVERY,
        replay_sink: ReplaySink | None = None,
    ) -> Runtime:
        """Open the journal and history on their threads, recover, start the sequencer."""
        loop = asyncio.get_running_loop()
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        journal = await loop.run_in_executor(thread, Journal.open, db_url)
        writer = await loop.run_in_executor(thread, HistoryWriter.open, history_url(db_url))
        reader = await loop.run_in_executor(thread, HistoryReader.open, writer.url)
        history = HistoryFeed(writer, reader)

        def sink(seq: int, command: c.Command, outcome: Outcome) -> None:
            history.replay(seq, command, outcome)
            if replay_sink is not None:
                replay_sink(seq, command, outcome)

        def run_recovery() -> RecoveryResult:
            # Start no later than the history's watermark, so every command it lacks is
            # replayed through it; then let it catch up to the journal's end.
            result = recover(
                journal,
                instance_id,
                sink,
                max_snapshot_seq=writer.watermark(),
                on_start=lambda exchange, seq: writer.seed_books(exchange, seq),
            )
            history.flush_replay()
            return result

        recovery = await loop.run_in_executor(thread, run_recovery)
        # The recovered state is long-lived: move it out of the collector's reach, and
        # collect young objects less often. The engine's own objects form no cycles worth
        # chasing on the hot path, and full passes over millions of orders stall it for
        # hundreds of milliseconds (measured in bench/engine.py).
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 1000)
        sequencer = Sequencer(
            recovery.exchange,
            journal,
            thread,
            clock,
            last_seq=recovery.last_seq,
            snapshot_every=snapshot_every,
        )
        sequencer.subscribe_batch(history.on_batch)
        sequencer.before_snapshot = history.drain
        sequencer.start()
        return cls(journal, thread, recovery, sequencer, history)

    async def stop(self) -> None:
        """Stop accepting commands, snapshot, and close the journal and history."""
        await self.sequencer.stop(snapshot=True)
        await self.history.drain()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.thread, self.journal.close)
        self.history.close()
        self.thread.shutdown(wait=True)

    def digest(self) -> str:
        """Return the digest of the current state (for tests and the admin API)."""
        return state_digest(self.exchange)

    def audit(self) -> list[str]:
        """Recompute every engine invariant; return the problems found (none: ``[]``)."""
        return audit(self.exchange)
