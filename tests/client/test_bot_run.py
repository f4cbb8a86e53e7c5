"""``augury bot run`` live and on paper against a real server; reconciliation after losses."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from augury.client import Client, Signer, orders
from augury.client import endpoints as ep
from augury.client.bots.live import LiveBroker
from augury.client.retry import NO_RETRY
from augury.client.sim import FeeSchedule, SimOrder
from tests.e2e.server_harness import CATALOG, Server

pytestmark = pytest.mark.process

AUGURY = str(Path(sys.executable).parent / "augury")
T = "KXTEST-26DEC-T3"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("bot") / "data", extra=["--rate-limits", "off"])
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def _profile(server: Server, home: Path, name: str) -> tuple[dict[str, str], Signer]:
    key_id, pem = server.user(name, "10000", key_type="ed25519")
    (home.parent / f"{name}.pem").write_text(pem)
    env = {**os.environ, "AUGURY_HOME": str(home)}
    done = subprocess.run(
        [
            AUGURY,
            "creds",
            "add",
            name,
            "--key-id",
            key_id,
            "--key-file",
            str(home.parent / f"{name}.pem"),
            "--host",
            server.url,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return env, Signer.from_pem(key_id, pem)


@contextlib.contextmanager
def _seeded_book(server: Server, signer: Signer) -> Iterator[Client]:
    """Others quote 0.45 / 0.55 while the block runs; their orders are gone after it, pass or
    fail, so the next test on the shared market starts from an empty book."""
    with Client(server.url, signer=signer) as client:
        try:
            client.create_order(orders.order_v2(T, "bid", 4500, 1000))
            client.create_order(orders.order_v2(T, "ask", 5500, 1000))
            yield client
        finally:
            client.cancel_all()


@contextlib.contextmanager
def _bot(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """``augury bot run ARGS``; killed (and its pipe closed) if still running after the block."""
    proc = subprocess.Popen(
        [AUGURY, "bot", "run", *args], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr is not None and not proc.stderr.closed:
            proc.communicate(timeout=60)


def _wait_for(condition: object, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _records(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_paper_bot_sends_nothing_and_logs_its_decisions(server: Server, tmp_path: Path) -> None:
    env, signer = _profile(server, tmp_path / "home", "paperbot")
    log = tmp_path / "paper.jsonl"
    with (
        _seeded_book(server, _profile(server, tmp_path / "h2", "seeder1")[1]),
        _bot(["market_maker", "--ticker", T, "--paper", "--log", str(log)], env) as bot,
    ):
        _paper_session(server, tmp_path, signer, log, bot)


def _paper_session(
    server: Server, tmp_path: Path, signer: Signer, log: Path, bot: subprocess.Popen[str]
) -> None:
    # Others quote 0.45 / 0.55 (mid 0.50): the market maker quotes 0.02 either side,
    # a paper bid at 0.48 and a paper ask at 0.52, on the fill model only.
    _wait_for(lambda: sum(r["decision"] == "place" for r in _records(log)) >= 2)
    placed = {r["side"]: r["price_cc"] for r in _records(log) if r["decision"] == "place"}
    assert placed == {"bid": 4800, "ask": 5200}
    # A taker sells 2 through the paper bid (the trade prints at the seeder's 0.45): the
    # paper bid was first at 0.48 with nothing ahead of it, so it fills 2 at its own price.
    with Client(server.url, signer=_profile(server, tmp_path / "h3", "taker1")[1]) as taker:
        taker.create_order(
            orders.order_v2(T, "ask", 4500, 200, time_in_force="immediate_or_cancel")
        )
    _wait_for(lambda: any(r["decision"] == "fill" for r in _records(log)))
    bot.send_signal(signal.SIGINT)
    _out, err = bot.communicate(timeout=60)
    assert bot.returncode == 0, err
    records = _records(log)
    decisions = [r["decision"] for r in records]
    assert decisions[:2] == ["mode", "start"]
    assert records[0]["fees"] == "quadratic x1"  # KXTEST's schedule, looked up at start
    assert decisions[-1] == "stop"
    fills = [r for r in records if r["decision"] == "fill"]
    assert [(f["side"], f["yes_price_cc"], f["count_c"], f["is_taker"]) for f in fills] == [
        ("bid", 4800, 200, False)
    ]
    assert fills[0]["fee_cc"] == 0  # quadratic: makers pay nothing
    with Client(server.url, signer=signer) as mine:
        assert mine.orders().orders == []  # paper: nothing reached the exchange
        assert mine.fills().fills == []


def test_live_bot_quotes_then_cancels_everything_on_the_kill_file(
    server: Server, tmp_path: Path
) -> None:
    env, signer = _profile(server, tmp_path / "home", "livebot")
    log, kill = tmp_path / "live.jsonl", tmp_path / "KILL"
    args = ["market_maker", "--ticker", T, "--log", str(log), "--kill-file", str(kill)]
    with (
        _seeded_book(server, _profile(server, tmp_path / "h2", "seeder2")[1]),
        Client(server.url, signer=signer) as mine,
        _bot(args, env) as bot,
    ):
        try:
            _wait_for(lambda: len(mine.orders(status="resting").orders) == 2)
            quotes = sorted(o.book_side for o in mine.orders(status="resting").orders)
            assert quotes == ["ask", "bid"]
            # It reconciled with the exchange before it acted on the feed.
            decisions = [r["decision"] for r in _records(log)]
            assert "reconcile" in decisions
            assert decisions.index("reconcile") < decisions.index("place")
            kill.touch()
            _out, err = bot.communicate(timeout=60)
            assert bot.returncode == 0, err
            assert mine.orders(status="resting").orders == []
            stops = [r for r in _records(log) if r["decision"] == "stop"]
            assert stops[0]["reason"] == "kill file"
        finally:
            mine.cancel_all()  # a failed run leaves no quotes on the shared market


class LosesResponses(httpx.BaseTransport):
    """Sends requests to the server, but loses the answer to order creates (a timeout)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.lose and request.method == "POST" and request.url.path.endswith("/events/orders"):
            response.read()
            response.close()  # the answer arrived, and is thrown away
            raise httpx.ReadTimeout("response lost in transit", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_reconciliation_adopts_an_order_whose_response_was_lost_and_books_fills_once(
    server: Server, tmp_path: Path
) -> None:
    _env, signer = _profile(server, tmp_path / "home", "recon")
    transport = LosesResponses()
    # No retries: the broker's own reconciliation is under test here (the plain client's
    # lookup after a retried create is tests/client/test_reconcile.py).
    client = Client(server.url, signer=signer, transport=transport, retry=NO_RETRY)
    broker = LiveBroker(client, "rc-", lambda _t: FeeSchedule())
    broker.submit(SimOrder("rc-1", T, "bid", 3000, 500), 0)
    assert "rc-1" in broker.unknown  # we do not know whether it was placed...
    assert broker.reconcile(0) == {"adopted": 1, "closed": 0, "booked": 0}
    assert broker.orders["rc-1"].status == "resting"  # ...it was: adopted, not resent
    transport.lose = False
    # Resending the same client_order_id cannot create a second order.
    broker.submit(SimOrder("rc-1", T, "bid", 3000, 500), 0)
    resting = client.orders(status="resting").orders
    assert [o.client_order_id for o in resting] == ["rc-1"]
    # Someone fills 2 while our feed is down; then the feed delivers the same fill late.
    with Client(server.url, signer=_profile(server, tmp_path / "h3", "hitter")[1]) as hitter:
        hitter.create_order(
            orders.order_v2(T, "ask", 3000, 200, time_in_force="immediate_or_cancel")
        )
    broker.orders["rc-1"].status = "resting"
    assert broker.reconcile(1)["booked"] == 1
    fill = client.fills(ticker=T).fills[0]
    broker.on_fill_message(
        {
            "trade_id": fill.fill_id,
            "order_id": fill.order_id,
            "client_order_id": "rc-1",
            "market_ticker": T,
            "book_side": "bid",
            "yes_price_dollars": fill.yes_price_dollars,
            "count_fp": "2.00",
            "is_taker": False,
            "fee_cost": fill.fee_cost,
        },
        2,
    )
    booked = broker.advance(2)
    assert [(f.fill_id, f.count_c) for f in booked] == [(fill.fill_id, 200)]
    assert broker.orders["rc-1"].remaining_c == 300
    # An order the exchange no longer rests (cancelled elsewhere) is closed on reconcile.
    client.send(ep.cancel_all_orders())
    assert broker.reconcile(3)["closed"] == 1
    client.close()
