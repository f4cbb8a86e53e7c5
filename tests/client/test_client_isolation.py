"""``augury.client`` imports nothing from the exchange's server side (relative imports too).

The client must work against Kalshi itself and could ship alone, so every module under
``src/augury/client/`` may import the standard library, third-party packages and
``augury.client.*`` only.
"""

from __future__ import annotations

import ast
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "src" / "augury" / "client"


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = list(path.relative_to(CLIENT.parent.parent).with_suffix("").parts)[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def server_imports(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [_absolute(path, node)]
            for name in names:
                if (name == "augury" or name.startswith("augury.")) and not (
                    name == "augury.client" or name.startswith("augury.client.")
                ):
                    problems.append(f"{path.relative_to(root)}: {name}")
    return problems


def test_client_imports_only_itself_from_augury() -> None:
    assert server_imports(CLIENT) == []


def test_the_check_sees_absolute_and_relative_server_imports(tmp_path: Path) -> None:
    # The checker itself must catch both spellings, or the test above could never fail.
    fake = tmp_path / "augury" / "client"
    fake.mkdir(parents=True)
    (fake / "a.py").write_text("from augury.engine import book\n")
    (fake / "b.py").write_text("from ..api import auth\n")
    (fake / "c.py").write_text("import augury.runtime.clock\nfrom . import sync\n")
    global CLIENT
    saved, CLIENT = CLIENT, fake
    try:
        assert server_imports(fake) == [
            "a.py: augury.engine",
            "b.py: augury.api",
            "c.py: augury.runtime.clock",
        ]
    finally:
        CLIENT = saved
