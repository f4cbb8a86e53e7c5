"""The server's fixed glibc mmap threshold (``api/memory.py``, decision 0057).

The expectation is glibc's documented behaviour (mallopt(3)): with the default dynamic
threshold, freeing an mmap'd 8 MiB block raises the threshold to 8 MiB, so a later 1 MiB
request is served from the heap; a threshold set with ``M_MMAP_THRESHOLD`` stays put and
that request gets its own mapping (``mallinfo2().hblks`` counts them). Each case runs in a
fresh interpreter, whose threshold nothing has moved yet.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from augury.api.memory import (
    MMAP_THRESHOLD_BYTES,
    MMAP_THRESHOLD_ENV,
    mmap_threshold_from_env,
)
from tests.e2e.server_harness import Server

PROBE = """
import ctypes, sys
from augury.api.memory import mmap_threshold_from_env, set_mmap_threshold

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd",
        "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
threshold = mmap_threshold_from_env()
if threshold:
    assert set_mmap_threshold(threshold)
big = libc.malloc(8 << 20)  # an attacker's 10 MB body, come and gone
libc.free(big)
before = libc.mallinfo2().hblks
buffer = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
libc.free(buffer)
"""


def _has_mallinfo2() -> bool:
    try:
        ctypes.CDLL(None).mallinfo2  # noqa: B018
    except (OSError, AttributeError):
        return False
    return True


pytestmark = pytest.mark.skipif(not _has_mallinfo2(), reason="needs glibc >= 2.33")


def _mapped_after_a_big_free(threshold: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if k not in (MMAP_THRESHOLD_ENV, "LD_PRELOAD")}
    if threshold is not None:
        env[MMAP_THRESHOLD_ENV] = threshold
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


@pytest.mark.process
def test_the_default_threshold_keeps_a_1_mib_buffer_out_of_the_heap_after_a_big_free() -> None:
    assert _mapped_after_a_big_free(None) == 1


@pytest.mark.process
def test_glibcs_dynamic_threshold_moves_it_into_the_heap() -> None:
    # The behaviour the fixed threshold exists to prevent (0: leave glibc's default).
    assert _mapped_after_a_big_free("0") == 0


def test_the_setting_is_parsed_and_bounded() -> None:
    assert mmap_threshold_from_env({}) == MMAP_THRESHOLD_BYTES == 128 * 1024
    assert mmap_threshold_from_env({MMAP_THRESHOLD_ENV: "0"}) == 0
    assert mmap_threshold_from_env({MMAP_THRESHOLD_ENV: "1048576"}) == 1 << 20
    for bad in ("-1", "1k", "１", " 4096", "100", str(64 << 20)):
        with pytest.raises(ValueError, match=MMAP_THRESHOLD_ENV):
            mmap_threshold_from_env({MMAP_THRESHOLD_ENV: bad})


@pytest.mark.process
def test_serve_refuses_a_bad_setting_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MMAP_THRESHOLD_ENV, "lots")
    with pytest.raises(RuntimeError, match="AUGURY_MALLOC_MMAP_THRESHOLD takes a whole number"):
        Server(tmp_path / "data").start()
