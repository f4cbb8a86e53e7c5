"""Print line and branch coverage by package, and hold the pure core to its floor.

    python -m tests.coverage_figures [coverage.json]

Reads the JSON report that ``coverage json`` writes (``make coverage`` does both) and
prints, for each top-level package of ``augury`` and in total, statements and branches
covered as separate percentages: coverage.py's own headline mixes the two. Exits 1 when
``engine`` or ``ledger`` is under ``BRANCH_FLOOR_PCT`` branch coverage (the floor the
pure core is held to: issue 11, STYLE.md practice 14).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BRANCH_FLOOR_PCT = 95
HELD_TO_THE_FLOOR = ("engine", "ledger")


@dataclass
class Tally:
    statements: int = 0
    statements_hit: int = 0
    branches: int = 0
    branches_hit: int = 0

    def add(self, summary: dict[str, Any]) -> None:
        self.statements += summary["num_statements"]
        self.statements_hit += summary["covered_lines"]
        self.branches += summary.get("num_branches", 0)
        self.branches_hit += summary.get("covered_branches", 0)

    @staticmethod
    def pct(hit: int, total: int) -> float:
        return 100.0 * hit / total if total else 100.0

    @property
    def line_pct(self) -> float:
        return self.pct(self.statements_hit, self.statements)

    @property
    def branch_pct(self) -> float:
        return self.pct(self.branches_hit, self.branches)


def package_of(path: str) -> str:
    """``src/augury/engine/book.py`` -> ``engine``; a module at the root -> its name."""
    parts = Path(path).parts
    name = parts[parts.index("augury") + 1].removesuffix(".py")
    return "augury" if name == "__init__" else name


def tallies(report: dict[str, Any]) -> dict[str, Tally]:
    by_package: dict[str, Tally] = {}
    for path, entry in report["files"].items():
        by_package.setdefault(package_of(path), Tally()).add(entry["summary"])
    return dict(sorted(by_package.items()))


def main(argv: list[str]) -> int:
    report = json.loads(Path(argv[0] if argv else "coverage.json").read_text())
    by_package = tallies(report)
    total = Tally()
    total.add(report["totals"])
    print(f"{'package':<12} {'lines':>14} {'line %':>7} {'branches':>14} {'branch %':>8}")
    for name, t in [*by_package.items(), ("TOTAL", total)]:
        print(
            f"{name:<12} {t.statements_hit:>6}/{t.statements:<7} {t.line_pct:>6.1f}"
            f" {t.branches_hit:>6}/{t.branches:<7} {t.branch_pct:>7.1f}"
        )
    short = [
        f"{name} {by_package[name].branch_pct:.1f} %"
        for name in HELD_TO_THE_FLOOR
        if name in by_package and by_package[name].branch_pct < BRANCH_FLOOR_PCT
    ]
    if short:
        print(f"branch coverage under {BRANCH_FLOOR_PCT} %: {', '.join(short)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
