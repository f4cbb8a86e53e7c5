"""An attacker with no key cannot move a victim's rate-limit buckets (issue 10, "Medium").

Against the real server at Kalshi's Basic tier (``--default-tier basic``: writes 100
tokens held, 10 per order; reads 400 held, 10 per request). Before this change a request
that carried only the victim's ``KALSHI-ACCESS-KEY`` was billed to the victim: public
GETs (never refunded), writes to routes that do not exist (404, never refunded), and
batches per item before anything validated them. Now only a request whose signature
verified is billed to a user; everything else pays to its source address. Expectations
are Kalshi's published Basic budgets: after any amount of forged traffic, the victim can
still spend its whole bucket at once (ten orders, forty reads), and a proven user's batch
that the route refuses as a whole costs one request, not one per item.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from augury.api.auth import generate_key_pair
from tests.security.net_harness import NetServer, http_client, running, signed

pytestmark = pytest.mark.process  # a real server in a subprocess

ORDERS = "/trade-api/v2/portfolio/events/orders"
BATCH = "/trade-api/v2/portfolio/events/orders/batched"
MARKETS = "/trade-api/v2/markets"
BALANCE = "/trade-api/v2/portfolio/balance"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    srv = NetServer(
        tmp_path_factory.mktemp("billing") / "data",
        extra=["--default-tier", "basic"],
        # The forged traffic below must reach the limiter, not the failure throttle.
        limits="auth_failures_burst=100000,key_failures_burst=100000",
    )
    with running(srv):
        yield srv


def order(cents: int) -> dict[str, str]:
    return {
        "ticker": "KXTEST-26DEC-T3",
        "side": "bid",
        "price": f"0.{cents:02d}",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }


def test_forged_traffic_never_reaches_the_victims_buckets(server: NetServer) -> None:
    victim = server.user("bl-victim", "1000")
    forged = (victim[0], generate_key_pair("rsa")[0])
    with http_client(server, "127.0.0.2") as attacker:
        for _ in range(60):  # 600 read tokens: more than the victim's 400
            attacker.get(MARKETS, headers=signed(forged, "GET", MARKETS))
            attacker.get(MARKETS, headers={"KALSHI-ACCESS-KEY": victim[0]})
        for i in range(30):  # 300 write tokens to a route that does not exist
            path = f"{ORDERS}/nope-{i}/nothing"
            attacker.post(path, json={}, headers=signed(forged, "POST", path))
        for _ in range(10):  # 20-order batches: 2,000 write tokens if billed per item
            batch = {"orders": [order(10 + i) for i in range(20)]}
            attacker.post(BATCH, json=batch, headers=signed(forged, "POST", BATCH))
    with http_client(server) as honest:
        placed = [
            honest.post(ORDERS, json=order(10 + i), headers=signed(victim, "POST", ORDERS))
            for i in range(10)
        ]
        assert [r.status_code for r in placed] == [201] * 10
        reads = [honest.get(BALANCE, headers=signed(victim, "GET", BALANCE)) for _ in range(40)]
        assert [r.status_code for r in reads] == [200] * 40


def test_forged_and_anonymous_traffic_pays_at_its_own_address(server: NetServer) -> None:
    # Unsigned reads from one address: a Basic bucket holds 400 read tokens and refills
    # 200 a second, 10 per request; twenty at a time outrun the refill on any machine.
    with http_client(server, "127.0.0.4") as anonymous, http_client(server, "127.0.0.5") as other:
        refused: list[httpx.Response] = []
        with ThreadPoolExecutor(20) as pool:
            for _ in range(50):
                batch = list(pool.map(lambda _: anonymous.get(MARKETS), range(20)))
                assert {r.status_code for r in batch} <= {200, 429}
                refused += [r for r in batch if r.status_code == 429]
                if refused:
                    break
        assert refused
        assert refused[0].json() == {"error": "too many requests"}
        assert other.get(MARKETS).status_code == 200  # another address has its own bucket


def test_a_batch_refused_as_a_whole_costs_one_request(server: NetServer) -> None:
    user = server.user("bl-batcher", "1000")
    # A ticker that is not a string fails the body's schema, so the whole batch is refused
    # (an item with a bad price would be answered item by item, inside a 201).
    invalid = {"orders": [{**order(20), "ticker": 7} for _ in range(5)]}
    with http_client(server) as client:
        refused = [
            client.post(BATCH, json=invalid, headers=signed(user, "POST", BATCH)) for _ in range(5)
        ]
        # Each must fit whole (50 tokens) but costs 10: 5 x 50 would be 250 > 100 held.
        assert [r.status_code for r in refused] == [400] * 5
        placed = [
            client.post(ORDERS, json=order(30 + i), headers=signed(user, "POST", ORDERS))
            for i in range(5)
        ]
        assert [r.status_code for r in placed] == [201] * 5
