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

Recovery never dies on one record (decision 0015):

- a record marked void (its apply raised, live or in an earlier recovery) is not applied;
  its subscribers see it as a ``COMMAND_FAILED`` reject, so the history stays contiguous;
- a record whose apply raises now is voided durably, the state is rebuilt from the
  journal up to the record before it (the failed apply may have changed part of it), and
  replay goes on;
- a record an older build accepted that is out of domain now (``OUT_OF_DOMAIN``, e.g. an
  expiration in the year 2286) is rejected on replay like any refused command, and logged:
  it could not be stored, and it never reaches the journal any more;
- a record this build cannot decode stops recovery with ``RecoveryError``, which names the
  record and the two ways out (the build that wrote it, or ``augury journal void``):
  voiding it silently could drop an acknowledged command that a newer format holds.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome
from augury.engine.results import batch_outcomes, refused
from augury.engine.state import SnapshotFormatError, state_digest
from augury.runtime.clock import Clock
from augury.runtime.engines import load_exchange, new_exchange, resolve
from augury.runtime.native_engine import decode_outcomes
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY, Sequencer
from augury.store import Journal
from augury.store.history import HistoryWriter, history_url
from augury.store.history_read import HistoryReader

__all__ = [
    "HistoryFeed",
    "HistoryUnavailable",
    "RecoveryError",
    "RecoveryResult",
    "Runtime",
    "adopt_state",
    "failed_outcome",
    "recover",
    "undo_failed",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

ReplaySink = Callable[[int, c.Command, Outcome[object]], None]


class RecoveryError(RuntimeError):
    """Recovery cannot go past a journal record; the message names it and the way out."""

    def __init__(self, seq: int, message: str) -> None:
        super().__init__(message)
        self.seq = seq


def failed_outcome(ts_ns: int) -> Outcome[object]:
    """Return the outcome of a command whose apply (at ``ts_ns``) raised and was undone."""
    reject = Reject(RejectReason.COMMAND_FAILED, "the command failed and changed nothing")
    return refused(reject, ts_ns)


def adopt_state(exchange: Any, rebuilt: Any) -> None:
    """Make ``exchange`` hold the state of ``rebuilt``, in place.

    Everything that holds the live exchange (routes, the WebSocket hub, the demo) keeps
    its reference and sees the rebuilt state from then on. A native engine provides the
    same operation on its own object.
    """
    if isinstance(exchange, Exchange):
        exchange.__setstate__(rebuilt.__getstate__())
    else:  # the native engine: the object holds its core
        state = vars(exchange)
        state.clear()
        state.update(vars(rebuilt))


def undo_failed(journal: Journal, instance_id: str, seq: int, exchange: Exchange) -> None:
    """Void record ``seq`` (its apply raised) and rebuild ``exchange`` as of ``seq - 1``.

    Runs on the journal's thread. The void mark is written before the rebuild, so a crash
    in between replays the record as failed too.
    """
    journal.void_record(seq)
    engine = "native" if hasattr(exchange, "core") else "python"
    rebuilt = recover(journal, instance_id, max_snapshot_seq=seq - 1, until=seq - 1, engine=engine)
    adopt_state(exchange, rebuilt.exchange)


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
    until: int | None = None,
    engine: str = "python",
) -> RecoveryResult:
    """Rebuild the exchange from the newest valid snapshot plus the journal after it.

    Args:
        journal: the opened (and already tail-recovered) journal.
        instance_id: the exchange's id seed, for a journal replayed from its first command.
        replay_sink: receives every replayed command and its outcome.
        max_snapshot_seq: start from no snapshot newer than this (a read model that lags
            behind it needs the commands in between): the newest at or below it, or none.
        on_start: called with the starting state and its seq before the replay begins.
        until: stop after this record (None: the end of the journal).
        engine: ``python`` or ``native`` (``runtime.engines``); snapshots of either load.

    Raises:
        RecoveryError: a record cannot be decoded by this build.
    """
    started = time.perf_counter()
    # The Python engine by this module's name for it (fault-injection tests replace it).
    snapshot_seq = 0
    exchange = Exchange(instance_id) if engine == "python" else new_exchange(engine, instance_id)
    refused: tuple[int, ...] = ()
    loaded = journal.load_latest_snapshot(at_most=max_snapshot_seq)
    if loaded is not None:
        try:
            exchange = load_exchange(engine, loaded[1])
            snapshot_seq = loaded[0]
        except SnapshotFormatError as error:
            # Written by a build that kept other fields (and older snapshots are older
            # still): the journal rebuilds the state from its first command.
            log.warning("snapshot at %d not used: %s; replaying the journal", loaded[0], error)
            refused = (loaded[0],)
    if on_start is not None:
        on_start(exchange, snapshot_seq)
    seq = snapshot_seq
    void = journal.void_records()
    if engine == "native":
        seq = _replay_native(journal, instance_id, exchange, snapshot_seq, replay_sink, void, until)
    else:
        for record_seq, ts_ns, payload in journal.read_after(snapshot_seq):
            if until is not None and record_seq > until:
                break
            seq = record_seq
            command, outcome = _replay_one(
                journal, instance_id, exchange, seq, ts_ns, payload, void
            )
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


_REPLAY_CHUNK = 4096


def _replay_native(
    journal: Journal,
    instance_id: str,
    exchange: Exchange,
    after: int,
    sink: ReplaySink | None,
    void: frozenset[int],
    until: int | None,
) -> int:
    """Replay journal records through the native engine, a chunk of records per call,
    each at its row's time.

    Outcomes are decoded only for a sink (the history read models). A void record, or one
    the native decoder refuses (one nobody decodes), goes through ``_replay_one`` alone,
    exactly as on the Python engine.
    """
    replay = _NativeReplay(journal, instance_id, exchange, sink, void)
    seq = after
    for record_seq, ts_ns, payload in journal.read_after(after):
        if until is not None and record_seq > until:
            break
        seq = record_seq
        replay.chunk.append((record_seq, ts_ns, bytes(payload)))
        if len(replay.chunk) >= _REPLAY_CHUNK:
            replay.flush()
    replay.flush()
    return seq


class _NativeReplay:
    """One chunk of journal records at a time through ``Core.apply_prefix``."""

    def __init__(
        self,
        journal: Journal,
        instance_id: str,
        exchange: Exchange,
        sink: ReplaySink | None,
        void: frozenset[int],
    ) -> None:
        self.journal, self.instance_id, self.exchange = journal, instance_id, exchange
        self.sink, self.void = sink, void
        self.core = exchange.core  # type: ignore[attr-defined]
        self.chunk: list[tuple[int, int, bytes]] = []

    def flush(self) -> None:
        chunk, void, sink = self.chunk, self.void, self.sink
        start = 0
        while start < len(chunk):
            if chunk[start][0] in void:
                start = self.one(start)
                continue
            end = next((i for i in range(start, len(chunk)) if chunk[i][0] in void), len(chunk))
            payloads = [payload for _, _, payload in chunk[start:end]]
            times = [ts_ns for _, ts_ns, _ in chunk[start:end]]
            raw, applied, error = self.core.apply_prefix(payloads, times, sink is not None)
            if sink is not None:
                outcomes = decode_outcomes(raw, times)
                for (seq, _ts, payload), outcome in zip(chunk[start:], outcomes, strict=False):
                    sink(seq, c.decode_command(payload), outcome)
            start += applied
            if error is not None:
                start = self.one(start)
        chunk.clear()

    def one(self, i: int) -> int:
        seq, ts_ns, payload = self.chunk[i]
        command, outcome = _replay_one(
            self.journal, self.instance_id, self.exchange, seq, ts_ns, payload, self.void
        )
        if self.sink is not None:
            self.sink(seq, command, outcome)
        return i + 1


def _replay_one(
    journal: Journal,
    instance_id: str,
    exchange: Exchange,
    seq: int,
    ts_ns: int,
    payload: bytes,
    void: frozenset[int],
) -> tuple[c.Command, Outcome[object]]:
    try:
        command = c.decode_command(payload)
    except Exception as error:
        if seq in void:
            # Voided by the operator because no build at hand decodes it; subscribers
            # still need an entry at this seq, and a Tick of its time stands in for it.
            return c.Tick(), failed_outcome(ts_ns)
        raise RecoveryError(
            seq,
            f"journal record {seq} cannot be decoded by this build ({error}). It was "
            "written by another version of augury: start that version, or, to give up "
            f"this one command, stop the server and run `augury journal void {seq}` with "
            "the same --data/--db, then start again.",
        ) from error
    if seq in void:
        return command, failed_outcome(ts_ns)
    try:
        outcome: Outcome[object] = exchange.apply(command, ts_ns)
    except Exception:
        log.exception(
            "journal record %d (%s) raised during replay: voiding it and rebuilding the "
            "state before it",
            seq,
            type(command).__name__,
        )
        undo_failed(journal, instance_id, seq, exchange)
        return command, failed_outcome(ts_ns)
    results = batch_outcomes(outcome) if isinstance(command, c.Batch) else [outcome]
    for result in results:
        reject = result.reject
        if reject is not None and reject.reason is RejectReason.OUT_OF_DOMAIN:
            # Only an older build journaled such a command; this one refuses it unjournaled.
            log.warning(
                "journal record %d (%s) was accepted by an older build but is out of "
                "domain now (%s): replayed as refused",
                seq,
                type(command).__name__,
                reject.message,
            )
    return command, outcome


class HistoryUnavailable(RuntimeError):
    """The history database failed: its read models no longer follow the journal."""


class HistoryFeed:
    """Feeds applied batches to the history read models on their own thread, in order.

    The writer runs behind the sequencer (its rows are derived, and recovery rebuilds what
    a crash lost, from the watermark it commits with each batch), so a slow read-model
    write never delays a response.

    It never fails silently (decision 0015). A batch the database refuses is written again
    one command at a time; a command whose rows still fail is logged with its seq, counted
    in ``skipped`` and passed over (its rows are missing, every other row is written). If
    even that fails, the database itself is failing: ``failed`` is set, and history reads
    answer ``HistoryUnavailable`` (503) instead of stale rows until a restart rebuilds
    the read models from the journal.
    """

    def __init__(self, writer: HistoryWriter, reader: HistoryReader) -> None:
        self.writer = writer
        self.reader = reader
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self.read_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-read")
        self._pending: list[tuple[int, c.Command, Outcome[object]]] = []
        self.skipped: list[int] = []  # seqs whose rows were left out (the newest 1,000)
        self.failed: BaseException | None = None

    def replay(self, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        """Collect replayed commands, writing them in batches (used during recovery)."""
        self._pending.append((seq, command, outcome))
        if len(self._pending) >= 1000:
            self.flush_replay()

    def flush_replay(self) -> None:
        if self._pending:
            self.write(self._pending)
            self._pending = []

    def on_batch(self, items: list[tuple[int, c.Command, Outcome[object]]]) -> None:
        """Queue one live batch for the history thread (never blocks the loop)."""
        future = self.thread.submit(self.write, items)
        future.add_done_callback(_log_failure)

    def write(self, items: Sequence[tuple[int, c.Command, Outcome[object]]]) -> None:
        """Write a batch; isolate and skip a command whose rows the database refuses."""
        if self.failed is not None or not items:
            return
        try:
            self.writer.apply_batch(items)
            return
        except Exception as error:
            log.error(
                "history write of commands %d..%d failed (%s); writing them one by one",
                items[0][0],
                items[-1][0],
                error,
            )
        for item in items:
            try:
                self.writer.apply_batch([item])
                continue
            except Exception as error:
                log.error(
                    "history: the rows of command %d (%s) cannot be written (%s); they are "
                    "left out and history goes on",
                    item[0],
                    type(item[1]).__name__,
                    error,
                )
            try:
                self.writer.skip([item])
            except Exception as error:
                self.failed = error
                log.error(
                    "history database failed at command %d; history reads answer 503 until "
                    "a restart rebuilds them from the journal",
                    item[0],
                    exc_info=error,
                )
                return
            self.skipped.append(item[0])
            del self.skipped[:-1000]

    async def drain(self) -> None:
        """Wait until every queued batch is written."""
        await asyncio.get_running_loop().run_in_executor(self.thread, lambda: None)

    async def read(self, fn: Callable[[HistoryReader], T]) -> T:
        """Run a query on the reader's thread.

        Raises:
            HistoryUnavailable: the history database failed (see the class docstring).
        """
        if self.failed is not None:
            raise HistoryUnavailable("history is unavailable until the server restarts")
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
        self.engine = "native" if hasattr(recovery.exchange, "core") else "python"

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
        max_snapshot_seq: int | None = None,
        engine: str | None = None,
    ) -> Runtime:
        """Open the journal and history on their threads, recover, start the sequencer.

        ``replay_sink`` receives every replayed command; ``max_snapshot_seq`` makes recovery
        start no later than that seq (a subscriber's own watermark), like the history's.
        ``engine`` is ``native``, ``python`` or None for the default (``runtime.engines``).
        """
        engine = resolve(engine)
        loop = asyncio.get_running_loop()
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        journal = await loop.run_in_executor(thread, Journal.open, db_url)
        writer = await loop.run_in_executor(thread, HistoryWriter.open, history_url(db_url))
        reader = await loop.run_in_executor(thread, HistoryReader.open, writer.url)
        history = HistoryFeed(writer, reader)

        def sink(seq: int, command: c.Command, outcome: Outcome[object]) -> None:
            history.replay(seq, command, outcome)
            if replay_sink is not None:
                replay_sink(seq, command, outcome)

        def run_recovery() -> RecoveryResult:
            # Start no later than the history's watermark, so every command it lacks is
            # replayed through it; then let it catch up to the journal's end.
            bound = writer.watermark()
            if max_snapshot_seq is not None:
                bound = min(bound, max_snapshot_seq)
            result = recover(
                journal,
                instance_id,
                sink,
                max_snapshot_seq=bound,
                on_start=lambda exchange, seq: writer.seed_books(exchange, seq),
                engine=engine,
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

        def undo(seq: int, ts_ns: int, exchange: Exchange) -> Outcome[object]:
            undo_failed(journal, instance_id, seq, exchange)
            return failed_outcome(ts_ns)

        sequencer = Sequencer(
            recovery.exchange,
            journal,
            thread,
            clock,
            last_seq=recovery.last_seq,
            snapshot_every=snapshot_every,
            undo=undo,
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
