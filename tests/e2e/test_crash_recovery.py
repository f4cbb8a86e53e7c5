"""Nothing acknowledged is ever lost: kill -9 the real server mid-load, several rounds.

Each round drives concurrent signed orders and cancels from several users, SIGKILLs the
server at a random moment, and restarts it on the same data. After every restart:

- the server's own auditor finds nothing wrong;
- its recovered state (snapshot + journal tail) has the same digest as an offline replay of
  the whole journal from the first command (a different path to the same state);
- every order the server acknowledged with 201 appears in that replay.
"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

import psycopg
import pytest

from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from augury.engine.exchange import Exchange
from augury.engine.state import state_digest
from augury.store import Journal
from tests.e2e.server_harness import CATALOG, Server

pytestmark = [pytest.mark.slow, pytest.mark.process]

TICKERS = [m["ticker"] for m in CATALOG["markets"]]


PG_URL = os.environ.get("AUGURY_TEST_POSTGRES_URL")


def full_replay(db_url: str) -> tuple[str, set[str], int]:
    """Replay the whole journal from command 1, ignoring snapshots."""
    journal = Journal.open(db_url)
    try:
        exchange = Exchange("augury")
        seen: set[str] = set()
        last_seq = 0
        for seq, ts_ns, payload in journal.read_after(0):
            outcome = exchange.apply(c.decode_command(payload), ts_ns)
            seen.update(e.order_id for e in outcome.events if isinstance(e, OrderUpdate))
            last_seq = seq
        return state_digest(exchange), seen, last_seq
    finally:
        journal.close()


def trader(
    server: Server, key: tuple[str, str], seed: int, stop: threading.Event, acked: list[str]
) -> None:
    rng = random.Random(seed)
    mine: list[str] = []
    while not stop.is_set():
        try:
            if mine and rng.random() < 0.25:
                order_id = mine.pop(rng.randrange(len(mine)))
                path = f"/trade-api/v2/portfolio/events/orders/{order_id}"
                server.signed("DELETE", path, *key)
                continue
            body = {
                "ticker": rng.choice(TICKERS),
                "side": rng.choice(["bid", "ask"]),
                "price": f"0.{rng.randint(40, 60):02d}",
                "count": str(rng.randint(1, 5)),
                "time_in_force": rng.choice(["good_till_canceled"] * 3 + ["immediate_or_cancel"]),
                "self_trade_prevention_type": "maker",
            }
            response = server.signed("POST", "/trade-api/v2/portfolio/events/orders", *key, body)
            if response.status_code == 201:
                order_id = response.json()["order_id"]
                acked.append(order_id)
                mine.append(order_id)
        except Exception:  # the server was killed under us; the next round restarts it
            time.sleep(0.01)


def pg_schema_url(schema: str) -> str:
    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"


def test_kill_minus_nine_loses_nothing(tmp_path: Path) -> None:
    crash_rounds(tmp_path, None, rounds=4)


@pytest.mark.skipif(PG_URL is None, reason="AUGURY_TEST_POSTGRES_URL is not set")
def test_kill_minus_nine_loses_nothing_on_postgresql(tmp_path: Path) -> None:
    crash_rounds(tmp_path, pg_schema_url("crash_e2e"), rounds=2)


def crash_rounds(tmp_path: Path, db: str | None, rounds: int) -> None:
    server = Server(tmp_path / "data", extra=["--snapshot-every", "300"], db=db)
    db_url = db or f"sqlite:///{server.data / 'augury.db'}"
    server.start()
    server.admin("POST", "/catalog", CATALOG)
    keys = [server.user(f"trader{i}", "10000") for i in range(4)]
    acked: list[str] = []
    rng = random.Random(20261123)
    try:
        for round_no in range(rounds):
            stop = threading.Event()
            threads = [
                threading.Thread(target=trader, args=(server, key, round_no * 10 + i, stop, acked))
                for i, key in enumerate(keys)
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.8, 2.0))
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            digest, seen, last_seq = full_replay(db_url)
            missing = [order_id for order_id in acked if order_id not in seen]
            assert not missing, f"round {round_no}: acknowledged orders lost: {missing[:5]}"
            server.start()
            report = server.admin("GET", "/audit")
            assert report["problems"] == []
            assert report["last_seq"] == last_seq
            assert report["state_digest"] == digest
        assert len(acked) > 20 * rounds, "the load generator barely ran; the test proved little"
    finally:
        server.close()
