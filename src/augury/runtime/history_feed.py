"""The history feed: applied batches handed to the history read models' writer, in order,
on a thread of its own, through a bounded queue.

The writer runs behind the sequencer (its rows are derived, and recovery rebuilds what a
crash lost, from the watermark it commits with each batch), so a slow read-model write
never delays a response. The hand-off is bounded: at most ``MAX_QUEUED_BATCHES`` batches
wait for the writer. The sequencer awaits ``room()`` before it takes its next batch, so a
writer that falls that far behind slows the sequencer down instead of queueing without
limit; ``on_batch`` itself never blocks the event loop.

It never fails silently (decision 0015). A batch the database refuses is written again
one command at a time; a command whose rows still fail is logged with its seq, counted
in ``skipped`` and passed over (its rows are missing, every other row is written). If
even that fails, the database itself is failing: ``failed`` is set, and history reads
answer ``HistoryUnavailable`` (503) instead of stale rows until a restart rebuilds
the read models from the journal.

Reads run on a second thread (``read``); ``drain`` waits for the batches queued so far,
which makes a read see every command answered before it (read-your-writes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from augury.engine import commands as c
from augury.engine.exchange import Outcome
from augury.runtime.ports import HistoryReaderPort, HistoryWriterPort

__all__ = ["MAX_QUEUED_BATCHES", "HistoryFeed", "HistoryUnavailable"]

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_QUEUED_BATCHES = 64  # sequencer batches (each up to max_batch commands) in flight
_Item = tuple[int, c.Command, Outcome[object]]


class HistoryUnavailable(RuntimeError):
    """The history database failed: its read models no longer follow the journal."""


class HistoryFeed:
    """Feeds applied batches to the history read models on their own thread, in order."""

    def __init__(
        self,
        writer: HistoryWriterPort,
        reader: HistoryReaderPort,
        *,
        max_queued: int = MAX_QUEUED_BATCHES,
    ) -> None:
        self._writer = writer
        # The store's own writer and reader, for whoever built the feed (their other
        # methods are the store's business); the feed itself uses only the ports above.
        self.writer: Any = writer
        self.reader: Any = reader
        self._reader = reader
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self.read_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-read")
        self.max_queued = max_queued
        self._pending: list[_Item] = []
        self.skipped: list[int] = []  # seqs whose rows were left out (the newest 1,000)
        self.failed: BaseException | None = None
        # Batches handed to the writer thread and not written yet. Changed on the event
        # loop only: the writer thread reports each finished batch with call_soon_threadsafe.
        self.queued = 0
        self._room: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def replay(self, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        """Collect replayed commands, writing them in batches (used during recovery)."""
        self._pending.append((seq, command, outcome))
        if len(self._pending) >= 1000:
            self.flush_replay()

    def flush_replay(self) -> None:
        """Write what ``replay`` collected (recovery, on the caller's thread)."""
        if self._pending:
            self.write(self._pending)
            self._pending = []

    def on_batch(self, items: list[_Item]) -> None:
        """Queue one live batch for the writer thread (never blocks the loop; the sequencer
        waited for ``room`` before it took the batch)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self.queued += 1
        future = self.thread.submit(self.write, items)
        future.add_done_callback(self._written)

    def _written(self, future: Future[None]) -> None:
        # On the writer thread: report back to the loop, which owns ``queued``.
        error = future.exception()
        if error is not None:
            log.error("history write failed; restart rebuilds it from the journal", exc_info=error)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._one_written)

    def _one_written(self) -> None:
        self.queued -= 1
        if self._room is not None:
            self._room.set()

    async def room(self) -> None:
        """Wait until the queue has room for one more batch."""
        while self.queued >= self.max_queued:
            if self._room is None:
                self._room = asyncio.Event()
            self._room.clear()
            await self._room.wait()

    def write(self, items: Sequence[_Item]) -> None:
        """Write a batch; isolate and skip a command whose rows the database refuses."""
        if self.failed is not None or not items:
            return
        try:
            self._writer.apply_batch(items)
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
                self._writer.apply_batch([item])
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
                self._writer.skip([item])
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
        """Wait until every queued batch is written (at once when none is queued)."""
        if self.queued:
            await asyncio.get_running_loop().run_in_executor(self.thread, lambda: None)

    async def read(self, fn: Callable[[Any], T]) -> T:
        """Run a query on the reader's thread.

        Raises:
            HistoryUnavailable: the history database failed (see the module docstring).
        """
        if self.failed is not None:
            raise HistoryUnavailable("history is unavailable until the server restarts")
        return await asyncio.get_running_loop().run_in_executor(self.read_thread, fn, self.reader)

    def close(self) -> None:
        """Finish the queued writes and close both connections."""
        self.thread.shutdown(wait=True)
        self.read_thread.shutdown(wait=True)
        self._writer.close()
        self._reader.close()
