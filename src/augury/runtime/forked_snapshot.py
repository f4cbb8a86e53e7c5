"""Pickle the exchange in a forked child, so a snapshot does not stall the sequencer.

Pickling a large exchange takes seconds (about 15 s for the state 1,000,000 benchmark
commands leave behind), and it must see one consistent state. Done on the event loop,
it would stop every order for that long. ``fork`` gives the child a copy-on-write image
of the state as it is at this instant; the child pickles it into a pipe and exits, while
the parent keeps applying commands. This is how Redis writes its RDB snapshots.

Safety of forking a threaded process: the child runs only ``pickle.dumps`` over plain
objects (the GIL and the allocator are re-initialised by ``os.fork``) and raw ``os.write``
calls, touches no lock another thread could hold (no logging, no database connection),
and leaves with ``os._exit`` so no atexit handler, buffered file or finaliser of the
parent runs twice.

Cost: the fork itself (page tables: milliseconds for a large heap) and, while the child
runs, up to the state's size again in memory, since pickling touches reference counts and
so copies the pages it reads. A child still pickling when the parent dies gets a broken
pipe and exits.

The parent reads the pipe on a worker thread (never on the event loop or the journal
thread) and reaps the child. A child that fails yields ``None``: the snapshot is skipped,
which loses nothing, because the journal still holds every command.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable

from augury.engine.exchange import Exchange
from augury.engine.state import make_snapshot

__all__ = ["can_fork", "snapshot_in_child"]

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


def can_fork() -> bool:
    """Whether this platform can take snapshots in a forked child."""
    return hasattr(os, "fork")


def snapshot_in_child(exchange: Exchange) -> Awaitable[bytes | None]:
    """Fork now; return an awaitable of the pickled exchange as it was at this call.

    The awaitable yields None when the child failed. The caller may mutate the exchange
    as soon as this returns: the child works on its own copy-on-write image.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its effect is checked through the pipe
        _child(exchange, read_fd, write_fd)
    os.close(write_fd)
    return asyncio.to_thread(_collect, pid, read_fd)


def _child(exchange: Exchange, read_fd: int, write_fd: int) -> None:  # pragma: no cover
    status = 1
    try:
        os.close(read_fd)
        view = memoryview(make_snapshot(exchange))
        while view:
            view = view[os.write(write_fd, view[:_CHUNK]) :]
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, read_fd: int) -> bytes | None:
    chunks: list[bytes] = []
    with os.fdopen(read_fd, "rb") as pipe:
        while chunk := pipe.read(_CHUNK):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        log.warning("snapshot child %d failed (status %d); snapshot skipped", pid, status)
        return None
    return b"".join(chunks)
