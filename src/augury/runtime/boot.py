"""Starting an exchange from its data: recovery, first-run setup and the running runtime.

Recovery: ``Journal.open`` has already dropped any torn or corrupt tail; ``recover`` loads
the newest snapshot whose checksum verifies (falling back to older ones) and replays every
journal record after it through the engine. Replay emits the same events the original run
did, and they are handed to ``replay_sink`` so read models that lag behind the journal can
catch up. The recovered state is exactly the state that wrote the journal; its digest is
reported so tests and operators can compare.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import load_snapshot, state_digest
from augury.runtime.clock import Clock
from augury.runtime.sequencer import Sequencer
from augury.store import Journal

__all__ = ["RecoveryResult", "Runtime", "recover"]

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
    journal: Journal, instance_id: str, replay_sink: ReplaySink | None = None
) -> RecoveryResult:
    """Rebuild the exchange from the newest valid snapshot plus the journal after it."""
    started = time.perf_counter()
    loaded = journal.load_latest_snapshot()
    if loaded is None:
        snapshot_seq, exchange = 0, Exchange(instance_id)
    else:
        snapshot_seq, exchange = loaded[0], load_snapshot(loaded[1])
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
        skipped_snapshots=tuple(journal.skipped_snapshots),
        seconds=time.perf_counter() - started,
    )


class Runtime:
    """The running core of a server: journal thread, recovered exchange and sequencer."""

    def __init__(
        self,
        journal: Journal,
        thread: ThreadPoolExecutor,
        recovery: RecoveryResult,
        sequencer: Sequencer,
    ) -> None:
        self.journal = journal
        self.thread = thread
        self.recovery = recovery
        self.sequencer = sequencer

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
        snapshot_every: int = 200_000,
        replay_sink: ReplaySink | None = None,
    ) -> Runtime:
        """Open the journal on its own thread, recover, and start the sequencer."""
        loop = asyncio.get_running_loop()
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        journal = await loop.run_in_executor(thread, Journal.open, db_url)
        recovery = await loop.run_in_executor(thread, recover, journal, instance_id, replay_sink)
        sequencer = Sequencer(
            recovery.exchange,
            journal,
            thread,
            clock,
            last_seq=recovery.last_seq,
            snapshot_every=snapshot_every,
        )
        sequencer.start()
        return cls(journal, thread, recovery, sequencer)

    async def stop(self) -> None:
        """Stop accepting commands, snapshot, and close the journal."""
        await self.sequencer.stop(snapshot=True)
        await asyncio.get_running_loop().run_in_executor(self.thread, self.journal.close)
        self.thread.shutdown(wait=True)

    def digest(self) -> str:
        """Return the digest of the current state (for tests and the admin API)."""
        return state_digest(self.exchange)
