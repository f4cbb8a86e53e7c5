"""Rate limits: the token bucket, the price table, and the limiter in front of the real app.

Time is a ``FakeClock`` shared by the app (auth window, sequencer, buckets) and the test,
so every refill is exact: a test moves the clock and knows the bucket's level.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.ratelimit import (
    TIER_LIMITS,
    TOO_MANY_REQUESTS_BODY,
    UNLIMITED_REPORTED,
    BucketSpec,
    Charge,
    RateLimiter,
    TokenBucket,
    classify,
)
from augury.api.settings import Settings
from augury.runtime.clock import FakeClock

S = 1_000_000_000
TICKER = "KXRL-26DEC-A"
CATALOG = {
    "series": [{"ticker": "KXRL"}],
    "events": [{"event_ticker": "KXRL-26DEC", "series_ticker": "KXRL"}],
    "markets": [{"ticker": TICKER, "event_ticker": "KXRL-26DEC"}],
}


# --- the bucket and the tables -----------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "read", "write"),
    [
        ("basic", (200, 400), (100, 100)),
        ("advanced", (300, 600), (300, 600)),
        ("expert", (600, 600), (600, 1200)),
        ("premier", (1000, 1000), (1000, 2000)),
        ("paragon", (2000, 2000), (2000, 4000)),
        ("prime", (4000, 4000), (4000, 8000)),
        ("prestige", (10000, 10000), (8000, 16000)),
    ],
)
def test_tiers_are_kalshis_budgets_and_capacities(
    tier: str, read: tuple[int, int], write: tuple[int, int]
) -> None:
    assert TIER_LIMITS[tier]["read"] == BucketSpec(*read)
    assert TIER_LIMITS[tier]["write"] == BucketSpec(*write)


def test_bucket_starts_full_spends_and_refills_exactly() -> None:
    spec = BucketSpec(refill_rate=100, bucket_capacity=100)
    bucket = TokenBucket(spec, now_ns=0)
    assert bucket.take(100, spec, 0)
    assert not bucket.take(10, spec, 0)
    assert bucket.tokens() == 0  # a refusal spends nothing
    assert not bucket.take(10, spec, S // 20)  # 5 tokens back after 50 ms
    assert bucket.tokens() == 5
    assert bucket.take(10, spec, S // 10)
    assert bucket.tokens() == 0
    assert bucket.take(100, spec, 60 * S)  # a long idle refills only to capacity
    assert not bucket.take(1, spec, 60 * S)


def test_bucket_ignores_a_clock_that_steps_back_and_clamps_a_lowered_tier() -> None:
    big, small = BucketSpec(100, 200), BucketSpec(10, 10)
    bucket = TokenBucket(big, now_ns=10 * S)
    assert bucket.take(150, big, 10 * S)
    assert not bucket.take(60, big, 5 * S)
    assert bucket.tokens() == 50
    assert not bucket.take(11, small, 10 * S)  # the new capacity caps what is held
    assert bucket.tokens() == 10
    bucket.give_back(30, small)
    assert bucket.tokens() == 10


@pytest.mark.parametrize(
    ("method", "path", "charge"),
    [
        ("GET", "/markets", Charge("read", 10, False)),
        ("GET", "/portfolio/order_groups", Charge("read", 10, False)),
        ("GET", "/communications/quotes/q1", Charge("read", 2, False)),
        ("GET", "/no/such/route", Charge("read", 10, False)),
        ("POST", "/api_keys", Charge("read", 10, False)),
        ("POST", "/portfolio/subaccounts/transfer", Charge("read", 10, False)),
        ("POST", "/portfolio/events/orders", Charge("write", 10, False)),
        # Cancel-all: 2 tokens, as live Kalshi's endpoint_costs table lists it.
        ("DELETE", "/portfolio/events/orders", Charge("write", 2, False)),
        ("DELETE", "/portfolio/events/orders/abc%2Fdef", Charge("write", 2, False)),
        ("POST", "/portfolio/events/orders/abc/amend", Charge("write", 10, False)),
        ("POST", "/portfolio/events/orders/batched", Charge("write", 10, True)),
        ("DELETE", "/portfolio/events/orders/batched", Charge("write", 2, True)),
        ("PUT", "/portfolio/order_groups/g1/reset", Charge("write", 10, False)),
        ("POST", "/portfolio/orders", Charge("write", 100, False)),
        ("DELETE", "/portfolio/orders/batched", Charge("write", 20, True)),
    ],
)
def test_classify_prices_and_buckets(method: str, path: str, charge: Charge) -> None:
    assert classify(method, path) == charge


def test_effective_tier() -> None:
    limiter = RateLimiter(enabled=True, default_tier="prestige")
    assert limiter.effective_tier("") == "prestige"  # never set: the server default
    assert limiter.effective_tier("basic") == "basic"  # set by the operator: as set
    assert limiter.effective_tier(None) == "prestige"
    assert limiter.effective_tier("advanced") == "advanced"
    assert limiter.effective_tier("unlimited") == "unlimited"
    assert RateLimiter(enabled=False, default_tier="basic").effective_tier("prime") == "unlimited"
    with pytest.raises(ValueError, match="unknown default tier"):
        RateLimiter(enabled=True, default_tier="platinum")


# --- the limiter in front of the app ----------------------------------------------------


class Exchange:
    """An in-process server on a fake clock, with signed admin and trading calls.

    The app runs on an event loop in a portal thread (its lifespan included); requests go
    through ``httpx.ASGITransport``, so no socket is involved.
    """

    def __init__(
        self, portal: BlockingPortal, client: httpx.AsyncClient, clock: FakeClock, data: Path
    ) -> None:
        self.portal = portal
        self.client = client
        self.clock = clock
        self.operator = (
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )

    def call(
        self, method: str, path: str, key: tuple[str, str], body: Any = None
    ) -> httpx.Response:
        ts_ms = self.clock.now_ns() // 1_000_000
        headers = signing_headers(key[1], key[0], method, path, ts_ms)
        content = None if body is None else json.dumps(body).encode()
        if content is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, path, content=content, headers=headers)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        call = functools.partial(self.client.request, method, path, **kwargs)
        response: httpx.Response = self.portal.call(call)
        return response

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.call(method, f"/admin/v1{path}", self.operator, body)
        assert response.status_code < 300, response.text
        return response.json()

    def user(self, name: str) -> tuple[str, str]:
        self.admin("POST", "/users", {"name": name, "deposit": "1000"})
        key = self.admin("POST", "/keys/generate", {"user": name})
        return key["api_key_id"], key["private_key"]

    def state(self) -> tuple[int, str]:
        report = self.admin("GET", "/state")
        return report["last_seq"], report["state_digest"]

    def order(self, key: tuple[str, str], cents: int) -> httpx.Response:
        body = {
            "ticker": TICKER,
            "side": "bid",
            "price": f"0.{cents:02d}",
            "count": "1",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross",
        }
        return self.call("POST", "/trade-api/v2/portfolio/events/orders", key, body)


def _serve(tmp: Path, **settings: Any) -> Iterator[Exchange]:
    clock = FakeClock()
    app = create_app(Settings(data_dir=tmp, **settings), clock)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://augury")
        try:
            exchange = Exchange(portal, client, clock, tmp)
            exchange.admin("POST", "/catalog", CATALOG)
            yield exchange
        finally:
            portal.call(client.aclose)


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    yield from _serve(tmp_path_factory.mktemp("rl-basic"), default_tier="basic")


def assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.content == TOO_MANY_REQUESTS_BODY
    assert response.json() == {"error": "too many requests"}
    assert "retry-after" not in response.headers
    assert not any(name.startswith("x-ratelimit") for name in response.headers)


def test_a_write_past_the_bucket_is_429_and_changes_nothing(basic: Exchange) -> None:
    key = basic.user("rl-writer")
    # Basic write: 100 tokens per second, 100 held; an order costs 10.
    for cents in range(10, 20):
        assert basic.order(key, cents).status_code == 201
    before = basic.state()
    assert_too_many(basic.order(key, 30))
    assert basic.state() == before
    users = {u["user_id"]: u for u in basic.admin("GET", "/users")["users"]}
    assert users["rl-writer"]["resting_orders"] == 10
    # Reads use their own bucket.
    assert basic.call("GET", "/trade-api/v2/portfolio/balance", key).status_code == 200
    basic.clock.advance(S // 10)  # 10 tokens: exactly one more order
    assert basic.order(key, 31).status_code == 201
    assert_too_many(basic.order(key, 32))


def test_batches_are_billed_per_item_and_must_fit_whole(basic: Exchange) -> None:
    key = basic.user("rl-batcher")
    one = {
        "ticker": TICKER,
        "side": "bid",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    path = "/trade-api/v2/portfolio/events/orders/batched"
    eleven = [{**one, "price": f"0.{c:02d}"} for c in range(20, 31)]
    before = basic.state()
    assert_too_many(basic.call("POST", path, key, {"orders": eleven}))  # 110 > 100 held
    assert basic.state() == before
    created = basic.call("POST", path, key, {"orders": eleven[:10]})
    assert created.status_code == 201
    ids = [item["order_id"] for item in created.json()["orders"]]
    cancel = {"orders": [{"order_id": order_id} for order_id in ids]}
    assert_too_many(basic.call("DELETE", path, key, cancel))
    basic.clock.advance(S // 5)  # 20 tokens: ten cancels at 2 each
    assert basic.call("DELETE", path, key, cancel).status_code == 200
    assert_too_many(basic.call("DELETE", f"/trade-api/v2/portfolio/events/orders/{ids[0]}", key))


def test_a_request_that_fails_authentication_is_not_billed(basic: Exchange) -> None:
    key = basic.user("rl-victim")
    forged = (key[0], basic.user("rl-forger")[1])  # the victim's key id, another private key
    for cents in range(40, 55):
        assert basic.order(forged, cents).status_code == 401
    for cents in range(40, 50):
        assert basic.order(key, cents).status_code == 201


def test_limits_report_the_effective_tier_and_tier_changes_apply(basic: Exchange) -> None:
    key = basic.user("rl-tiers")
    limits = basic.call("GET", "/trade-api/v2/account/limits", key).json()
    assert limits == {
        "usage_tier": "basic",
        "read": {"refill_rate": 200, "bucket_capacity": 400},
        "write": {"refill_rate": 100, "bucket_capacity": 100},
        "grants": [],
    }
    basic.admin("POST", "/users/rl-tiers/tier", {"tier": "advanced"})
    limits = basic.call("GET", "/trade-api/v2/account/limits", key).json()
    assert limits["usage_tier"] == "advanced"
    assert limits["write"] == {"refill_rate": 300, "bucket_capacity": 600}
    basic.admin("POST", "/users/rl-tiers/tier", {"tier": "unlimited"})
    limits = basic.call("GET", "/trade-api/v2/account/limits", key).json()
    assert limits["usage_tier"] == "unlimited"
    assert limits["read"]["refill_rate"] == UNLIMITED_REPORTED
    for cents in range(60, 72):  # more than any bucket of basic holds, at one instant
        assert basic.order(key, cents).status_code == 201


def test_endpoint_costs_publish_the_enforced_prices(basic: Exchange) -> None:
    response = basic.request("GET", "/trade-api/v2/account/endpoint_costs")  # public, unsigned
    assert response.status_code == 200
    body = response.json()
    assert body["default_cost"] == 10
    costs = {(e["method"], e["path"]): e["cost"] for e in body["endpoint_costs"]}
    assert costs[("DELETE", "/trade-api/v2/portfolio/events/orders/batched")] == 2
    assert costs[("DELETE", "/trade-api/v2/portfolio/events/orders/:order_id")] == 2
    assert ("POST", "/trade-api/v2/portfolio/events/orders/batched") not in costs  # 10 per item
    # The rows live Kalshi's table has, in its notation (issue 16).
    assert costs[("DELETE", "/trade-api/v2/portfolio/events/orders")] == 2
    assert costs[("GET", "/trade-api/v2/portfolio/orders/:order_id")] == 2
    assert costs[("POST", "/trade-api/v2/account/api_usage_level/upgrade")] == 30
    assert not any("{" in path for _, path in costs)
    assert classify("GET", "/portfolio/orders/queue_positions").cost == 10
    assert all(cost != 10 for cost in costs.values())
    for (method, path), cost in costs.items():
        assert classify(method, path.removeprefix("/trade-api/v2")).cost == cost


def test_with_rate_limits_off_nobody_is_limited(tmp_path: Path) -> None:
    for exchange in _serve(tmp_path, rate_limits=False, default_tier="basic"):
        key = exchange.user("rl-free")
        for cents in range(10, 22):
            assert exchange.order(key, cents).status_code == 201
        limits = exchange.call("GET", "/trade-api/v2/account/limits", key).json()
        assert limits["usage_tier"] == "unlimited"


def test_an_explicit_basic_tier_holds_under_a_generous_default(tmp_path: Path) -> None:
    for exchange in _serve(tmp_path, default_tier="prestige"):
        key = exchange.user("rl-held")
        other = exchange.user("rl-free-rider")
        path = "/trade-api/v2/account/limits"
        assert exchange.call("GET", path, key).json()["usage_tier"] == "prestige"
        exchange.admin("POST", "/users/rl-held/tier", {"tier": "basic"})
        assert exchange.call("GET", path, key).json()["usage_tier"] == "basic"
        assert exchange.call("GET", path, other).json()["usage_tier"] == "prestige"
        statuses = [exchange.order(key, cents).status_code for cents in range(10, 22)]
        assert statuses.count(201) == 10  # Basic's write bucket holds 10 orders
        assert_too_many(exchange.order(key, 30))
        users = {u["user_id"]: u for u in exchange.admin("GET", "/users")["users"]}
        assert users["rl-held"]["tier"] == "basic"
        assert users["rl-free-rider"]["tier"] == "default"
        exchange.admin("POST", "/users/rl-held/tier", {"tier": "default"})
        assert exchange.call("GET", path, key).json()["usage_tier"] == "prestige"
        tier_path = "/admin/v1/users/rl-held/tier"
        bad = exchange.call("POST", tier_path, exchange.operator, {"tier": "gold"})
        assert bad.status_code == 400
