"""Architecture checks: the whole import direction, engine internals, and what the pure
core may not touch.

The layers, each importing only from its own layer and the ones below it (relative imports
resolved and checked like absolute ones)::

    domain <- engine, ledger <- runtime <- store <- queries <- api, platform, web, cli, demo

(``catalog_file``, ``seed`` and the ``sim`` harness sit with the top layer; the ledger does
not import the engine.) ``client`` imports nothing of the server, and only ``cli`` imports
it. Outside ``engine``, ``ledger``, ``runtime`` and ``queries`` (and the ``sim`` harness)
nothing touches engine internals: only the engine's public contract (``engine.commands``,
``engine.events``, ``engine.results`` and the ``Outcome`` type) is imported, no ``ledger``
(but the platform's quote, which charges fees with ``ledger.fees``), and no code reaches for
an ``.exchange`` or ``.ledger`` attribute, and only the runtime (and the ``sim`` harness)
knows which engine runs. ``_fine`` amounts (micro-dollars) never appear in the Kalshi wire's
layers. Each Kalshi wire noun is built only by its renderer (``api/render``); the platform
asks the read port only in ``platform/reads.py``; only ``store/db.py`` opens a database
driver. The pure core (domain, engine, ledger) imports nothing from the adapters and nothing
that reads a clock, draws random numbers, does I/O or uses floats for money."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "augury"
PURE = ("domain", "engine", "ledger")
ADAPTERS = ("runtime", "store", "queries", "api", "platform", "cli", "demo", "web", "client")

# Layer of each top-level part of the package (a module or subpackage of ``augury``).
LAYERS: dict[str, int] = {
    "__init__": 0,
    "domain": 0,
    "engine": 1,
    "ledger": 1,
    "runtime": 2,
    "store": 3,
    "queries": 4,
    **dict.fromkeys(("api", "platform", "web", "cli", "demo", "seed", "catalog_file", "sim"), 5),
}
# Who may import the (self-contained) client toolkit: the ``augury`` command line registers
# its trader commands beside the server's (``cli/main.py``); no server code uses it.
CLIENT_USERS = frozenset({"cli"})
# Where engine internals may be touched (the engine, its ledger, the single writer, the
# read side's index and seed, and the simulation harness that drives a bare engine).
ENGINE_INSIDE = frozenset({"engine", "ledger", "runtime", "queries", "sim"})
# Which engine runs is the runtime's business (the sim harness picks one too).
WHICH_ENGINE = frozenset(
    {"augury.runtime.engines", "augury.runtime.native_engine", "augury_native"}
)
# Outside the engine, who may import a module of the ledger, and why.
LEDGER_USERS: dict[str, frozenset[str]] = {
    # The platform's order quote shows the fee a fill would be charged: the ledger's own
    # pure fee functions, so the quote can never drift from the charge.
    "augury.ledger.fees": frozenset({"platform/quote.py"}),
    # The operator's settlement confirmation shows each holder what settling pays: the
    # ledger's own pure payout function, so the confirmation can never drift from the payout.
    "augury.ledger.accounts": frozenset({"platform/reads.py"}),
}
# The engine's public contract: module -> names importable from it (None: any).
ENGINE_PUBLIC: dict[str, frozenset[str] | None] = {
    "augury.engine.commands": None,
    "augury.engine.events": None,
    "augury.engine.exchange": frozenset({"Outcome"}),
    # Typed command results (``Outcome[R]``, ``Amended``, ...): what ``apply`` answers.
    "augury.engine.results": None,
}
# The Kalshi wire's layers: micro-dollar (``_fine``) amounts never reach them. (The
# platform is left out: its leaderboard recomputes realised P&L from the history of fills
# with the ledger's own average-cost rule, and its order summaries total price x count
# products; both floor to centi-cents before anything leaves them.)
WIRE_FACING = ("api", "web", "cli", "demo")
# The Kalshi wire's nouns (classes of ``augury.api.schemas``): only their renderer builds one.
WIRE_NOUNS = frozenset(
    {
        "ApiKey",
        "EventData",
        "EventPosition",
        "Fill",
        "Market",
        "MarketCandlestick",
        "MarketCandlestickHistorical",
        "MarketPosition",
        "Order",
        "OrderGroup",
        "OrderQueuePosition",
        "Series",
        "Settlement",
        "SubaccountBalance",
        "SubaccountTransfer",
        "Trade",
    }
)

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


def _module_name(path: Path, root: Path = SRC) -> str:
    if not path.is_relative_to(root):
        return path.stem  # a file of a test's own, outside the package
    parts = ["augury", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_as(path: Path, root: Path = SRC) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return ``(module, [(name, local name)])`` for every import, relative ones resolved.

    ``from . import x as y`` gives ``("<package>.x", [("", "y")])``: the local name is the
    module itself.
    """
    tree = ast.parse(path.read_text())
    package = _module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: list[tuple[str, list[tuple[str, str]]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(alias.name, alias.asname or alias.name) for alias in node.names]
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
                if not node.module:  # "from . import x": each x is a module
                    found += [(f"{module}.{name}", [("", local)]) for name, local in names]
                    continue
            else:
                module = node.module or ""
            found.append((module, names))
    return found


def _imported(path: Path, root: Path = SRC) -> list[tuple[str, list[str]]]:
    """Return ``(module, names)`` for every import, relative ones resolved to absolute."""
    found: list[tuple[str, list[str]]] = []
    for module, names in _imported_as(path, root):
        found.append((module, [name for name, _ in names if name]))
    return found


def _imports(path: Path) -> list[str]:
    return [module for module, _ in _imported(path)]


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


def _part(module: str) -> str | None:
    """Return the top-level part of ``augury`` a module belongs to (None: not augury)."""
    parts = module.split(".")
    if parts[0] != "augury":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _layer_problems(root: Path = SRC) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        own = _part(_module_name(path, root))
        assert own is not None
        if own == "client":
            continue  # checked on its own below
        assert own in LAYERS, f"{path}: put {own!r} in a layer of tests/test_tidy.py"
        for module, _ in _imported(path, root):
            target = _part(module)
            if target is None or target == own:
                continue
            if target == "client":
                if own not in CLIENT_USERS:
                    problems.append(f"{path.relative_to(root)} ({own}) imports {module}")
            elif LAYERS.get(target, 99) > LAYERS[own]:
                problems.append(f"{path.relative_to(root)} ({own}) imports {module}")
    return problems


def _engine_problems(root: Path = SRC) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        own = _part(_module_name(path, root))
        if own in ENGINE_INSIDE or own == "client":
            # The client toolkit imports nothing of the server (checked below): its
            # ``.ledger`` is its own paper-trading ledger, not the engine's.
            continue
        rel = path.relative_to(root)
        for module, names in _imported(path, root):
            if module in WHICH_ENGINE and own != "sim":
                problems.append(f"{rel} imports {module}: only the runtime knows which engine runs")
            elif module.startswith("augury.ledger"):
                if str(rel) in LEDGER_USERS.get(module, frozenset()):
                    continue
                problems.append(f"{rel} imports {module}: the ledger is the engine's inside")
            elif module == "augury.engine" and set(names) - {"commands", "events"}:
                problems.append(f"{rel} imports {names} from augury.engine")
            elif module.startswith("augury.engine."):
                allowed = ENGINE_PUBLIC.get(module, frozenset())
                if allowed is not None and not set(names) <= allowed:
                    problems.append(f"{rel} imports {names} from {module} (engine internals)")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("exchange", "ledger"):
                problems.append(f"{rel}:{node.lineno} reads .{node.attr} (engine memory)")
    return problems


def _fine_problems(root: Path = SRC) -> list[str]:
    problems = []
    for layer in WIRE_FACING:
        for path in sorted((root / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                name = (
                    node.attr
                    if isinstance(node, ast.Attribute)
                    else node.id
                    if isinstance(node, ast.Name)
                    else node.arg
                    if isinstance(node, ast.arg | ast.keyword) and node.arg
                    else ""
                )
                if name.endswith("_fine"):
                    line = getattr(node, "lineno", 0)
                    problems.append(f"{path.relative_to(root)}:{line} uses {name}")
    return problems


def _client_problems(root: Path = SRC) -> list[str]:
    return [
        f"{path.relative_to(root)} imports {module}: the client imports nothing server-side"
        for path in sorted((root / "client").rglob("*.py"))
        for module, _ in _imported(path, root)
        if _part(module) not in (None, "client")
    ]


def _wire_noun_problems(root: Path = SRC) -> list[str]:
    # Each Kalshi wire noun is built by its renderer (api/render/<noun>.py) and nowhere else.
    problems = []
    schemas = "augury.api.schemas"
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[:2] in (("api", "render"), ("api", "schemas")):
            continue
        modules: set[str] = set()  # local names bound to a schema module
        nouns: set[str] = set()  # local names bound to a noun's class
        for module, names in _imported_as(path, root):
            if module == schemas:
                modules |= {local for _, local in names}
            elif module.startswith(schemas + "."):
                for name, local in names:
                    if not name:
                        modules.add(local)
                    elif name in WIRE_NOUNS:
                        nouns.add(local)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in modules
                and func.attr in WIRE_NOUNS
            ) or (isinstance(func, ast.Name) and func.id in nouns):
                problems.append(f"{rel}:{node.lineno} builds a wire noun outside api/render")
    return problems


# Who may import a database driver: the store's one connection seam, and the platform's
# backup, whose archive is a plain SQLite file (the exchange's databases it reaches through
# the seam), and the memory monitor, which only loads libsqlite3 to read its process-wide
# ``sqlite3_memory_used`` counter for /metrics (it opens no database). SQLAlchemy (the schema
# and its migrations) stays inside the store.
DRIVERS = {
    "sqlite3": ("store/db.py", "platform/backup.py", "api/memory.py"),
    "psycopg": ("store/db.py",),
}


def _driver_problems(root: Path = SRC) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        for module, _ in _imported(path, root):
            top = module.split(".")[0]
            if top in DRIVERS and rel.as_posix() not in DRIVERS[top]:
                problems.append(f"{rel} imports {module}: go through store/db.py")
            elif top == "sqlalchemy" and rel.parts[0] != "store":
                problems.append(f"{rel} imports {module}: the schema is the store's")
    return problems


def _platform_problems(root: Path = SRC) -> list[str]:
    # The platform reads exchange state in one adapter over the read port (reads.py); the
    # rest of it may hand the port along but asks it nothing.
    problems = []
    for path in sorted((root / "platform").rglob("*.py")):
        if path.name == "reads.py":
            continue
        rel = path.relative_to(root)
        problems += [
            f"{rel} imports {module}: read through platform/reads.py"
            for module, _ in _imported(path, root)
            if _part(module) == "queries"
        ]
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "queries"
            ):
                problems.append(f"{rel}:{node.lineno} asks .queries.{node.attr}")
    return problems


def test_every_import_points_down_the_layers() -> None:
    assert _layer_problems() == []


def test_nothing_outside_the_engine_runtime_and_read_side_touches_engine_internals() -> None:
    assert _engine_problems() == []


def test_micro_dollars_never_reach_the_wire_facing_layers() -> None:
    assert _fine_problems() == []


def test_the_client_imports_nothing_of_the_server() -> None:
    assert _client_problems() == []


def test_each_wire_noun_is_built_only_by_its_renderer() -> None:
    assert _wire_noun_problems() == []


def test_only_the_store_seam_opens_a_database_driver() -> None:
    assert _driver_problems() == []


def test_the_platform_reads_exchange_state_only_through_its_reads_adapter() -> None:
    assert _platform_problems() == []


def test_the_layer_checks_can_fail(tmp_path: Path) -> None:
    root = tmp_path / "augury"
    for part in ("runtime", "api", "client", "queries", "platform"):
        (root / part).mkdir(parents=True)
    # runtime reaching up into the store, relatively; api reading engine internals and
    # engine memory; queries passing micro-dollars to the wire; the client importing the API.
    (root / "runtime" / "boot.py").write_text("from ..store import Journal\n")
    (root / "api" / "routes.py").write_text(
        "from augury.engine.orders import Order\n"
        "from augury.engine import exchange\n"
        "from augury.runtime.engines import resolve\n"
        "def f(context):\n    return context.exchange.markets, context.x.total_fine\n"
    )
    (root / "client" / "c.py").write_text("from augury.api import auth\n")
    (root / "queries" / "q.py").write_text("import sqlite3\n")
    (root / "platform" / "feeds.py").write_text("def f(ctx):\n    return ctx.queries.users()\n")
    (root / "api" / "ws.py").write_text(
        "from augury.api.schemas import portfolio as wp\n"
        "from augury.api.schemas.orders import Order as O\n"
        "def f(x):\n    return wp.Fill(**x), O(**x), wp.GetFillsResponse(fills=[])\n"
    )
    assert _layer_problems(root) == ["runtime/boot.py (runtime) imports augury.store"]
    engine = _engine_problems(root)
    assert len(engine) == 4, engine  # three imports, one .exchange
    assert _fine_problems(root) == ["api/routes.py:5 uses total_fine"]
    assert _client_problems(root) == [
        "client/c.py imports augury.api: the client imports nothing server-side"
    ]
    assert _platform_problems(root) == ["platform/feeds.py:2 asks .queries.users"]
    assert _driver_problems(root) == ["queries/q.py imports sqlite3: go through store/db.py"]
    assert _wire_noun_problems(root) == [
        "api/ws.py:4 builds a wire noun outside api/render",
        "api/ws.py:4 builds a wire noun outside api/render",
    ]
