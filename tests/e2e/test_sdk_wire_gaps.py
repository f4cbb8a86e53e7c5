"""Issue 16's wire gaps through the real server, as the SDK and a raw client see them."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.server_harness import Server

pytestmark = pytest.mark.process

API = "/trade-api/v2"


def test_market_and_event_carry_the_fields_live_kalshi_sends(server: Server) -> None:
    market = httpx.get(f"{server.url}{API}/markets/KXTEST-26DEC-T1").json()["market"]
    assert market["fractional_trading_enabled"] is False
    assert market["liquidity_dollars"] == "0.0000"
    assert market["is_provisional"] is False
    event = httpx.get(f"{server.url}{API}/events/KXTEST-26DEC").json()["event"]
    assert event["available_on_brokers"] is False
    listed = httpx.get(f"{server.url}{API}/events").json()["events"]
    assert all(e["available_on_brokers"] is False for e in listed)


def test_the_sdk_reads_the_empty_lists(server: Server) -> None:
    sdk = server.sdk(*server.user("gap-reader", "1"))
    assert sdk.get_series_fee_changes().series_fee_change_arr == []
    fees = sdk.get_event_fee_changes()
    assert (fees.event_fee_changes, fees.cursor) == ([], "")
    multivariate = sdk.get_multivariate_events(limit=10)
    assert (multivariate.events, multivariate.cursor) == ([], "")
    costs = {(e.method, e.path): e.cost for e in sdk.get_account_endpoint_costs().endpoint_costs}
    assert costs[("GET", f"{API}/portfolio/orders/:order_id")] == 2
