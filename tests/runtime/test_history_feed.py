"""The history feed's hand-off is bounded: a writer that falls behind holds the sequencer
back (``room``) instead of letting batches pile up, and ``drain`` waits for what is queued."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from augury.runtime.history_feed import HistoryFeed


class _GatedWriter:
    """Writes nothing until its gate opens; records the batches in order."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.written: list[list[Any]] = []

    def apply_batch(self, items: list[Any]) -> None:
        assert self.gate.wait(timeout=30), "the test never opened the gate"
        self.written.append(list(items))

    def close(self) -> None:
        pass


class _Reader:
    def close(self) -> None:
        pass


def test_a_full_queue_holds_the_next_batch_until_the_writer_catches_up() -> None:
    async def run() -> None:
        writer = _GatedWriter()
        feed = HistoryFeed(writer, _Reader(), max_queued=2)  # type: ignore[arg-type]
        try:
            await feed.room()  # empty: room at once
            feed.on_batch([(1, None, None)])  # type: ignore[list-item]
            await feed.room()
            feed.on_batch([(2, None, None)])  # type: ignore[list-item]
            assert feed.queued == 2
            waiting = asyncio.ensure_future(feed.room())
            for _ in range(5):  # give it every chance to finish early: it must not
                await asyncio.sleep(0)
            assert not waiting.done()
            writer.gate.set()
            await asyncio.wait_for(waiting, timeout=30)
            await feed.drain()
            assert feed.queued == 0
            assert writer.written == [[(1, None, None)], [(2, None, None)]]
        finally:
            writer.gate.set()
            feed.close()

    asyncio.run(run())


def test_drain_is_immediate_when_nothing_is_queued() -> None:
    async def run() -> None:
        writer = _GatedWriter()
        feed = HistoryFeed(writer, _Reader())  # type: ignore[arg-type]
        # Keep the writer thread busy with work that is not a queued batch: a drain that
        # hopped to that thread anyway would wait for it.
        feed.thread.submit(writer.apply_batch, [])
        try:
            await asyncio.wait_for(feed.drain(), timeout=5)
        finally:
            writer.gate.set()
            feed.close()

    asyncio.run(run())
