"""The operator's platform verbs (``augury admin flags|accounts|gateways|payments|backup|
restore``) run as a subprocess against a real ``augury serve``, the way an operator runs them.

Expectations come from the outside: what the public API and the Kalshi API then show, the
cash an approval must move (the requested amount, once), and for the backup the source's
own journal cut at the backup's watermark (a copy of the source store, not the backup file)
and the orders acknowledged before the backup was asked for / after it was answered.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server_harness import AUGURY, CATALOG, ROOT, Server
from tests.e2e.test_platform_e2e import T1, T2, Person, wait_for

pytestmark = pytest.mark.process


def run(data: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``augury admin --data DATA --url URL ARGS``."""
    return subprocess.run(
        [str(AUGURY), "admin", "--data", str(data), "--url", url, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def cli(data: Path, url: str, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``augury admin --data DATA --url URL ARGS``; return (exit code, printed JSON)."""
    done = run(data, url, *args)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines, f"no output from {args}: {done.stderr}"
    printed: dict[str, Any] = json.loads(lines[-1])
    return done.returncode, printed


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "data")
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def admin(server: Server, *args: str) -> dict[str, Any]:
    code, printed = cli(server.data, server.url, *args)
    assert code == 0, printed
    return printed


def balance_dollars(server: Server, user_id: str) -> Decimal:
    users = {u["user_id"]: u for u in server.admin("GET", "/users")["users"]}
    return Decimal(str(users[user_id]["balance_dollars"]))


def test_flags_set_and_list(server: Server) -> None:
    anyone = Person(server)
    assert anyone.call("GET", "/api/flags").json() == {"flags": {}}
    assert admin(server, "flags", "set", "dark-launch", "on") == {
        "flag": "dark-launch",
        "enabled": True,
    }
    admin(server, "flags", "set", "beta.charts", "off")
    listed = admin(server, "flags", "list")["flags"]
    assert [(f["name"], f["enabled"]) for f in listed] == [
        ("beta.charts", False),
        ("dark-launch", True),
    ]
    assert all(f["updated"].endswith("Z") for f in listed)
    admin(server, "flags", "set", "dark-launch", "off")
    assert anyone.call("GET", "/api/flags").json() == {
        "flags": {"beta.charts": False, "dark-launch": False}
    }
    # A bad value is refused by the CLI itself; a bad name by the server; nothing changes.
    usage = run(server.data, server.url, "flags", "set", "dark-launch", "maybe")
    assert usage.returncode == 2
    assert "on or off" in usage.stderr
    code, printed = cli(server.data, server.url, "flags", "set", "Bad Name!", "on")
    assert code == 1
    assert printed["error"]["code"] == "invalid_parameters"
    assert [f["name"] for f in admin(server, "flags", "list")["flags"]] == [
        "beta.charts",
        "dark-launch",
    ]
    anyone.http.close()


def test_accounts_list_suspend_reinstate(server: Server) -> None:
    alice, bob = Person(server), Person(server)
    alice.join("cli-alice@example.com", "10")
    bob.join("cli-bob@example.com")
    token = alice.mint_token()
    listed = admin(server, "accounts", "list")["accounts"]
    assert {(a["email"], a["status"]) for a in listed} == {
        ("cli-alice@example.com", "active"),
        ("cli-bob@example.com", "active"),
    }
    assert admin(server, "accounts", "suspend", alice.user["id"]) == {
        "user_id": alice.user["id"],
        "status": "suspended",
    }
    assert [
        a["email"] for a in admin(server, "accounts", "list", "--status", "suspended")["accounts"]
    ] == ["cli-alice@example.com"]
    # Her session and her token stop at once; Bob is untouched.
    assert alice.call("GET", "/api/auth/me").status_code == 401
    bearer = Person(server)
    bearer.token = token
    assert bearer.call("GET", "/api/auth/me").status_code in (401, 403)
    assert bob.call("GET", "/api/auth/me").status_code == 200
    admin(server, "accounts", "reinstate", alice.user["id"])
    assert bearer.call("GET", "/api/auth/me").status_code == 200
    active = admin(server, "accounts", "list", "--status", "active")["accounts"]
    assert len(active) == 2
    # An unknown user is a 404 through the CLI (exit 1 with the server's error).
    code, printed = cli(server.data, server.url, "accounts", "suspend", "nobody-here")
    assert code == 1
    assert printed["error"]["code"] == "not_found"
    for person in (alice, bob, bearer):
        person.http.close()


def test_manual_gateway_cash_request_approved_through_the_cli_pays_once(server: Server) -> None:
    alice = Person(server)
    alice.join("cli-cash@example.com", "10")
    assert alice.call("POST", "/api/deposits", {"amountCents": 2500}).status_code == 403
    admin(server, "gateways", "set", "manual", "--deposits", "on", "--withdrawals", "on")
    gateways = alice.call("GET", "/api/payment-gateways", params={"mode": "deposit"}).json()
    assert [g["id"] for g in gateways["gateways"]] == ["manual"]
    deposit = alice.call("POST", "/api/deposits", {"amountCents": 2500})
    assert deposit.status_code == 202, deposit.text
    request_id = deposit.json()["request"]["id"]
    pending = admin(server, "payments", "list", "--status", "pending")["requests"]
    assert [(r["id"], r["user_id"], r["amountCents"]) for r in pending] == [
        (request_id, alice.user["id"], 2500)
    ]
    assert balance_dollars(server, alice.user["id"]) == Decimal("10")

    approved = admin(server, "payments", "approve", request_id)
    assert approved["status"] == "approved"
    assert balance_dollars(server, alice.user["id"]) == Decimal("35")
    # A second approval is a conflict and moves nothing.
    digest = server.admin("GET", "/state")["state_digest"]
    code, printed = cli(server.data, server.url, "payments", "approve", request_id)
    assert code == 1
    assert printed["error"]["code"] == "conflict"
    assert balance_dollars(server, alice.user["id"]) == Decimal("35")
    assert server.admin("GET", "/state")["state_digest"] == digest

    # A withdrawal rejected through the CLI moves nothing; one approved takes its amount.
    first = alice.call("POST", "/api/withdrawals", {"amountCents": 500}).json()["request"]["id"]
    rejected = admin(server, "payments", "reject", first, "--reason", "wrong account")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "wrong account")
    assert balance_dollars(server, alice.user["id"]) == Decimal("35")
    second = alice.call("POST", "/api/withdrawals", {"amountCents": 700}).json()["request"]["id"]
    assert admin(server, "payments", "approve", second)["status"] == "approved"
    assert balance_dollars(server, alice.user["id"]) == Decimal("28")
    assert admin(server, "payments", "list", "--status", "pending")["requests"] == []
    # Turning the gateway off closes both doors again.
    admin(server, "gateways", "set", "manual", "--deposits", "off", "--withdrawals", "off")
    assert alice.call("POST", "/api/deposits", {"amountCents": 100}).status_code == 403
    alice.http.close()


class Trader:
    """A Kalshi-API user placing small orders in a loop, recording what was acknowledged."""

    def __init__(self, server: Server, name: str, price: int, side: str) -> None:
        self.key_id, self.pem = server.user(name, "1000")
        server.admin("POST", f"/users/{name}/tier", {"tier": "unlimited"})
        self.server, self.name, self.price, self.side = server, name, price, side
        self.acked: list[str] = []
        self.lock = threading.Lock()

    def order(self) -> str:
        body = {
            "ticker": T2,
            "action": "buy",
            "side": self.side,
            "type": "limit",
            "count": 1,
            f"{self.side}_price": self.price,
        }
        response = self.server.signed(
            "POST", "/trade-api/v2/portfolio/orders", self.key_id, self.pem, body
        )
        assert response.status_code == 201, response.text
        order_id: str = response.json()["order"]["order_id"]
        with self.lock:
            self.acked.append(order_id)
        return order_id

    def acknowledged(self) -> list[str]:
        with self.lock:
            return list(self.acked)


def _orders(server: Server, trader: Trader) -> set[str]:
    response = server.signed(
        "GET",
        "/trade-api/v2/portfolio/orders",
        trader.key_id,
        trader.pem,
        params={"limit": 1000},
    )
    assert response.status_code == 200, response.text
    return {o["order_id"] for o in response.json()["orders"]}


def _positions(server: Server, trader: Trader) -> list[tuple[str, int]]:
    response = server.signed("GET", "/trade-api/v2/portfolio/positions", trader.key_id, trader.pem)
    assert response.status_code == 200, response.text
    return sorted(
        (p["ticker"], int(Decimal(p["position_fp"]))) for p in response.json()["market_positions"]
    )


def _exchange_view(server: Server, traders: list[Trader]) -> dict[str, Any]:
    users = {u["user_id"]: u["balance_dollars"] for u in server.admin("GET", "/users")["users"]}
    return {
        "state": server.admin("GET", "/state"),
        "balances": users,
        "positions": {t.name: _positions(server, t) for t in traders},
    }


def _copy_store_at(source: Path, target: Path, last_seq: int) -> None:
    """A copy of the source's exchange store with its journal cut at ``last_seq``.

    Only the journal and its snapshots: the platform and history databases are left out
    (the history is rebuilt from the journal; no platform data means nothing to reconcile).
    The operator key comes along so the copy registers no new one.
    """
    target.mkdir()
    with (
        sqlite3.connect(source / "augury.db") as src,
        sqlite3.connect(target / "augury.db") as dst,
    ):
        src.backup(dst)
        dst.execute("DELETE FROM journal WHERE seq > ?", (last_seq,))
        dst.execute("DELETE FROM snapshots WHERE seq > ?", (last_seq,))
        dst.commit()
    for name in ("operator_key.pem", "operator_key_id"):
        shutil.copy2(source / name, target / name)


def test_backup_while_trading_restores_the_state_at_its_watermark(tmp_path: Path) -> None:
    source = Server(tmp_path / "source")
    source.start()
    source.admin("POST", "/catalog", CATALOG)
    # Buyers of YES at 55 and of NO at 45 cross each other: orders rest, fill, and move cash.
    yes, no = Trader(source, "yes-buyer", 55, "yes"), Trader(source, "no-buyer", 45, "no")
    member = Person(source)
    member.join("cli-backup@example.com", "500")
    member.token = member.mint_token()
    member.call("POST", "/api/me/trade-notes", {"body": "kept across the restore"})
    stop = threading.Event()
    failures: list[BaseException] = []

    def trade(trader: Trader) -> None:
        try:
            while not stop.is_set():
                trader.order()
        except BaseException as error:
            failures.append(error)

    def platform_trade() -> None:
        # 20 orders at most: a session or token gets 60 requests a minute.
        try:
            for _ in range(20):
                if stop.is_set():
                    return
                placed = member.call(
                    "POST",
                    "/api/limit-orders",
                    {
                        "optionId": T1,
                        "side": "YES",
                        "action": "BUY",
                        "quantity": 1,
                        "limitPriceCents": 5,
                    },
                )
                assert placed.status_code == 201, placed.text
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=trade, args=(yes,)),
        threading.Thread(target=trade, args=(no,)),
        threading.Thread(target=platform_trade),
    ]
    for thread in threads:
        thread.start()
    try:
        wait_for(
            lambda: bool(failures) or (len(yes.acknowledged()) >= 5 and len(no.acknowledged()) >= 5)
        )
        assert failures == []
        before = {t.name: t.acknowledged() for t in (yes, no)}
        out = tmp_path / "backup.db"
        printed = admin(source, "backup", "--out", str(out))
        after = {t.name: len(t.acknowledged()) for t in (yes, no)}
        # Trading goes on after the backup: wait for orders the backup cannot hold.
        wait_for(
            lambda: (
                bool(failures) or all(len(t.acknowledged()) >= after[t.name] + 3 for t in (yes, no))
            )
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []
    last_seq = printed["last_seq"]
    assert printed["backup"] == str(out)
    assert printed["bytes"] == out.stat().st_size
    # The backup is refused over an existing file (nothing overwritten).
    code, refused = cli(source.data, source.url, "backup", "--out", str(out))
    assert code == 2
    assert "exists" in refused["error"]["message"]
    late = {t.name: set(t.acknowledged()[after[t.name] + 1 :]) for t in (yes, no)}
    assert all(late.values())
    source.stop()

    # The source at the watermark: its own journal, cut there.
    cut = Server(tmp_path / "cut")
    _copy_store_at(source.data, cut.data, last_seq)
    cut.start()
    expected = _exchange_view(cut, [yes, no])
    expected_orders = {t.name: _orders(cut, t) for t in (yes, no)}
    cut.close()
    assert expected["state"]["last_seq"] == last_seq

    restored = Server(tmp_path / "restored")
    restored.data.mkdir()
    code, result = cli(restored.data, restored.url, "restore", str(out))
    assert code == 0, result
    assert result["rows"]["journal"] == last_seq
    # The operator's key is the operator's, not the exchange's: it is carried over by hand.
    for name in ("operator_key.pem", "operator_key_id"):
        shutil.copy2(source.data / name, restored.data / name)
    # Restoring over a store that now holds a journal needs --replace.
    code, refused = cli(restored.data, restored.url, "restore", str(out))
    assert code == 1
    assert "--replace" in refused["error"]["message"]
    restored.start()
    try:
        got = _exchange_view(restored, [yes, no])
        assert got == expected
        for trader in (yes, no):
            held = _orders(restored, trader)
            assert held == expected_orders[trader.name]
            # Every order acknowledged before the backup was asked for is in it; none
            # acknowledged after its answer (the first one might race the answer) is.
            assert set(before[trader.name]) <= held
            assert held.isdisjoint(late[trader.name])
        assert sum(len(v) for v in expected["positions"].values()) > 0
        # The platform part: the member's token and notes survived.
        again = Person(restored)
        again.token = member.token
        me = again.call("GET", "/api/auth/me")
        assert me.status_code == 200, me.text
        assert me.json()["user"]["id"] == member.user["id"]
        notes = again.call("GET", "/api/me/trade-notes").json()["notes"]
        assert [n["body"] for n in notes] == ["kept across the restore"]
        again.http.close()
    finally:
        restored.close()
        source.close()
        member.http.close()
