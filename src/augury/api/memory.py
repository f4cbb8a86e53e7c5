"""Give memory the server freed back to the operating system (glibc's ``malloc_trim``).

CPython frees most large buffers (request bodies, WebSocket frames, transport buffers)
with ``free``; glibc keeps freed heap memory for reuse instead of returning it, and with
long-lived objects allocated in between, the process's resident size stays at its peak
after a burst. Measured (``bench/soak.py``'s WebSocket attacks against an in-process
server, no other traffic): resident memory 104 MB before, 128 MB after the attack and
still after 35 s and a full garbage collection, 109 MB after one ``malloc_trim(0)``.

``MemoryTrimmer`` calls ``malloc_trim(0)`` every ``interval_s`` seconds on a worker thread
(ctypes releases the GIL for the call, so the event loop keeps running). Where glibc is
not the C library it does nothing.

Before each trim it runs a full garbage collection when Python's live block count
(``sys.getallocatedblocks``) has grown by ``COLLECT_GROWTH_BLOCKS`` since the last one
(``collect_if_grown``). The server freezes its recovered state and raises the collector's
thresholds (``runtime.boot``: 50,000 / 50 / 1000), so the oldest generation is in practice
never collected on its own: cyclic garbage that lived long enough to be promoted there
(a connection's protocol, transport, parser and request-cycle objects point at each
other; an attacker's thousand idle sockets each live for seconds) stays allocated for the
life of the process. Measured on a short soak (decision 0057): about 90,000 live blocks
above the baseline at the end of the recovery, 5,600 once collected. A full pass walks only
what was allocated after the freeze; it runs only after growth, so an idle or steady
server pays nothing. A server whose unfrozen heap is large (one that has grown a big
book since it started) pays more per pass, so passes are also spaced by
``COLLECT_SPACING`` times the last one's duration: the collector never takes more than
about 1 % of the event loop, whatever the heap.

``set_mmap_threshold`` fixes glibc's mmap threshold (``mallopt(M_MMAP_THRESHOLD)``) at
startup, ``MMAP_THRESHOLD_BYTES`` unless ``AUGURY_MALLOC_MMAP_THRESHOLD`` says otherwise
(``0``: glibc's own dynamic threshold). glibc serves a block above the threshold with its
own ``mmap`` and unmaps it on ``free``; but by default, after freeing such a block it
raises the threshold to that block's size (up to 32 MiB), so once an attacker's 10 MB
body has come and gone, every later 1 MB buffer is carved out of the heap, which keeps
what ``malloc_trim`` cannot return after ``free``. A fixed threshold keeps large buffers
out of the heap for good. Measured on the soak attack its effect on resident memory is
inside the run-to-run noise (decision 0057).

``sqlite_memory_bytes`` reads what SQLite holds (``sqlite3_memory_used``: page caches,
schemas, statements of every connection in the process), for ``/metrics`` and the soak
bench's account of resident memory.

Invariants
    - Never on the event loop thread; at most one trim at a time.
    - ``trims`` and ``trim_seconds`` count what it did (plain attributes, for ``/metrics``);
      so do ``collections`` and ``collect_seconds`` for the full garbage collections.
    - A full collection runs on the event loop thread (the collector holds the GIL
      throughout anyway), at most once per interval, only after growth, and never sooner
      than ``COLLECT_SPACING`` times the previous pass's duration after it.
    - The mmap threshold is a whole number of bytes in ``MMAP_THRESHOLD_RANGE`` or 0; any
      other setting stops the server before it starts, with the setting's name.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Final

__all__ = [
    "COLLECT_GROWTH_BLOCKS",
    "COLLECT_SPACING",
    "MMAP_THRESHOLD_BYTES",
    "MMAP_THRESHOLD_ENV",
    "MMAP_THRESHOLD_RANGE",
    "TRIM_INTERVAL_S",
    "MemoryTrimmer",
    "mmap_threshold_from_env",
    "set_mmap_threshold",
    "sqlite_memory_bytes",
]

log = logging.getLogger(__name__)

TRIM_INTERVAL_S: Final = 10.0
# Live-block growth since the last full collection that earns another one: well above
# what a steady server's young objects come and go by, well below a burst's leftovers.
COLLECT_GROWTH_BLOCKS: Final = 20_000
# A pass that took d seconds is followed by none for COLLECT_SPACING * d seconds.
COLLECT_SPACING: Final = 100
MMAP_THRESHOLD_BYTES: Final = 128 * 1024  # glibc's initial threshold, kept fixed
MMAP_THRESHOLD_ENV: Final = "AUGURY_MALLOC_MMAP_THRESHOLD"
# glibc refuses thresholds above HEAP_MAX_SIZE / 2 (32 MiB on 64-bit); below a page,
# every small buffer would be its own mapping.
MMAP_THRESHOLD_RANGE: Final = range(4096, 32 * 1024 * 1024 + 1)
_M_MMAP_THRESHOLD: Final = -3  # <malloc.h>


def mmap_threshold_from_env(environ: Mapping[str, str] | None = None) -> int:
    """The configured mmap threshold in bytes (0: leave glibc's dynamic threshold).

    Raises ValueError naming the variable when it is not 0 or a size in range.
    """
    raw = (os.environ if environ is None else environ).get(MMAP_THRESHOLD_ENV)
    if raw is None:
        return MMAP_THRESHOLD_BYTES
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(f"{MMAP_THRESHOLD_ENV} takes a whole number of bytes, got {raw[:40]!r}")
    value = int(raw)
    if value != 0 and value not in MMAP_THRESHOLD_RANGE:
        raise ValueError(
            f"{MMAP_THRESHOLD_ENV} takes 0 or {MMAP_THRESHOLD_RANGE.start}.."
            f"{MMAP_THRESHOLD_RANGE.stop - 1} bytes, got {value}"
        )
    return value


def set_mmap_threshold(nbytes: int) -> bool:
    """Fix glibc's mmap threshold at ``nbytes``; False where it cannot be (not glibc)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, nbytes))


def _malloc_trim() -> Callable[[int], int] | None:
    # The process's own symbols (dlopen(NULL)) include the C library's; only glibc has
    # malloc_trim. (ctypes.util.find_library would run ldconfig in a subprocess.)
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def _sqlite_memory_used() -> Callable[[], int] | None:
    # The library the sqlite3 module already loaded (dlopen by soname returns that handle).
    import sqlite3  # noqa: F401  (loads libsqlite3 first)

    try:
        used = ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used
    except (OSError, AttributeError):
        return None
    used.argtypes = []
    used.restype = ctypes.c_int64
    return used


_SQLITE_MEMORY_USED = _sqlite_memory_used()


def sqlite_memory_bytes() -> int:
    """Bytes SQLite holds in this process now (0 where the library is not found)."""
    return int(_SQLITE_MEMORY_USED()) if _SQLITE_MEMORY_USED is not None else 0


class MemoryTrimmer:
    """Periodically returns freed heap memory to the OS (see the module docstring)."""

    def __init__(
        self,
        interval_s: float = TRIM_INTERVAL_S,
        *,
        growth_blocks: int = COLLECT_GROWTH_BLOCKS,
        blocks: Callable[[], int] = sys.getallocatedblocks,
        collect: Callable[[], int] = gc.collect,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval_s = interval_s
        self.growth_blocks = growth_blocks
        self._trim = _malloc_trim()
        self._blocks = blocks
        self._collect = collect
        self._now = now
        self._blocks_after_collect = blocks()
        self._next_collect_s = 0.0  # monotonic seconds before which no pass runs
        self.trims = 0
        self.trim_seconds = 0.0
        self.collections = 0
        self.collect_seconds = 0.0

    @property
    def available(self) -> bool:
        return self._trim is not None

    def trim_now(self) -> None:
        """Trim once, on the calling thread."""
        if self._trim is None:
            return
        started = time.perf_counter()
        self._trim(0)
        self.trims += 1
        self.trim_seconds += time.perf_counter() - started

    def collect_if_grown(self) -> bool:
        """Run a full garbage collection if live blocks grew enough since the last one.

        Returns True when it collected. The level to grow from is the one measured right
        after the last collection, so memory the server really keeps (new orders, new
        users) raises the bar instead of earning a collection every interval.
        """
        if self._blocks() - self._blocks_after_collect < self.growth_blocks:
            return False
        started = self._now()
        if started < self._next_collect_s:
            return False  # the last pass was long: the collector keeps to its share
        self._collect()
        took_s = self._now() - started
        self.collect_seconds += took_s
        self.collections += 1
        self._blocks_after_collect = self._blocks()
        self._next_collect_s = started + took_s + COLLECT_SPACING * took_s
        return True

    async def run(self) -> None:
        """Every ``interval_s`` seconds: collect if grown, then trim, until cancelled."""
        while True:
            await asyncio.sleep(self.interval_s)
            self.collect_if_grown()
            if self._trim is not None:
                await asyncio.to_thread(self.trim_now)
