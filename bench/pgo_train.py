"""The training run of the native engine's profile-guided build (decision 0065).

    .venv/bin/python -m bench.pgo_train

``native/build.sh`` builds ``augury_native`` instrumented, runs this module against it,
merges the counters it wrote and rebuilds with them, so the compiler lays out and inlines
the code for the paths a running exchange takes. What runs here decides what the final
build treats as hot, so it covers every path whose speed a goal of issue 15 names, in
rough proportion to how often a server takes it:

1. the mixed workload of ``bench.engine`` (its generator, another seed than the benchmarks
   use) through ``Core.apply_batch``, the sequencer's hot path: about 95 % of the counted
   work;
2. the seeded simulation of ``augury.sim`` (every command kind, rejects, lifecycle and
   settlement, the auditor, a replay);
3. recovery: the state dumped to a snapshot and loaded into a fresh exchange, its digest,
   and the journal replayed through ``Core.apply_prefix``.

Nothing here is timed and nothing is asserted beyond the engine's own checks (a failed
simulation or a snapshot that loads to another digest stops the build's PGO step, and the
plain release build is installed instead). Deterministic: fixed seeds, fixed times.
"""

from __future__ import annotations

import sys

from augury.runtime import native_engine
from augury.sim.cli import main as sim_main
from bench.engine import TS0
from bench.native_batch import generate

MIXED_COMMANDS = 100_000
REPLAY_COMMANDS = 20_000
SIM_COMMANDS = 20_000
SEED = 11
BATCH = 1024


def mixed_workload() -> native_engine.NativeExchange:
    """The benchmark's mixed workload through ``apply_batch``; return the exchange."""
    setup, prefill, stream = generate(MIXED_COMMANDS, SEED, BATCH)
    exchange = native_engine.NativeExchange("pgo-train")
    core = exchange.core
    core.apply_batch(setup, TS0)
    for payloads, ts_ns in prefill + stream:
        core.apply_batch(payloads, ts_ns)
    return exchange


def recovery(exchange: native_engine.NativeExchange) -> None:
    """Snapshot out and in, digest both, and replay a journal through ``apply_prefix``."""
    loaded = native_engine.NativeExchange.load(exchange.dump_state())
    if loaded.canonical_bytes() != exchange.canonical_bytes():
        raise SystemExit("pgo_train: a snapshot loaded to another state")
    setup, prefill, stream = generate(REPLAY_COMMANDS, SEED + 1, BATCH)
    payloads = list(setup)
    times = [TS0] * len(setup)
    for batch, ts_ns in prefill + stream:
        payloads += batch
        times += [ts_ns] * len(batch)
    replayed = native_engine.NativeExchange("pgo-replay")
    _, applied, error = replayed.core.apply_prefix(payloads, times, False)
    if error is not None or applied != len(payloads):
        raise SystemExit(f"pgo_train: replay stopped at record {applied}: {error}")


def main() -> None:
    if not native_engine.available():
        raise SystemExit("pgo_train: the native engine is not built")
    exchange = mixed_workload()
    if sim_main(["--engine", "native", "--commands", str(SIM_COMMANDS), "--seed", "3"]) != 0:
        raise SystemExit("pgo_train: the simulation failed")
    recovery(exchange)
    print("pgo_train: done", file=sys.stderr)


if __name__ == "__main__":
    main()
