"""The people CLI against a real ``augury serve``: creds, markets, book, orders, export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from augury.cli.main import app
from augury.client.cli import exporting as export_module
from tests.e2e.server_harness import CATALOG, Server

pytestmark = pytest.mark.process

AUGURY = str(Path(sys.executable).parent / "augury")
T1 = "KXTEST-26DEC-T1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("cli") / "data", extra=["--rate-limits", "off"])
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def _creds(server: Server, home: Path, name: str) -> dict[str, str]:
    key_id, pem = server.user(name, "10000", key_type="ed25519")
    key_file = home.parent / f"{name}.pem"
    key_file.write_text(pem)
    env = {**os.environ, "AUGURY_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
    _run(
        env,
        "creds",
        "add",
        name,
        "--key-id",
        key_id,
        "--key-file",
        str(key_file),
        "--host",
        server.url,
    )
    return env


def _run(env: dict[str, str], *args: str, code: int = 0) -> str:
    """Run one command in-process (the subprocess tests below prove the real binary)."""
    saved = os.environ.get("AUGURY_HOME")
    os.environ["AUGURY_HOME"] = env["AUGURY_HOME"]
    try:
        done = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    finally:
        if saved is None:
            os.environ.pop("AUGURY_HOME", None)
        else:
            os.environ["AUGURY_HOME"] = saved
    assert done.exit_code == code, f"{done.output}\n{done.exception!r}"
    return done.stdout if code == 0 else ""


def _binary(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AUGURY, *args], env=env, capture_output=True, text=True, timeout=120)


def _json(env: dict[str, str], *args: str) -> Any:
    return json.loads(_run(env, *args, "--json"))


def test_a_trading_session_from_the_shell(server: Server, tmp_path: Path) -> None:
    env = _creds(server, tmp_path / "home", "clialice")
    listed = _json(env, "creds", "list")
    assert [(c["name"], c["host"], c["current"]) for c in listed] == [
        ("clialice", server.url, True)
    ]
    markets = _json(env, "markets", "--series", "KXTEST")
    assert [m["ticker"] for m in markets] == [f"KXTEST-26DEC-T{i}" for i in (1, 2, 3)]
    made = _json(env, "order", "buy", T1, "--price", "0.41", "--count", "3")
    assert (made["fill_count"], made["remaining_count"]) == ("0.00", "3.00")
    assert _json(env, "book", T1)["yes_dollars"] == [["0.4100", "3.00"]]
    orders = _json(env, "order", "list", "--ticker", T1, "--status", "resting")
    assert [o["order_id"] for o in orders] == [made["order_id"]]
    table = _binary(env, "order", "list")
    assert table.returncode == 0
    assert made["order_id"] in table.stdout
    bob = _creds(server, tmp_path / "bobhome", "clibob")
    sold = _json(
        bob, "order", "sell", T1, "--price", "0.40", "--count", "2", "--tif", "immediate_or_cancel"
    )
    assert sold["fill_count"] == "2.00"
    assert [(p["ticker"], p["position_fp"]) for p in _json(env, "positions")] == [(T1, "2.00")]
    assert [f["count_fp"] for f in _json(bob, "fills")] == ["2.00"]
    assert _json(env, "balance")["balance"] < 1_000_000
    cancelled = _json(env, "order", "cancel", made["order_id"])
    assert cancelled["reduced_by"] == "1.00"
    assert "balance $" in _run(env, "balance")


def test_bad_input_is_a_clean_error(server: Server, tmp_path: Path) -> None:
    env = _creds(server, tmp_path / "home", "clierr")
    assert _run(env, "order", "buy", T1, "--price", "0.411", "--count", "1", code=1) == ""
    assert _run(env, "order", "cancel", "nope", code=1) == ""
    assert _run(env, "markets", "--host", "gopher://x", code=1) == ""
    key = tmp_path / "home" / "users"
    pem = next(key.rglob("clierr.pem"))
    pem.chmod(0o644)
    done = _binary(env, "balance")
    assert done.returncode == 1
    assert "accessible by group or others" in done.stderr


def test_book_watch_follows_the_live_book(server: Server, tmp_path: Path) -> None:
    env = _creds(server, tmp_path / "home", "cliwatch")
    watcher = subprocess.Popen(
        [AUGURY, "book", "KXTEST-26DEC-T3", "--watch", "--updates", "3", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    price = 10
    while watcher.poll() is None and time.monotonic() < deadline:
        _json(env, "order", "buy", "KXTEST-26DEC-T3", "--price", f"0.{price:02d}", "--count", "1")
        price += 1
        time.sleep(0.2)
    out, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    books = [json.loads(chunk) for chunk in out.replace("}\n{", "}\x00{").split("\x00") if chunk]
    assert len(books) == 3
    assert all(b["no_dollars"] == [] for b in books)
    sizes = [len(b["yes_dollars"]) for b in books]
    assert sizes == sorted(sizes)


def test_export_resumes_after_an_interruption_with_every_row_once(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _creds(server, tmp_path / "home", "cliexp")
    bob = _creds(server, tmp_path / "bobhome", "cliexpb")
    for _ in range(7):
        _json(env, "order", "buy", "KXTEST-26DEC-T2", "--price", "0.60", "--count", "1")
        _json(
            bob,
            "order",
            "sell",
            "KXTEST-26DEC-T2",
            "--price",
            "0.60",
            "--count",
            "1",
            "--tif",
            "immediate_or_cancel",
        )
    out = tmp_path / "fills.jsonl"
    runner = CliRunner()
    real_pages = export_module.pages  # type: ignore[attr-defined]
    monkeypatch.setenv("AUGURY_HOME", env["AUGURY_HOME"])

    def dies_after_three(*args: Any) -> Iterator[Any]:
        for n, page in enumerate(real_pages(*args)):
            if n == 3:
                raise KeyboardInterrupt  # the process is interrupted mid-walk
            yield page

    monkeypatch.setattr(export_module, "pages", dies_after_three)
    first = runner.invoke(app, ["export", "fills", "--out", str(out), "--page-size", "2"])
    assert first.exit_code != 0
    # A page half-written when the process died: bytes beyond the saved state.
    with out.open("ab") as handle:
        handle.write(b'{"fill_id": "partial')
    monkeypatch.setattr(export_module, "pages", real_pages)
    second = runner.invoke(app, ["export", "fills", "--out", str(out), "--page-size", "2"])
    assert second.exit_code == 0, second.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    ids = [r["fill_id"] for r in rows]
    assert len(ids) == 7
    assert len(set(ids)) == 7
    third = runner.invoke(app, ["export", "fills", "--out", str(out)])
    assert "already complete (7 rows)" in third.output
    trades = tmp_path / "trades.jsonl"
    done = runner.invoke(
        app,
        [
            "export",
            "trades",
            "--out",
            str(trades),
            "--ticker",
            "KXTEST-26DEC-T2",
            "--since",
            "2026-01-01",
        ],
    )
    assert done.exit_code == 0, done.output
    assert len(trades.read_text().splitlines()) == 7
