"""The native binding's hot path alone: ``Core.apply_batch`` in CPU-seconds, and its bytes.

    .venv/bin/python -m bench.native_batch [--commands N] [--batch B] [--rounds R]
                                           [--seed S] [--stream FILE] [--server-malloc]

The mixed workload of ``bench.engine`` (the same generator and seed: 100 markets, 1,000
users, resting limits near the touch, crossing orders, cancels and amends) is encoded as
journal payloads in batches of ``--batch``, then applied ``--rounds`` times, each to a
fresh native exchange (after the same setup and prefill), timing only the ``apply_batch``
calls with ``time.process_time_ns``: on a shared machine wall time includes waiting for a
core, CPU time does not. Each batch's outcome is hashed outside the timer and dropped before
the next batch (as the sequencer drops it once decoded). Each round prints its commands per
CPU-second and wall second, and the minor page faults taken inside the timed calls per
1,000 commands (``getrusage``; the process is single-threaded while they run): a fresh
result buffer costs one fault per 4 KiB touched. ``--server-malloc`` first fixes glibc's
mmap threshold as ``augury serve`` does (decision 0057, ``api.memory``), so a result of
128 KiB or more is a fresh mapping each time, as in the server. The last line gives the
median and the SHA-256 of every outcome byte of the timed stream, so two builds compared on
the same stream must print the same digest (byte-identical outcomes).

``--stream FILE`` keeps the generated payloads in FILE (generation drives the Python engine
and takes most of a minute): the first run writes it, later runs read it, so builds can be
interleaved on one stream. Point ``PYTHONPATH`` at another build's ``augury_native`` package
to measure it on the same stream.

Prints figures only and asserts nothing. The last line is always
``per_cpu_s=<median> outcomes_sha256=<hex>``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import random
import resource
import statistics
import sys
import time

from augury.api.memory import MMAP_THRESHOLD_BYTES, set_mmap_threshold
from augury.engine import commands as c
from augury.runtime import native_engine
from bench.engine import TS0, Generator, setup_commands

Batches = list[tuple[list[bytes], int]]


def generate(commands: int, seed: int, batch: int) -> tuple[list[bytes], Batches, Batches]:
    """Setup payloads, prefill batches and measured batches (each at its last command's time)."""
    gen = Generator(random.Random(seed))
    setup = [c.encode_command(cmd) for cmd in setup_commands()]
    prefill = gen.prefill(per_market=40)
    stream = [gen.next() for _ in range(commands)]

    def batches(timed: list[tuple[c.Command, int]]) -> Batches:
        return [
            (
                [c.encode_command(cmd) for cmd, _ in timed[i : i + batch]],
                timed[i : i + batch][-1][1],
            )
            for i in range(0, len(timed), batch)
        ]

    return setup, batches(prefill), batches(stream)


def _minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def run_round(setup: list[bytes], prefill: Batches, stream: Batches) -> tuple[int, int, int, str]:
    """One fresh exchange; return (CPU ns, wall ns, minor faults, SHA-256 of the outcomes)."""
    core = native_engine.NativeExchange("bench-mixed").core
    core.apply_batch(setup, TS0)
    for payloads, ts_ns in prefill:
        core.apply_batch(payloads, ts_ns)
    apply_batch = core.apply_batch
    digest = hashlib.sha256()
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns
    cpu = wall = faults = 0
    for payloads, ts_ns in stream:
        # Only the call is timed; each outcome is hashed, then dropped before the next batch,
        # as the sequencer drops it after decoding (holding them all would make every batch's
        # bytes land on fresh pages: page faults no server pays).
        f0 = _minor_faults()
        c0, w0 = cpu_clock(), clock()
        out = apply_batch(payloads, ts_ns)
        wall += clock() - w0
        cpu += cpu_clock() - c0
        faults += _minor_faults() - f0
        digest.update(out)
        del out
    return cpu, wall, faults, digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stream", metavar="FILE", help="cache of the generated payloads")
    parser.add_argument(
        "--server-malloc", action="store_true", help="fix the mmap threshold as the server does"
    )
    args = parser.parse_args()
    if args.server_malloc and not set_mmap_threshold(MMAP_THRESHOLD_BYTES):
        raise SystemExit("--server-malloc: mallopt is not available here (not glibc)")
    if not native_engine.available():
        raise SystemExit("the native engine is not built (make install builds it)")
    key = (args.commands, args.batch, args.seed)
    data = None
    if args.stream and os.path.exists(args.stream):
        with open(args.stream, "rb") as f:
            cached = pickle.load(f)
        if cached[0] == key:
            data = cached[1]
    if data is None:
        data = generate(args.commands, args.seed, args.batch)
        if args.stream:
            with open(args.stream, "wb") as f:
                pickle.dump((key, data), f)
    setup, prefill, stream = data
    commands = sum(len(p) for p, _ in stream)
    print(
        f"native apply_batch: {commands:,} commands in batches of {args.batch}, "
        f"module {sys.modules['augury_native'].__file__}, load {os.getloadavg()[0]:.2f}"
        + (", server malloc" if args.server_malloc else "")
    )
    rates = []
    digest = ""
    for r in range(args.rounds):
        cpu, wall, faults, digest = run_round(setup, prefill, stream)
        rate = commands / (cpu / 1e9)
        rates.append(rate)
        print(
            f"  round {r}: {rate:,.0f} per CPU-second, {commands / (wall / 1e9):,.0f}/s wall, "
            f"{1000 * faults / commands:.1f} page faults per 1,000 commands"
        )
    print(f"per_cpu_s={statistics.median(rates):.0f} outcomes_sha256={digest}")


if __name__ == "__main__":
    main()
