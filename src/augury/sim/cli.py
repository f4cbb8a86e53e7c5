"""The simulation's command line: ``python -m augury.sim`` (``make sim``).

Prints the seed first, progress while it runs, and either the figures and the final digest
(exit 0) or ``FAILED seed=... at command ...`` with the command and the line that
reproduces it (exit 1).
"""

from __future__ import annotations

import argparse

from augury.runtime.engines import ENGINES, resolve
from augury.sim.runner import DEFAULT_AUDIT_EVERY, DEFAULT_SEED, run

__all__ = ["main"]

DESCRIPTION = "Seeded random simulation: commands through the engine, audited and replayed."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m augury.sim", description=DESCRIPTION)
    parser.add_argument("--commands", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--audit-every", type=int, default=DEFAULT_AUDIT_EVERY)
    parser.add_argument("--engine", choices=ENGINES, default="python")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also apply every command to the Python engine and require the same outcome",
    )
    args = parser.parse_args(argv)
    engine = resolve(args.engine)
    print(
        f"augury sim: seed={args.seed} commands={args.commands:,} audit_every={args.audit_every:,}"
        f" engine={engine}{' compared with python' if args.compare else ''}",
        flush=True,
    )
    report = run(
        args.commands,
        args.seed,
        args.audit_every,
        progress=lambda s: print(s, flush=True),
        engine=engine,
        compare=args.compare,
    )
    if report.failure is not None:
        print(f"FAILED seed={report.seed} at command {report.failure_index}: {report.failure}")
        if report.failure_command is not None:
            print(f"  command {report.failure_index}: {report.failure_command}")
        print(
            f"  reproduce: python -m augury.sim --seed {report.seed} --commands "
            f"{report.failure_index + 1 if report.failure_index is not None else args.commands}"
            f" --audit-every {args.audit_every}"
        )
        return 1
    print(
        f"run: {report.applied:,} commands in {report.run_s:.1f} s "
        f"({report.commands_per_s:,.0f} commands/s incl. generation, audits every "
        f"{report.audit_every:,}: {report.audits})"
    )
    print(
        f"replay: {report.replay_s:.1f} s ({report.replay_commands_per_s:,.0f} commands/s), "
        f"log {report.log_bytes:,} bytes"
    )
    print(
        f"cpu: {report.cpu_s:.1f} s for run + replay "
        f"(wall {report.run_s + report.replay_s:.1f} s; less CPU than wall means a busy machine)"
    )
    print(
        f"trades={report.trades:,} settled_markets={report.settled_markets} "
        f"rejected-command probes={report.probes}"
    )
    print("rejects: " + ", ".join(f"{k}={v:,}" for k, v in report.rejects.items()))
    print(f"final digest {report.digest} (replay identical)")
    return 0
