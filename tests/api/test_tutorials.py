"""The request patterns of popular Kalshi tutorials, run against both modes of the server.

``PATTERNS`` is our own fixture of what those listings do (signing the path without
``/trade-api/v2`` or with the query, ``status=active``, ``status=filled``,
``/markets/{t}/trades``, 5-minute candles, a v1 amend with only count and price, the
``order_update`` channel...). Every one succeeds on ``augury serve --compat tutorials``;
on the default server every one fails as live Kalshi fails it (same status and code) with
a ``details`` string that names the fix. The courtesy fields the tutorials read are only
sent in compat mode; by default each is absent and its documented replacement is there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from augury.api.auth import presign_text, sign_message, signing_headers
from augury.runtime.clock import FakeClock
from tests.e2e.server_harness import CATALOG
from tests.inprocess import InProcessExchange, Key, running_exchange

API = "/trade-api/v2"
T1 = "KXTEST-26DEC-T1"
S = 1_000_000_000


@dataclass
class World:
    exchange: InProcessExchange
    key: Key
    order_id: str  # a resting v1-era order of the user
    ticker: str

    @property
    def clock(self) -> FakeClock:
        return self.exchange.fake_clock

    def headers(self, method: str, signed_path: str) -> dict[str, str]:
        """Headers signed over ``signed_path`` (which a pattern may get wrong on purpose)."""
        ts = self.clock.now_ns() // 1_000_000
        return signing_headers(self.key.pem, self.key.key_id, method, signed_path, ts)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        """An unsigned GET, or one with the given headers."""
        return self.exchange.request("GET", path, headers=headers)

    def signed(self, method: str, path: str, body: Any = None) -> Any:
        return self.exchange.call(method, path, self.key, body)


@contextmanager
def _world(tmp: Path, compat: bool) -> Iterator[World]:
    clock = FakeClock(1_790_000_000 * S)
    data = tmp / ("compat" if compat else "default")
    with running_exchange(
        data, clock=clock, catalog=CATALOG, compat_tutorials=compat, rate_limits=False
    ) as exchange:
        tutor, counter = (exchange.user(name, "1000") for name in ("tutor", "other"))
        world = World(exchange, tutor, "", T1)
        other = World(exchange, counter, "", T1)

        def v2(who: World, side: str, price: str, count: str) -> str:
            body = {
                "ticker": T1,
                "side": side,
                "price": price,
                "count": count,
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "taker_at_cross",
            }
            answer = who.signed("POST", f"{API}/portfolio/events/orders", body)
            assert answer.status_code == 201, answer.text
            order_id: str = answer.json()["order_id"]
            return order_id

        # A trade (fills, a 1-minute candle) and a resting order to amend.
        v2(other, "bid", "0.40", "3")
        clock.advance(30 * S)
        v2(world, "ask", "0.40", "3")
        clock.advance(30 * S)
        world.order_id = v2(world, "bid", "0.20", "5")
        clock.advance(240 * S)
        yield world


@contextmanager
def tutorial_worlds(tmp: Path) -> Iterator[dict[bool, World]]:
    """The default server's world (False) and the ``--compat tutorials`` one (True)."""
    with ExitStack() as stack:
        yield {compat: stack.enter_context(_world(tmp, compat)) for compat in (False, True)}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[bool, World]]:
    with tutorial_worlds(tmp_path_factory.mktemp("tutorials")) as made:
        yield made


# --- the patterns ------------------------------------------------------------------------

Run = Callable[[World], Any]


def _candle_query(world: World, period: int) -> str:
    end = world.clock.now_ns() // S
    return f"start_ts={end - 3600}&end_ts={end}&period_interval={period}"


def sign_without_prefix(w: World) -> Any:
    return w.get(f"{API}/portfolio/balance", headers=w.headers("GET", "/portfolio/balance"))


def sign_with_query(w: World) -> Any:
    path = f"{API}/portfolio/orders?limit=5"
    ts = str(w.clock.now_ns() // 1_000_000)
    # The query is part of the signed text (presign_text would drop it, as Kalshi does).
    signature = sign_message(w.key.pem, f"{ts}GET{path}".encode())
    headers = {
        "KALSHI-ACCESS-KEY": w.key.key_id,
        "KALSHI-ACCESS-TIMESTAMP": ts,
        "KALSHI-ACCESS-SIGNATURE": signature,
    }
    return w.get(path, headers=headers)


def status_active(w: World) -> Any:
    return w.get(f"{API}/markets?status=active")


def status_determined(w: World) -> Any:
    return w.get(f"{API}/events?status=determined")


def orders_filled(w: World) -> Any:
    return w.signed("GET", f"{API}/portfolio/orders?status=filled")


def market_trades(w: World) -> Any:
    return w.get(f"{API}/markets/{T1}/trades")


def market_candles(w: World) -> Any:
    return w.get(f"{API}/markets/{T1}/candlesticks?{_candle_query(w, 1)}")


def candles_5(w: World) -> Any:
    return w.get(f"{API}/series/KXTEST/markets/{T1}/candlesticks?{_candle_query(w, 5)}")


def candles_15(w: World) -> Any:
    return w.get(f"{API}/series/KXTEST/markets/{T1}/candlesticks?{_candle_query(w, 15)}")


def v1_amend_count_price(w: World) -> Any:
    return w.signed(
        "POST", f"{API}/portfolio/orders/{w.order_id}/amend", {"count": 4, "yes_price": 22}
    )


def ws_order_update(w: World) -> Any:
    with w.exchange.websocket(w.key) as ws:
        ws.send("subscribe", {"channels": ["order_update"]})  # the session's first id, 1
        return ws.recv()


PATTERNS: list[tuple[str, Run, str]] = [
    # (name, the request, a word the default mode's diagnostic must contain)
    ("sign_without_prefix", sign_without_prefix, "without /trade-api/v2"),
    ("sign_with_query", sign_with_query, "with its query string"),
    ("status_active", status_active, "status=open"),
    ("status_determined", status_determined, "status=closed"),
    ("orders_filled", orders_filled, "status=executed"),
    ("market_trades", market_trades, f"/markets/trades?ticker={T1}"),
    ("market_candles", market_candles, f"/series/KXTEST/markets/{T1}/candlesticks"),
    ("candles_5", candles_5, "aggregate 5"),
    ("candles_15", candles_15, "aggregate 15"),
    ("v1_amend_count_price", v1_amend_count_price, "ticker='KXTEST-26DEC-T1'"),
    ("ws_order_update", ws_order_update, "user_orders"),
]


@pytest.mark.parametrize(("name", "run", "fix"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_tutorial_pattern(worlds: dict[bool, World], name: str, run: Run, fix: str) -> None:
    compat = run(worlds[True])
    refused = run(worlds[False])
    if isinstance(compat, dict):  # a WebSocket reply
        assert compat["type"] == "subscribed", compat
        assert compat["msg"]["channel"] == "user_orders"
        assert refused["type"] == "error"
        assert refused["msg"]["code"] == 8  # Kalshi's "Unknown channel name"
        details = refused["msg"]["details"]
    else:
        assert compat.status_code == 200, compat.text
        assert refused.status_code in (400, 401, 404), refused.text
        error = refused.json()["error"]
        details = error["details"]
        expected_code = {401: "authentication_error", 404: "not_found"}.get(
            refused.status_code, "invalid_parameters"
        )
        assert error["code"] == expected_code
    assert fix in details, details
    assert "augury serve --compat tutorials" in details, details


def test_compat_results_are_the_real_endpoints(worlds: dict[bool, World]) -> None:
    w = worlds[True]
    trades = market_trades(w).json()["trades"]
    assert [(t["ticker"], t["count_fp"], t["yes_price_dollars"]) for t in trades] == [
        (T1, "3.00", "0.4000")
    ]
    assert [m["status"] for m in status_active(w).json()["markets"]] == ["active"] * 4
    amended = v1_amend_count_price(w).json()["order"]
    assert (amended["yes_price"], amended["remaining_count_fp"]) == (22, "4.00")
    five = candles_5(w).json()["candlesticks"]
    one = market_candles(w).json()["candlesticks"]
    assert sum(int(float(c["volume_fp"])) for c in five) == 3
    assert [c["end_period_ts"] % 300 for c in five] == [0] * len(five)
    assert sum(int(float(c["volume_fp"])) for c in one) == 3


def test_signature_diagnostics_say_what_was_signed(worlds: dict[bool, World]) -> None:
    w = worlds[False]
    ts = str(w.clock.now_ns() // 1_000_000)
    path = f"{API}/portfolio/balance"
    # A timestamp in seconds (PKCS#1 v1.5 is accepted by default; see the 2026 profile):
    seconds = str(w.clock.now_ns() // S)
    signature = sign_message(w.key.pem, presign_text(seconds, "GET", path))
    answer = w.get(
        path,
        headers={
            "KALSHI-ACCESS-KEY": w.key.key_id,
            "KALSHI-ACCESS-TIMESTAMP": seconds,
            "KALSHI-ACCESS-SIGNATURE": signature,
        },
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "header_timestamp_expired"
    assert "looks like Unix seconds" in answer.json()["error"]["details"]
    # A plain wrong signature: the details quote the text the server verified.
    wrong = sign_message(w.key.pem, b"something else")
    answer = w.get(
        path,
        headers={
            "KALSHI-ACCESS-KEY": w.key.key_id,
            "KALSHI-ACCESS-TIMESTAMP": ts,
            "KALSHI-ACCESS-SIGNATURE": wrong,
        },
    )
    details = answer.json()["error"]["details"]
    assert details.startswith("INCORRECT_API_KEY_SIGNATURE: ")
    assert f"'{ts}GET{path}'" in details
    assert "none of the common mistakes" in details


def test_courtesy_fields_only_in_compat(worlds: dict[bool, World]) -> None:
    for compat, world in worlds.items():
        event = world.get(f"{API}/events/KXTEST-26DEC").json()["event"]
        order = world.signed("GET", f"{API}/portfolio/orders/{world.order_id}").json()["order"]
        fill = world.signed("GET", f"{API}/portfolio/fills").json()["fills"][0]
        if compat:
            assert event["markets_count"] == 3
            # (An earlier test amended it: count follows the order's size, whatever it is.)
            assert order["count"] == int(order["initial_count_fp"].split(".")[0])
            assert order["total_cost"] == 0
            assert "avg_price" not in order  # nothing filled yet
            sold = world.signed("GET", f"{API}/portfolio/orders?status=executed").json()
            (executed,) = sold["orders"]
            # 3 NO at $0.60: $1.80 on the order's own side, 60 cents each.
            assert (executed["total_cost"], executed["avg_price"]) == (180, 60)
            assert fill["fee"] == 6  # 0.07 x 3 x 0.40 x 0.60 = $0.0504: 5.04 cents, rounded up
        else:
            # Absent, as on Kalshi; the documented replacements are there.
            assert "markets_count" not in event
            assert "count" not in order
            assert order["initial_count_fp"] in ("4.00", "5.00")
            assert "fee" not in fill
            assert fill["fee_cost"] == "0.0504"
