"""Time-dependent history reads on a fake clock: day-ago quotes, 24-hour volume, and the
historical tier with a one-day cutoff.

The app runs in-process (lifespan included) on a ``FakeClock``, so "a day later" is one
``advance`` call and every boundary is exact.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.schemas.base import rfc3339_from_ns
from augury.api.settings import Settings
from augury.runtime.clock import FakeClock

HOUR = 3600 * 1_000_000_000
LIVE, GONE = "KXH-26DEC-LIVE", "KXH-26DEC-GONE"
CATALOG = {
    "series": [{"ticker": "KXH", "title": "History"}],
    "events": [{"event_ticker": "KXH-26DEC", "series_ticker": "KXH"}],
    "markets": [{"ticker": t, "event_ticker": "KXH-26DEC"} for t in (LIVE, GONE)],
}
V2 = "/trade-api/v2"


class App:
    """The in-process server: signed calls through ``httpx.ASGITransport``."""

    def __init__(
        self, portal: BlockingPortal, client: httpx.AsyncClient, clock: FakeClock, data: Path
    ):
        self.portal, self.client, self.clock = portal, client, clock
        self.operator = (
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )

    def call(self, method: str, path: str, key: tuple[str, str], body: Any = None) -> Any:
        headers = signing_headers(key[1], key[0], method, path, self.clock.now_ns() // 1_000_000)
        content = None if body is None else json.dumps(body).encode()
        if content is not None:
            headers["Content-Type"] = "application/json"
        request = functools.partial(
            self.client.request, method, path, content=content, headers=headers
        )
        response: httpx.Response = self.portal.call(request)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def get(self, path: str, key: tuple[str, str] | None = None, status: int = 200) -> Any:
        headers = {}
        if key is not None:
            headers = signing_headers(
                key[1], key[0], "GET", path.split("?")[0], self.clock.now_ns() // 1_000_000
            )
        response: httpx.Response = self.portal.call(
            functools.partial(self.client.get, path, headers=headers)
        )
        assert response.status_code == status, response.text
        return response.json()

    def user(self, name: str) -> tuple[str, str]:
        self.call("POST", "/admin/v1/users", self.operator, {"name": name, "deposit": "1000"})
        key = self.call("POST", "/admin/v1/keys/generate", self.operator, {"user": name})
        return key["api_key_id"], key["private_key"]

    def order(
        self, key: tuple[str, str], ticker: str, side: str, price: str, count: str, tif: str
    ) -> Any:
        body = {
            "ticker": ticker,
            "side": side,
            "price": price,
            "count": count,
            "time_in_force": tif,
            "self_trade_prevention_type": "taker_at_cross",
        }
        return self.call("POST", f"{V2}/portfolio/events/orders", key, body)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    data = tmp_path_factory.mktemp("history-tier")
    clock = FakeClock()
    server = create_app(Settings(data_dir=data, rate_limits=False, historical_cutoff_days=1), clock)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(server.router.lifespan_context(server)),
    ):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=server), base_url="http://a")
        try:
            running = App(portal, client, clock, data)
            running.call("POST", "/admin/v1/catalog", running.operator, CATALOG)
            yield running
        finally:
            portal.call(client.aclose)


@pytest.fixture(scope="module")
def traded(app: App) -> tuple[tuple[str, str], tuple[str, str]]:
    """alice buys 5 YES at $0.60 on LIVE (5 more rest) and 2 YES at $0.30 on GONE, which
    then settles NO; a day and two hours pass."""
    alice, bob = app.user("alice"), app.user("bob")
    app.order(alice, LIVE, "bid", "0.60", "10", "good_till_canceled")
    app.order(bob, LIVE, "ask", "0.60", "5", "immediate_or_cancel")
    app.order(alice, GONE, "bid", "0.30", "2", "good_till_canceled")
    app.order(bob, GONE, "ask", "0.30", "2", "immediate_or_cancel")
    market = app.get(f"{V2}/markets/{LIVE}")["market"]
    assert (market["volume_24h_fp"], market["previous_price_dollars"]) == ("5.00", "0.0000")
    app.call("POST", f"/admin/v1/markets/{GONE}/settle", app.operator, {"result": "no"})
    app.clock.advance(26 * HOUR)
    return alice, bob


def test_previous_quotes_are_a_day_old_and_volume_rolls_off(app: App, traded: Any) -> None:
    market = app.get(f"{V2}/markets/{LIVE}")["market"]
    assert market["volume_24h_fp"] == "0.00"
    assert market["volume_fp"] == "5.00"
    assert market["previous_price_dollars"] == "0.6000"
    assert (market["previous_yes_bid_dollars"], market["previous_yes_ask_dollars"]) == (
        "0.6000",
        "1.0000",
    )
    listed = {m["ticker"]: m for m in app.get(f"{V2}/markets")["markets"]}
    assert listed[LIVE]["previous_price_dollars"] == "0.6000"


def test_cutoff_is_now_minus_the_configured_days(app: App, traded: Any) -> None:
    cutoff = app.get(f"{V2}/historical/cutoff")
    expected = rfc3339_from_ns(app.clock.now_ns() - 24 * HOUR)
    assert cutoff["market_settled_ts"] == cutoff["orders_updated_ts"] == expected


def test_archive_holds_what_finished_before_the_cutoff(app: App, traded: Any) -> None:
    alice, bob = traded
    markets = app.get(f"{V2}/historical/markets")
    assert ([m["ticker"] for m in markets["markets"]], markets["cursor"]) == ([GONE], "")
    assert app.get(f"{V2}/historical/markets/{GONE}")["market"]["result"] == "no"
    app.get(f"{V2}/historical/markets/{LIVE}", status=404)
    trades = app.get(f"{V2}/historical/trades")["trades"]
    assert [t["ticker"] for t in trades] == [GONE, LIVE]
    assert len(app.get(f"{V2}/historical/fills", bob)["fills"]) == 2
    # alice's LIVE order still rests: never historical. Her filled GONE order is.
    orders = app.get(f"{V2}/historical/orders", alice)["orders"]
    assert [(o["ticker"], o["status"]) for o in orders] == [(GONE, "executed")]
    positions = app.get(f"{V2}/historical/positions", alice)["market_positions"]
    assert [p["ticker"] for p in positions] == [GONE]
    candles = app.get(
        f"{V2}/historical/markets/{GONE}/candlesticks?start_ts=0&end_ts=2000000000&period_interval=1440"
    )["candlesticks"]
    assert [(c["price"]["close"], c["volume"]) for c in candles][:1] == [("0.3000", "2.00")]


def test_live_tier_keeps_serving_everything(app: App, traded: Any) -> None:
    alice, _bob = traded
    assert len(app.get(f"{V2}/markets/trades")["trades"]) == 2
    orders = app.get(f"{V2}/portfolio/orders", alice)["orders"]
    assert sorted(o["ticker"] for o in orders) == [GONE, LIVE]
    assert app.get(f"{V2}/markets/{GONE}")["market"]["status"] == "finalized"


def test_historical_orders_come_in_full_pages(app: App, traded: Any) -> None:
    """Orders that are still resting, or finished after the cutoff, are skipped by the query
    itself: every page but the last holds ``limit`` orders (they used to be filtered after
    the page was cut, which left short and even empty pages with a cursor)."""
    carol = app.user("carol")
    ids = [app.order(carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    ids += [app.order(carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    ids += [app.order(carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    old = ids[:2]  # cancelled now, so historical once the clock has moved a day on
    for order_id in old:
        app.call("DELETE", f"{V2}/portfolio/events/orders/{order_id}", carol)
    late = [app.order(carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    late += [app.order(carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    app.clock.advance(25 * HOUR)
    # ids[2] was created before the cutoff but is cancelled only now: not historical yet.
    app.call("DELETE", f"{V2}/portfolio/events/orders/{ids[2]}", carol)
    pages: list[list[str]] = []
    cursor = ""
    while True:
        query = f"limit=1&cursor={quote(cursor)}" if cursor else "limit=1"
        page = app.get(f"{V2}/historical/orders?{query}", carol)
        pages.append([o["order_id"] for o in page["orders"]])
        cursor = page["cursor"]
        if not cursor:
            break
    assert pages == [[old[1]], [old[0]]]
    assert late[0] not in {o for p in pages for o in p}
