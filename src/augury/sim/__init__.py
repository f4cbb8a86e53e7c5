"""Seeded random simulation: millions of commands through the engine, audited and replayed.

    python -m augury.sim --commands 2000000 [--seed S] [--audit-every K]

The package, from the inside out:

- ``view``: the simulated client's view of the exchange, built only from events.
- ``workload``: the seeded generator (``Workload``) of a realistic stream over about 20
  markets and 50 users: resting limits near the touch, crossing orders, immediate-or-cancel,
  fill-or-kill, post-only, reduce-only and market orders, cancels, amends, decreases,
  cancel-all, batches, deposits, withdrawals, subaccount transfers and ticks; ``rare``
  adds order groups, pauses and resumes of markets and of the exchange, market closes and
  settlements (yes, no, scalar, void, with and without a settlement timer, sometimes
  disputed) with new markets replacing settled ones, and a trickle of deliberately
  invalid commands.
- ``runner``: ``run`` applies the stream to an ``Exchange`` with audits, client-view
  checks and refused-command probes, and pinpoints the command at fault.
- ``replay``: the encoded command log replayed into a fresh exchange must reproduce every
  outcome, the checkpoint digests and the final digest byte for byte.
- ``cli``: ``python -m augury.sim`` (``make sim``).

Determinism: a seed reproduces a run exactly, so a failing seed is a reproduction.
"""

from augury.sim.cli import main
from augury.sim.runner import DEFAULT_AUDIT_EVERY, DEFAULT_SEED, SimReport, run
from augury.sim.workload import SERIES, Workload

__all__ = ["DEFAULT_AUDIT_EVERY", "DEFAULT_SEED", "SERIES", "SimReport", "Workload", "main", "run"]
