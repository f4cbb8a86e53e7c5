"""The replay check: the run's encoded command log, decoded into a fresh exchange, must
reproduce the live run outcome by outcome and digest by digest.

``CommandLog`` records what the sequencer would journal (each command encoded with
``encode_command`` before it is applied, and its time) and, beside it, what the live run
saw: each outcome's reject code and event count, and the state digest at a few
checkpoints. ``replay_check`` decodes every record and applies it at its time to a new
``Exchange``, and fails at the first command whose outcome, checkpoint digest or final
digest differs.
"""

from __future__ import annotations

import time
import traceback
from array import array
from collections.abc import Callable

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.exchange import Outcome
from augury.engine.state import state_digest
from augury.runtime.engines import new_exchange

__all__ = ["CommandLog", "SimFailure", "outcome_code", "replay_check"]

INSTANCE_ID = "augury-sim"
_REJECT_CODES = {reason: n for n, reason in enumerate(RejectReason, start=1)}


class SimFailure(Exception):
    """A run stopped at command ``index`` (0-based) for ``message``."""

    def __init__(
        self, index: int, message: str, command: c.Command | None, *, audit: bool = False
    ) -> None:
        super().__init__(message)
        self.index = index
        self.message = message
        self.command = command
        self.audit = audit  # found by a periodic check: the fault may be earlier


def outcome_code(outcome: Outcome[object]) -> int:
    """0 for an accepted command, else a small number naming the reject reason."""
    return 0 if outcome.reject is None else _REJECT_CODES[outcome.reject.reason]


class CommandLog:
    """The encoded commands of a run, with each live outcome's code and event count."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("Q")
        self.times = array("q")  # each command's time (its journal envelope)
        self.codes = bytearray()
        self.event_counts = bytearray()
        self.checkpoints: dict[int, str] = {}  # command index -> digest after it

    def __len__(self) -> int:
        return len(self.ends)

    def journal(self, command: c.Command, ts_ns: int) -> None:
        """Append ``command``'s encoding and time (before it is applied, as the sequencer
        does)."""
        self.data += c.encode_command(command)
        self.ends.append(len(self.data))
        self.times.append(ts_ns)

    def saw(self, outcome: Outcome[object]) -> None:
        """Record the live outcome of the last journaled command."""
        self.codes.append(outcome_code(outcome))
        self.event_counts.append(len(outcome.events) & 0xFF)

    def payload(self, index: int) -> bytes:
        start = self.ends[index - 1] if index else 0
        return bytes(memoryview(self.data)[start : self.ends[index]])


def replay_check(
    log: CommandLog,
    expected_digest: str,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 100_000,
    engine: str = "python",
) -> str:
    """Replay ``log`` into a fresh exchange; return its final digest.

    Raises:
        SimFailure: at the first command whose replayed outcome or checkpoint digest
            differs from the live run's, or when the final digest is not ``expected_digest``.
    """
    fresh = new_exchange(engine, INSTANCE_ID)
    mark_t = time.perf_counter()
    decode = c.decode_command
    codes, counts, checkpoints = log.codes, log.event_counts, log.checkpoints
    times = log.times
    for index in range(len(log)):
        command = decode(log.payload(index))
        try:
            outcome: Outcome[object] = fresh.apply(command, times[index])
        except Exception as exc:
            detail = traceback.format_exception_only(exc)[-1].strip()
            raise SimFailure(index, f"exception during replay: {detail}", command) from exc
        if outcome_code(outcome) != codes[index] or len(outcome.events) & 0xFF != counts[index]:
            raise SimFailure(index, "replay outcome differs from the live run", command)
        expected = checkpoints.get(index)
        if expected is not None and state_digest(fresh) != expected:
            raise SimFailure(index, "replay digest differs from the live run's", command)
        if progress is not None and (index + 1) % progress_every == 0:
            now = time.perf_counter()
            progress(
                f"{index + 1:>12,} replayed {progress_every / (now - mark_t):>10,.0f} commands/s"
            )
            mark_t = now
    digest = state_digest(fresh)
    if digest != expected_digest:
        raise SimFailure(len(log) - 1, "final replay digest differs", None)
    return digest
