"""The coverage summary (``tests.coverage_figures``): its per-package split and its floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.coverage_figures import main, package_of


def _entry(statements: int, hit: int, branches: int, branches_hit: int) -> dict[str, object]:
    return {
        "summary": {
            "num_statements": statements,
            "covered_lines": hit,
            "num_branches": branches,
            "covered_branches": branches_hit,
        }
    }


def test_files_are_grouped_by_top_level_package() -> None:
    assert package_of("src/augury/engine/book.py") == "engine"
    assert package_of("src/augury/api/ws/hub.py") == "api"
    assert package_of("src/augury/catalog.py") == "catalog"
    assert package_of("src/augury/__init__.py") == "augury"


def _report(tmp_path: Path, engine_branches_hit: int) -> Path:
    files = {
        "src/augury/engine/a.py": _entry(10, 10, 20, engine_branches_hit),
        "src/augury/ledger/b.py": _entry(10, 9, 10, 10),
        "src/augury/api/c.py": _entry(100, 50, 10, 1),  # no floor outside the core
    }
    totals = _entry(120, 69, 40, 11 + engine_branches_hit)["summary"]
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps({"files": files, "totals": totals}))
    return path


def test_the_core_at_the_floor_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_report(tmp_path, engine_branches_hit=19))]) == 0  # 95.0 %
    out = capsys.readouterr().out
    assert "engine" in out
    assert "19/20" in out
    assert "95.0" in out


def test_the_core_under_the_floor_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_report(tmp_path, engine_branches_hit=18))]) == 1  # 90.0 %
    assert "branch coverage under 95 %: engine 90.0 %" in capsys.readouterr().out
