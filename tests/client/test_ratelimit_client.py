"""The client-side limiter: billing rules, waits, and 10,000 basic-tier requests with no 429."""

from __future__ import annotations

from pathlib import Path

import pytest

from augury.client import endpoints as ep
from augury.client import orders
from augury.client.clock import FakeClock
from augury.client.models import wire
from augury.client.ratelimit import BucketSpec, ClientRateLimiter, CostTable, bucket_of
from augury.client.retry import RetryPolicy
from tests.client.inproc import exchange

T1 = "KXTEST-26DEC-T1"


def test_billing_follows_kalshis_rules() -> None:
    assert bucket_of("GET", "/portfolio/orders") == "read"
    assert bucket_of("POST", "/portfolio/events/orders") == "write"
    assert bucket_of("DELETE", "/portfolio/events/orders/{order_id}") == "write"
    assert bucket_of("PUT", "/portfolio/order_groups/{order_group_id}/reset") == "write"
    assert bucket_of("POST", "/api_keys") == "read"
    costs = CostTable(10, [("DELETE", "/trade-api/v2/portfolio/events/orders/{order_id}", 2)])
    costs = CostTable.from_wire(
        wire.GetAccountEndpointCostsResponse(
            default_cost=10,
            endpoint_costs=[
                wire.EndpointTokenCost(
                    method="DELETE", path="/trade-api/v2/portfolio/events/orders/{order_id}", cost=2
                ),
                wire.EndpointTokenCost(
                    method="DELETE", path="/trade-api/v2/portfolio/events/orders/batched", cost=2
                ),
            ],
        )
    )
    assert costs.cost("DELETE", "/portfolio/events/orders/{order_id}", 1) == 2
    assert costs.cost("DELETE", "/portfolio/events/orders/batched", 7) == 14
    assert costs.cost("POST", "/portfolio/events/orders/batched", 3) == 30
    assert costs.cost("GET", "/markets", 1) == 10


def test_the_bucket_waits_exactly_for_the_refill() -> None:
    clock = FakeClock()
    # 100 tokens/s, 200 capacity; no safety margin: capacity counts 200 - 10 = 190 tokens.
    limiter = ClientRateLimiter(
        BucketSpec(100, 200), BucketSpec(100, 100), CostTable(10, []), clock, margin_permille=0
    )
    call = ep.get_markets()
    waits = [limiter.reserve(call) for _ in range(19)]
    assert waits == [0.0] * 19
    assert limiter.reserve(call) == 0.1  # 10 tokens at 100/s
    assert limiter.reserve(call) == 0.2  # queued behind the first debt
    clock.advance(200_000_000)
    assert limiter.reserve(call) == 0.1
    # In debt by 10 tokens: (190 + 10) / 190 of the capacity is in use.
    assert limiter.usage_permille("read") == 200 * 1000 // 190


def test_a_margin_slows_the_refill() -> None:
    clock = FakeClock()
    limiter = ClientRateLimiter(
        BucketSpec(200, 400), BucketSpec(100, 100), CostTable(10, []), clock, margin_permille=50
    )
    for _ in range(39):
        assert limiter.reserve(ep.get_markets()) == 0.0
    # 10 tokens at 190 tokens/s.
    assert limiter.reserve(ep.get_markets()) == 52_631_579 / 1e9  # ceil(10/190 s) in ns


@pytest.mark.slow  # 10,000 requests through the in-process server: a minute of CPU under load
def test_basic_tier_client_never_sees_a_429_in_10000_requests(tmp_path: Path) -> None:
    with exchange(tmp_path / "data", rate_limits=True) as ex:
        signer = ex.user("basic", dollars="100000", tier="basic")
        # No retries: a single 429 would raise RateLimitedError and fail the test.
        client = ex.client(signer, retry=RetryPolicy("none", attempts=1))
        limiter = client.install_rate_limiter()
        assert limiter.tier == "basic"
        statuses: list[int] = []

        class Count:
            def on_request(self, method: str, template: str, status: int | None, s: float) -> None:
                statuses.append(status or 0)

        client.observer = Count()
        start_ns = ex.clock.now_ns()
        sent = 2
        i = 0
        while sent < 10_000:
            kind = i % 10
            i += 1
            if kind < 6:
                if kind % 2:
                    client.send(ep.get_market_orderbook(T1))
                else:
                    client.send(ep.get_balance())
                sent += 1
            elif kind < 8:
                created = client.create_order(orders.order_v2(T1, "bid", 100 * (1 + i % 50), 100))
                client.cancel_order(created.order_id)
                sent += 2
            else:
                batch = wire.BatchCreateOrdersV2Request(
                    orders=[orders.order_v2(T1, "bid", 200, 100) for _ in range(3)]
                )
                made = client.send(ep.batch_create_orders_v2(batch))
                cancel = wire.BatchCancelOrdersV2Request(
                    orders=[
                        wire.BatchCancelOrdersV2RequestOrdersInner(order_id=o.order_id or "")
                        for o in made.orders
                    ]
                )
                client.send(ep.batch_cancel_orders_v2(cancel))
                sent += 2
        assert len(statuses) >= 9_998
        assert 429 not in statuses
        assert set(statuses) <= {200, 201}
        # The run really was limited: at basic (200 read/s, 100 write/s) it spans minutes.
        elapsed_s = (ex.clock.now_ns() - start_ns) / 1e9
        assert elapsed_s > 200
