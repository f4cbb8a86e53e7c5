"""Rate limits: the token bucket, the price table, and the limiter in front of the real app.

Time is a ``FakeClock`` shared by the app (auth window, sequencer, buckets) and the test,
so every refill is exact: a test moves the clock and knows the bucket's level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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
from tests.inprocess import InProcessExchange, Key, running_exchange

S = 1_000_000_000
TICKER = "KXRL-26DEC-A"
CATALOG = {
    "series": [{"ticker": "KXRL"}],
    "events": [{"event_ticker": "KXRL-26DEC", "series_ticker": "KXRL"}],
    "markets": [{"ticker": TICKER, "event_ticker": "KXRL-26DEC"}],
}


# --- the bucket and the tables -----------------------------------------------------------


# CONTRACT.md §10, transcribed: the per-second (read, write) budget of each public tier.
CONTRACT_BUDGETS = {
    "basic": (200, 100),
    "advanced": (300, 300),
    "expert": (600, 600),
    "premier": (1000, 1000),
    "paragon": (2000, 2000),
    "prime": (4000, 4000),
    "prestige": (10000, 8000),
}


def contract_capacity(tier: str, kind: str, budget: int) -> int:
    """CONTRACT.md §10: "Bucket capacity is 2 s of budget for Basic/Advanced read and for
    write above Basic; otherwise 1 s"."""
    two_seconds = tier in ("basic", "advanced") if kind == "read" else tier != "basic"
    return budget * (2 if two_seconds else 1)


def test_tiers_are_kalshis_budgets_and_capacities() -> None:
    assert set(TIER_LIMITS) == set(CONTRACT_BUDGETS)
    for tier, (read, write) in CONTRACT_BUDGETS.items():
        for kind, budget in (("read", read), ("write", write)):
            expected = BucketSpec(budget, contract_capacity(tier, kind, budget))
            assert TIER_LIMITS[tier][kind] == expected, (tier, kind)


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


def order(exchange: InProcessExchange, key: Key, cents: int) -> httpx.Response:
    """A one-contract resting bid at ``cents`` on the test market."""
    return exchange.order(key, TICKER, "bid", f"0.{cents:02d}", "1")


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with running_exchange(
        tmp_path_factory.mktemp("rl-basic"), catalog=CATALOG, default_tier="basic"
    ) as exchange:
        yield exchange


def assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.content == TOO_MANY_REQUESTS_BODY
    assert response.json() == {"error": "too many requests"}
    assert "retry-after" not in response.headers
    assert not any(name.startswith("x-ratelimit") for name in response.headers)


def test_a_write_past_the_bucket_is_429_and_changes_nothing(basic: InProcessExchange) -> None:
    key = basic.user("rl-writer")
    # Basic write: 100 tokens per second, 100 held; an order costs 10.
    for cents in range(10, 20):
        assert order(basic, key, cents).status_code == 201
    before = basic.state()
    assert_too_many(order(basic, key, 30))
    assert basic.state() == before
    users = {u["user_id"]: u for u in basic.admin("GET", "/users")["users"]}
    assert users["rl-writer"]["resting_orders"] == 10
    # Reads use their own bucket.
    assert basic.call("GET", "/trade-api/v2/portfolio/balance", key).status_code == 200
    basic.fake_clock.advance(S // 10)  # 10 tokens: exactly one more order
    assert order(basic, key, 31).status_code == 201
    assert_too_many(order(basic, key, 32))


def test_batches_are_billed_per_item_and_must_fit_whole(basic: InProcessExchange) -> None:
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
    basic.fake_clock.advance(S // 5)  # 20 tokens: ten cancels at 2 each
    assert basic.call("DELETE", path, key, cancel).status_code == 200
    assert_too_many(basic.call("DELETE", f"/trade-api/v2/portfolio/events/orders/{ids[0]}", key))


def test_a_request_that_fails_authentication_is_not_billed(basic: InProcessExchange) -> None:
    key = basic.user("rl-victim")
    forged = Key(
        key.key_id, basic.user("rl-forger").pem
    )  # the victim's key id, another private key
    # Forged requests pay to their source address (decision 0020): refused 401 while the
    # address has write tokens (basic: 100, ten orders), then 429.
    statuses = [order(basic, forged, cents).status_code for cents in range(40, 55)]
    assert statuses[0] == 401
    assert set(statuses) <= {401, 429}
    for cents in range(40, 50):
        assert order(basic, key, cents).status_code == 201


def test_limits_report_the_effective_tier_and_tier_changes_apply(basic: InProcessExchange) -> None:
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
        assert order(basic, key, cents).status_code == 201


# CONTRACT.md §10: the default is 10 tokens; batch cancel is 2 per order (so is a single
# cancel, a batch of one); the Get Quote cost is 2; legacy v1 mutations cost 10x their V2
# equivalent. (method, path, cost per request or item, billed per item) for every price
# that is not the plain default.
V2_CANCEL = 2
CONTRACT_PRICES = {
    ("DELETE", "/portfolio/events/orders/batched"): (V2_CANCEL, True),
    ("POST", "/portfolio/events/orders/batched"): (10, True),
    ("DELETE", "/portfolio/events/orders/{order_id}"): (V2_CANCEL, False),
    ("GET", "/communications/quotes/{quote_id}"): (2, False),
    ("POST", "/portfolio/orders"): (10 * 10, False),
    ("POST", "/portfolio/orders/batched"): (10 * 10, True),
    ("DELETE", "/portfolio/orders/batched"): (10 * V2_CANCEL, True),
    ("DELETE", "/portfolio/orders/{order_id}"): (10 * V2_CANCEL, False),
    ("POST", "/portfolio/orders/{order_id}/amend"): (10 * 10, False),
    ("POST", "/portfolio/orders/{order_id}/decrease"): (10 * 10, False),
    # Rows of live Kalshi's endpoint_costs table (issue 16): cancel-all, one order, the
    # usage-level upgrade.
    ("DELETE", "/portfolio/events/orders"): (V2_CANCEL, False),
    ("GET", "/portfolio/orders/{order_id}"): (2, False),
    ("POST", "/account/api_usage_level/upgrade"): (30, False),
}


def test_endpoint_costs_publish_the_contract_prices(basic: InProcessExchange) -> None:
    response = basic.request("GET", "/trade-api/v2/account/endpoint_costs")  # public, unsigned
    assert response.status_code == 200
    body = response.json()
    assert body["default_cost"] == 10
    published = {(e["method"], e["path"]): e["cost"] for e in body["endpoint_costs"]}
    # Every price that is not 10 per request is published under its full path; a batch
    # of 10 per item is not (its per-item price is the default).
    # Live Kalshi's notation: path parameters as ``:name`` (clients compile these paths).
    assert published == {
        (method, "/trade-api/v2" + re.sub(r"\{(\w+)\}", r":\1", path)): cost
        for (method, path), (cost, _per_item) in CONTRACT_PRICES.items()
        if cost != 10
    }
    assert not any("{" in path for _, path in published)


def test_the_limiter_bills_the_contract_prices() -> None:
    for (method, template), (cost, per_item) in CONTRACT_PRICES.items():
        charge = classify(method, template.replace("{order_id}", "o1").replace("{quote_id}", "q1"))
        assert (charge.cost, charge.per_item) == (cost, per_item), (method, template)
    # The literal path under a priced template keeps the default price.
    assert classify("GET", "/portfolio/orders/queue_positions").cost == 10


def test_with_rate_limits_off_nobody_is_limited(tmp_path: Path) -> None:
    with running_exchange(
        tmp_path, catalog=CATALOG, rate_limits=False, default_tier="basic"
    ) as exchange:
        key = exchange.user("rl-free")
        for cents in range(10, 22):
            assert order(exchange, key, cents).status_code == 201
        limits = exchange.call("GET", "/trade-api/v2/account/limits", key).json()
        assert limits["usage_tier"] == "unlimited"


def test_an_explicit_basic_tier_holds_under_a_generous_default(tmp_path: Path) -> None:
    with running_exchange(tmp_path, catalog=CATALOG, default_tier="prestige") as exchange:
        key = exchange.user("rl-held")
        other = exchange.user("rl-free-rider")
        path = "/trade-api/v2/account/limits"
        assert exchange.call("GET", path, key).json()["usage_tier"] == "prestige"
        exchange.admin("POST", "/users/rl-held/tier", {"tier": "basic"})
        assert exchange.call("GET", path, key).json()["usage_tier"] == "basic"
        assert exchange.call("GET", path, other).json()["usage_tier"] == "prestige"
        statuses = [order(exchange, key, cents).status_code for cents in range(10, 22)]
        assert statuses.count(201) == 10  # Basic's write bucket holds 10 orders
        assert_too_many(order(exchange, key, 30))
        users = {u["user_id"]: u for u in exchange.admin("GET", "/users")["users"]}
        assert users["rl-held"]["tier"] == "basic"
        assert users["rl-free-rider"]["tier"] == "default"
        exchange.admin("POST", "/users/rl-held/tier", {"tier": "default"})
        assert exchange.call("GET", path, key).json()["usage_tier"] == "prestige"
        tier_path = "/admin/v1/users/rl-held/tier"
        bad = exchange.call("POST", tier_path, exchange.operator, {"tier": "gold"})
        assert bad.status_code == 400
