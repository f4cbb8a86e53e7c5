"""API profiles: the default (compatible) one, and ``--profile 2026`` (the current contract).

What each profile serves is derived from the contract files: the 2026 profile sends, for
every model the SDK 3.34 digest knows, only the digest's keys; the default profile adds
the courtesy keys every wire Struct declares beyond them, and docs/profiles.md must list
each of those. The official SDK works against both; v1 order writes and PKCS#1 v1.5
signatures are refused under 2026 (with a diagnostic for the latter).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from augury.api import schemas as S
from augury.api.auth import presign_text, sign_message
from augury.api.contract_keys import CONTRACT_KEYS
from augury.runtime.clock import FakeClock
from tests.e2e.server_harness import CATALOG, Server
from tests.inprocess import InProcessExchange, running_exchange

ROOT = Path(__file__).resolve().parents[2]
DIGEST = ROOT / "tests/fixtures/kalshi-python-sync-3.34.0-digest.json"
OPENAPI = ROOT / "tests/fixtures/kalshi-openapi-3.28.0-assembled.yaml"
API = "/trade-api/v2"
T1 = "KXTEST-26DEC-T1"
T2 = "KXTEST-26DEC-T2"


def _digest_models() -> dict[str, Any]:
    models: dict[str, Any] = json.loads(DIGEST.read_text())["models"]
    return models


def _sdk_structs() -> dict[str, type[msgspec.Struct]]:
    models = _digest_models()
    out = {}
    for name in S.__all__:
        obj = getattr(S, name)
        if isinstance(obj, type) and issubclass(obj, msgspec.Struct) and name in models:
            out[name] = obj
    return out


def courtesy_keys() -> set[str]:
    """``Model.key`` of every key a wire Struct sends beyond the SDK 3.34 contract."""
    out = set()
    for name, cls in _sdk_structs().items():
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            if field.encode_name not in CONTRACT_KEYS[name]:
                out.add(f"{name}.{field.encode_name}")
    return out


def test_the_contract_table_is_the_digests() -> None:
    models = _digest_models()
    structs = _sdk_structs()
    assert set(CONTRACT_KEYS) == set(structs)
    for name in structs:
        assert CONTRACT_KEYS[name] == {f["json_key"] for f in models[name]["fields"]}, name


def test_docs_list_every_field_only_the_default_profile_sends() -> None:
    text = (ROOT / "docs/profiles.md").read_text()
    missing = sorted(key for key in courtesy_keys() if f"`{key}`" not in text)
    assert missing == []
    assert "Market.fractional_trading_enabled" in courtesy_keys()  # the walk is not empty


@pytest.fixture(scope="module", params=["default", "2026"])
def exchange(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessExchange]:
    data = tmp_path_factory.mktemp(f"profile-{request.param}") / "data"
    clock = FakeClock(1_790_000_000 * 1_000_000_000)
    with running_exchange(
        data, clock=clock, catalog=CATALOG, profile=request.param, rate_limits=False
    ) as exchange:
        yield exchange


def _profile(exchange: InProcessExchange) -> str:
    """The profile the running app serves (read from the app, not from the test's settings)."""
    profile: str = exchange.app.state.context.settings.profile
    return profile


def _keys_sent(obj: Any, model: str, models: dict[str, Any], out: set[str]) -> None:
    """Collect ``Model.key`` for every key in a JSON object of a digest model."""
    if not isinstance(obj, dict):
        return
    fields = {f["json_key"]: f["type"] for f in models[model]["fields"]}
    for key, value in obj.items():
        out.add(f"{model}.{key}")
        kind = fields.get(key, "")
        ref = kind.split("model:")[-1].rstrip(">").split(" ")[0] if "model:" in kind else None
        if ref in models:
            for item in value if isinstance(value, list) else [value]:
                _keys_sent(item, ref, models, out)


def test_what_each_profile_sends(exchange: InProcessExchange) -> None:
    strict = _profile(exchange) == "2026"
    models = _digest_models()
    user = exchange.user("prof", "100", "ed25519")
    body = {
        "ticker": T1,
        "side": "bid",
        "price": "0.30",
        "count": "2",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    assert exchange.call("POST", f"{API}/portfolio/events/orders", user, body).status_code == 201
    # A trade in T1 (fills, trades, a candle) and a settled position in T2 (settlements).
    counter = exchange.user("prof-counter", "100", "ed25519")
    for who, ticker, side, price in (
        (counter, T1, "ask", "0.30"),
        (user, T2, "bid", "0.50"),
        (counter, T2, "ask", "0.50"),
    ):
        order = {**body, "ticker": ticker, "side": side, "price": price, "count": "1"}
        assert (
            exchange.call("POST", f"{API}/portfolio/events/orders", who, order).status_code == 201
        )
    exchange.admin("POST", f"/markets/{T2}/settle", {"result": "yes"})
    exchange.fake_clock.advance(120 * 1_000_000_000)  # the trade's minute is over
    now_s = exchange.clock.now_ns() // 1_000_000_000
    candles = f"start_ts={now_s - 3600}&end_ts={now_s}&period_interval=1"
    sent: set[str] = set()
    for path, model in (
        (f"{API}/markets/{T1}", "GetMarketResponse"),
        (f"{API}/markets?limit=5", "GetMarketsResponse"),
        (f"{API}/events/KXTEST-26DEC", "GetEventResponse"),
        (f"{API}/markets/{T1}/orderbook", "GetMarketOrderbookResponse"),
        (f"{API}/portfolio/orders", "GetOrdersResponse"),
        (f"{API}/portfolio/balance", "GetBalanceResponse"),
        (f"{API}/portfolio/positions", "GetPositionsResponse"),
        (f"{API}/portfolio/fills", "GetFillsResponse"),
        (f"{API}/markets/trades?ticker={T1}", "GetTradesResponse"),
        (f"{API}/portfolio/settlements", "GetSettlementsResponse"),
        (
            f"{API}/series/KXTEST/markets/{T1}/candlesticks?{candles}",
            "GetMarketCandlesticksResponse",
        ),
    ):
        answer = exchange.call("GET", path, user)
        assert answer.status_code == 200, answer.text
        _keys_sent(answer.json(), model, models, sent)
    # Each of the new reads returned its object (the walk below has something to check).
    for noun in ("Fill", "Trade", "Settlement", "MarketCandlestick", "BidAskDistribution"):
        assert any(key.startswith(f"{noun}.") for key in sent), noun
    extra = sent & courtesy_keys()
    if strict:
        assert extra == set()
    else:
        for key in (
            "Market.fractional_trading_enabled",
            "Market.yes_bid",
            "Order.yes_price",
            "EventData.available_on_brokers",
            "GetMarketOrderbookResponse.orderbook",
            "Fill.yes_price",
            "Fill.count",
            "Trade.yes_price",
            "Trade.count",
            "Settlement.yes_count",
            "MarketCandlestick.volume",
            "BidAskDistribution.close",
        ):
            assert key in extra
        # The tutorials' courtesy keys stay away without --compat tutorials.
        assert {"Fill.fee", "Order.count", "EventData.markets_count"}.isdisjoint(extra)
    contract = {f"{m}.{f['json_key']}" for m, d in models.items() for f in d["fields"]}
    assert sent - courtesy_keys() <= contract

    v1 = exchange.call(
        "POST",
        f"{API}/portfolio/orders",
        user,
        {
            "ticker": T1,
            "action": "buy",
            "side": "yes",
            "count": 1,
            "type": "limit",
            "yes_price": 20,
        },
    )
    if strict:
        assert v1.json()["error"]["code"] == "deprecated_v1_order_endpoint"
    else:
        assert v1.status_code == 201, v1.text


def test_2026_drops_the_openapi_required_available_on_brokers(exchange: InProcessExchange) -> None:
    strict = _profile(exchange) == "2026"
    # The two contract files disagree: OpenAPI 3.28 requires the key, the 3.34 digest
    # (newer, and the one that wins) does not have it.
    openapi = yaml.safe_load(OPENAPI.read_text())["components"]["schemas"]["EventData"]
    assert "available_on_brokers" in openapi["required"]
    digest = {f["json_key"] for f in _digest_models()["EventData"]["fields"]}
    assert "available_on_brokers" not in digest
    event = exchange.call("GET", f"{API}/events/KXTEST-26DEC").json()["event"]
    listed = exchange.call("GET", f"{API}/events?limit=5").json()["events"]
    if strict:
        assert "available_on_brokers" not in event
        assert all("available_on_brokers" not in e for e in listed)
    else:
        assert event["available_on_brokers"] is False  # "always returns false" (OpenAPI)
        assert all(e["available_on_brokers"] is False for e in listed)
    docs = " ".join((ROOT / "docs/profiles.md").read_text().split())
    assert "**`--profile 2026` drops it**, as the digest says" in docs


def test_pkcs1_signatures_under_each_profile(exchange: InProcessExchange) -> None:
    strict = _profile(exchange) == "2026"
    key = exchange.user("rsa-user", "1", "rsa")
    path = f"{API}/portfolio/balance"
    ts = str(exchange.clock.now_ns() // 1_000_000)
    signature = sign_message(key.pem, presign_text(ts, "GET", path), scheme="pkcs1v15")
    headers = {
        "KALSHI-ACCESS-KEY": key.key_id,
        "KALSHI-ACCESS-TIMESTAMP": ts,
        "KALSHI-ACCESS-SIGNATURE": signature,
    }
    answer = exchange.request("GET", path, headers=headers)
    if strict:
        assert answer.status_code == 401
        assert "RSA PKCS#1 v1.5, but RSA-PSS is required" in answer.json()["error"]["details"]
    else:
        assert answer.status_code == 200  # 2024-2025 clients still sign this way


@pytest.mark.process
def test_the_official_sdk_against_the_2026_profile(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", extra=["--profile", "2026"])
    server.start()
    try:
        server.admin("POST", "/catalog", CATALOG)
        maker = server.sdk(*server.user("maker26", "100"))
        taker = server.sdk(*server.user("taker26", "100"))
        maker.create_order_v2(
            ticker=T1,
            side="bid",
            price="0.56",
            count="10",
            time_in_force="good_till_canceled",
            self_trade_prevention_type="taker_at_cross",
        )
        fill = taker.create_order_v2(
            ticker=T1,
            side="ask",
            price="0.50",
            count="4",
            time_in_force="immediate_or_cancel",
            self_trade_prevention_type="taker_at_cross",
        )
        assert (fill.fill_count, fill.average_fill_price) == ("4.00", "0.5600")
        assert taker.get_balance().balance_dollars == "98.1700"
        assert maker.get_market_orderbook(ticker=T1).orderbook_fp.yes_dollars == [
            ["0.5600", "6.00"]
        ]
        assert [o.remaining_count_fp for o in maker.get_orders().orders] == ["6.00"]
        assert len(taker.get_fills().fills) == 1
        assert taker.get_positions().market_positions[0].position_fp == "-4.00"
        assert len(maker.get_markets(limit=10).markets) == 4
        assert maker.get_event(event_ticker="KXTEST-26DEC").event.event_ticker == "KXTEST-26DEC"
    finally:
        server.close()
