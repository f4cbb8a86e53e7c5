"""Architecture checks: import direction and what the pure core may not touch.

``domain <- engine, ledger <- runtime <- store, api, cli``: the pure core (domain, engine,
ledger) imports nothing from the adapters and nothing that reads a clock, draws random
numbers, does I/O or uses floats for money.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "augury"
PURE = ("domain", "engine", "ledger")
ADAPTERS = ("runtime", "store", "api", "cli", "demo", "web")

# Modules the pure core must never import, with the reason shown on failure.
BANNED_MODULES = {
    "asyncio": "the core is synchronous; the sequencer owns concurrency",
    "time": "use the command's ts_ns (the sequencer's injected clock)",
    "datetime": "use the command's ts_ns",
    "random": "randomness is injected; the core is deterministic",
    "uuid": "ids come from the engine's own counter",
    "secrets": "ids come from the engine's own counter",
    "sqlalchemy": "storage is an adapter",
    "sqlite3": "storage is an adapter",
    "psycopg": "storage is an adapter",
    "starlette": "HTTP is an adapter",
    "uvicorn": "HTTP is an adapter",
    "httpx": "HTTP is an adapter",
    "os": "no I/O in the core",
    "socket": "no I/O in the core",
}
# Source patterns banned in the pure core.
BANNED_TEXT = {
    r"\bfloat\(": "money is integers: no float() in the core",
    r"\bopen\(": "no file I/O in the core",
    r"\bprint\(": "the core returns events; it does not print",
    r"\d+\.\d+(?![\w\"'])": "no float literals in the core",
}


def _modules(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Return code lines with strings and comments blanked (docstrings may say 0.07)."""
    source = path.read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for lineno in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                lines[lineno - 1] = ""
    return [(i + 1, line.split("#", 1)[0]) for i, line in enumerate(lines)]


@pytest.mark.parametrize("layer", PURE)
def test_pure_core_imports_no_adapter_and_no_side_effect(layer: str) -> None:
    problems = []
    for path in _modules(layer):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in BANNED_MODULES:
                problems.append(f"{path.relative_to(SRC)} imports {name}: {BANNED_MODULES[top]}")
            parts = name.split(".")
            if parts[0] == "augury" and len(parts) > 1 and parts[1] in ADAPTERS:
                problems.append(f"{path.relative_to(SRC)} imports adapter {name}")
    assert problems == []


def test_domain_depends_on_nothing_inside_augury() -> None:
    problems = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in _modules("domain")
        for name in _imports(path)
        if name.startswith("augury.") and not name.startswith("augury.domain")
    ]
    assert problems == []


def test_ledger_does_not_import_the_engine() -> None:
    problems = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in _modules("ledger")
        for name in _imports(path)
        if name.startswith("augury.engine")
    ]
    assert problems == []


@pytest.mark.parametrize("layer", PURE)
def test_pure_core_has_no_float_and_no_io(layer: str) -> None:
    problems = []
    for path in _modules(layer):
        for lineno, line in _code_lines(path):
            for pattern, why in BANNED_TEXT.items():
                if re.search(pattern, line):
                    problems.append(f"{path.relative_to(SRC)}:{lineno}: {why}: {line.strip()}")
    assert problems == []


def test_every_core_module_states_its_invariants_in_a_docstring() -> None:
    missing = [
        str(path.relative_to(SRC))
        for layer in PURE
        for path in _modules(layer)
        if path.name != "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert missing == []


def test_the_tidy_checks_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('"""doc"""\nimport time\nfee = float(3) * 0.07\n')
    assert "time" in _imports(bad)
    flagged = [
        why
        for _, line in _code_lines(bad)
        for pattern, why in BANNED_TEXT.items()
        if re.search(pattern, line)
    ]
    assert len(flagged) == 2
