"""A 2024-2025 bot against the real server: plain ``requests``, hand-rolled signing, cents.

``LegacyBot`` is written the way the public guides of that time show a Kalshi client: a
``requests`` call per endpoint, the three KALSHI-ACCESS-* headers signed with
``cryptography`` over ``timestamp + METHOD + /trade-api/v2/path``, integer-cent prices,
integer counts, the v1 order writes under ``/portfolio/orders`` and the legacy integer
fields of the answers (``order["yes_price"]``, ``fill_count``, ``reduced_by``,
``balance``). One bot signs with RSA PKCS#1 v1.5 (as several 2024 community clients
did), the other with RSA-PSS at the maximum salt length (the ``cryptography`` default
many copied). A second server started with ``--v1-orders off`` answers every v1 write
like today's Kalshi: ``deprecated_v1_order_endpoint``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.e2e.server_harness import CATALOG, Server

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process

M1, M2, M3 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"
API_PREFIX = "/trade-api/v2"


class LegacyBot:
    """A minimal 2024-style Kalshi client: one signed ``requests`` call per endpoint."""

    def __init__(self, host: str, key_id: str, private_pem: str, scheme: str) -> None:
        self.base_url = host + API_PREFIX
        self.key_id = key_id
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self.private_key = key
        if scheme == "pkcs1v15":
            self.padding: padding.AsymmetricPadding = padding.PKCS1v15()
        else:
            self.padding = padding.PSS(
                mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH
            )

    def headers(self, method: str, path: str) -> dict[str, str]:
        timestamp = str(int(time.time() * 1000))
        message = (timestamp + method + API_PREFIX + path.split("?")[0]).encode("utf-8")
        signature = self.private_key.sign(message, self.padding, hashes.SHA256())
        return {
            "KALSHI-ACCESS-KEY": self.key_id,
            "KALSHI-ACCESS-SIGNATURE": base64.b64encode(signature).decode("utf-8"),
            "KALSHI-ACCESS-TIMESTAMP": timestamp,
            "Content-Type": "application/json",
        }

    def get(self, path: str, params: dict[str, Any] | None = None) -> requests.Response:
        return requests.get(
            self.base_url + path, headers=self.headers("GET", path), params=params, timeout=30
        )

    def post(self, path: str, data: Any) -> requests.Response:
        return requests.post(
            self.base_url + path, headers=self.headers("POST", path), json=data, timeout=30
        )

    def delete(self, path: str, data: Any = None) -> requests.Response:
        return requests.delete(
            self.base_url + path, headers=self.headers("DELETE", path), json=data, timeout=30
        )

    def order(self, **fields: Any) -> dict[str, Any]:
        """Place a v1 order and return the order object (asserting 201)."""
        body = {"type": "limit", **fields}
        response = self.post("/portfolio/orders", body)
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()["order"]
        return order

    def balance_cents(self) -> int:
        response = self.get("/portfolio/balance")
        assert response.status_code == 200, response.text
        balance: int = response.json()["balance"]
        return balance


@pytest.fixture(scope="module")
def alice(server: Server) -> LegacyBot:
    return LegacyBot(server.url, *server.user("alice", "1000"), scheme="pkcs1v15")


@pytest.fixture(scope="module")
def bob(server: Server) -> LegacyBot:
    return LegacyBot(server.url, *server.user("bob", "1000"), scheme="pss-max-salt")


def error_code(response: requests.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_cross_fill_amend_decrease_cancel_in_cents(alice: LegacyBot, bob: LegacyBot) -> None:
    bid = alice.order(
        ticker=M1, action="buy", side="yes", count=10, yes_price=56, client_order_id="legacy-1"
    )
    assert (bid["side"], bid["action"], bid["type"], bid["status"]) == (
        "yes",
        "buy",
        "limit",
        "resting",
    )
    assert (bid["yes_price"], bid["no_price"]) == (56, 44)
    assert (bid["fill_count"], bid["remaining_count"], bid["initial_count"]) == (0, 10, 10)
    assert bid["client_order_id"] == "legacy-1"

    # Buying NO at 44c is selling YES at 56c: it crosses alice's bid at her price.
    taker = bob.order(ticker=M1, action="buy", side="no", count=4, no_price=44)
    assert (taker["side"], taker["action"], taker["status"]) == ("no", "buy", "executed")
    assert (taker["yes_price"], taker["no_price"]) == (56, 44)
    assert (taker["fill_count"], taker["remaining_count"]) == (4, 0)
    assert taker["taker_fill_cost"] == 176  # 4 NO at 44c
    # Fee 0.07 * 4 * 0.56 * 0.44 = $0.068992, charged as 7 cents: 100000 - 176 - 7.
    assert bob.balance_cents() == 99817

    # The amend count is the new total: 4 filled + 8 resting.
    amend = alice.post(
        f"/portfolio/orders/{bid['order_id']}/amend",
        {"ticker": M1, "side": "yes", "action": "buy", "yes_price": 55, "count": 12},
    )
    assert amend.status_code == 200, amend.text
    old, new = amend.json()["old_order"], amend.json()["order"]
    assert (old["yes_price"], old["fill_count"], old["remaining_count"]) == (56, 4, 6)
    assert (new["yes_price"], new["fill_count"], new["remaining_count"]) == (55, 4, 8)

    decrease = alice.post(f"/portfolio/orders/{bid['order_id']}/decrease", {"reduce_by": 3})
    assert decrease.status_code == 200, decrease.text
    assert decrease.json()["order"]["remaining_count"] == 5
    reduce_to = alice.post(
        f"/portfolio/orders/{bid['order_id']}/decrease", {"reduce_to": 4, "reduce_to_fp": "4.00"}
    )
    assert reduce_to.json()["order"]["remaining_count"] == 4

    cancel = alice.delete(f"/portfolio/orders/{bid['order_id']}")
    assert cancel.status_code == 200, cancel.text
    body = cancel.json()
    assert (body["reduced_by"], body["reduced_by_fp"]) == (4, "4.00")
    assert (body["order"]["status"], body["order"]["remaining_count"]) == ("canceled", 0)
    assert body["order"]["fill_count"] == 4

    again = alice.delete(f"/portfolio/orders/{bid['order_id']}")
    assert again.status_code == 404
    assert error_code(again) == "not_found"


def test_bad_requests_are_400_with_kalshi_codes(alice: LegacyBot) -> None:
    cases: list[dict[str, Any]] = [
        {"yes_price": 40, "no_price": 60, "count": 1},  # 2024 docs: both prices -> 400
        {"yes_price": 40},  # no count
        {"yes_price": 40, "count": 2, "count_fp": "3.00"},  # count and count_fp disagree
        {"count": 1},  # a limit order needs a price
        {"yes_price": 40, "count": 1, "sell_position_floor": 5},
        {"yes_price": 150, "count": 1},  # outside 1..99 cents
    ]
    for fields in cases:
        response = alice.post(
            "/portfolio/orders",
            {"ticker": M2, "action": "buy", "side": "yes", "type": "limit", **fields},
        )
        assert response.status_code == 400, (fields, response.text)
        assert error_code(response) == "invalid_parameters", fields
    broke = alice.post(
        "/portfolio/orders",
        {"ticker": M2, "action": "buy", "side": "yes", "type": "limit", "yes_price": 99}
        | {"count": 100_000},
    )
    assert (broke.status_code, error_code(broke)) == (400, "insufficient_balance")


def test_expiration_ts_follows_the_2024_rule(alice: LegacyBot) -> None:
    now_s = int(time.time())
    # In the past: the order tries to fill and the rest is cancelled (IOC).
    past = alice.order(
        ticker=M2, action="buy", side="yes", count=1, yes_price=10, expiration_ts=now_s - 60
    )
    assert (past["status"], past["fill_count"], past["remaining_count"]) == ("canceled", 0, 0)
    # In the future: it rests until then.
    future = alice.order(
        ticker=M2, action="buy", side="yes", count=1, yes_price=10, expiration_ts=now_s + 3600
    )
    assert future["status"] == "resting"
    assert future["expiration_time"] is not None
    assert alice.delete(f"/portfolio/orders/{future['order_id']}").json()["reduced_by"] == 1


def test_batch_create_with_a_bad_item_then_batch_cancel(alice: LegacyBot) -> None:
    orders = [
        {"ticker": M2, "action": "buy", "side": "yes", "count": 5, "yes_price": 30},
        {"ticker": M2, "action": "buy", "side": "yes", "count": 5, "yes_price": 30}
        | {"no_price": 70, "client_order_id": "bad-both-prices"},
        {"ticker": M2, "action": "buy", "side": "no", "count": 3, "no_price": 60},
        {"ticker": "NO-SUCH-MARKET", "action": "buy", "side": "yes", "count": 1}
        | {"yes_price": 30, "client_order_id": "bad-market"},
        {"ticker": M2, "action": "sell", "side": "yes", "count": 2, "yes_price": 80},
    ]
    response = alice.post(
        "/portfolio/orders/batched", {"orders": [{"type": "limit", **o} for o in orders]}
    )
    assert response.status_code == 201, response.text
    items = response.json()["orders"]
    assert len(items) == 5
    assert items[0]["order"]["status"] == "resting"
    assert items[0]["order"]["remaining_count"] == 5
    assert items[1]["client_order_id"] == "bad-both-prices"
    assert items[1]["error"]["code"] == "invalid_parameters"
    assert "order" not in items[1]
    # buy NO at 60c rests on the ask side at YES 40c, above alice's own 30c bid.
    assert (items[2]["order"]["side"], items[2]["order"]["yes_price"]) == ("no", 40)
    assert items[3]["client_order_id"] == "bad-market"
    assert items[3]["error"]["code"] == "market_not_found"
    assert (items[4]["order"]["side"], items[4]["order"]["action"]) == ("yes", "sell")

    ids = [items[0]["order"]["order_id"], items[2]["order"]["order_id"], "no-such-order"]
    cancelled = alice.delete("/portfolio/orders/batched", {"ids": ids})
    assert cancelled.status_code == 200, cancelled.text
    results = cancelled.json()["orders"]
    assert [r["order_id"] for r in results] == ids
    assert (results[0]["reduced_by"], results[0]["reduced_by_fp"]) == (5, "5.00")
    assert results[0]["order"]["status"] == "canceled"
    assert (results[1]["reduced_by"], results[1]["reduced_by_fp"]) == (3, "3.00")
    assert results[2]["error"]["code"] == "not_found"
    assert results[2]["reduced_by_fp"] == "0.00"

    by_orders = alice.delete(
        "/portfolio/orders/batched",
        {"orders": [{"order_id": items[4]["order"]["order_id"], "subaccount": 0}]},
    )
    assert by_orders.status_code == 200, by_orders.text
    assert by_orders.json()["orders"][0]["reduced_by"] == 2
    book = alice.get(f"/markets/{M2}/orderbook").json()["orderbook_fp"]
    assert book == {"yes_dollars": [], "no_dollars": []}


def test_market_buy_with_max_cost_then_floor_zero_sell(alice: LegacyBot, bob: LegacyBot) -> None:
    # bob offers YES at 40c (3) and 45c (3) by buying NO at 60c and 55c.
    bob.order(ticker=M3, action="buy", side="no", count=3, no_price=60)
    bob.order(ticker=M3, action="buy", side="no", count=3, no_price=55)

    # 4 YES would cost 3 x 40 + 45 = 165c: a 100c cap kills the whole order (fill or kill).
    killed = alice.order(
        ticker=M3, action="buy", side="yes", type="market", count=4, buy_max_cost=100
    )
    assert (killed["type"], killed["status"], killed["fill_count"]) == ("market", "canceled", 0)
    bought = alice.order(
        ticker=M3, action="buy", side="yes", type="market", count=4, buy_max_cost=200
    )
    assert (bought["status"], bought["fill_count"], bought["remaining_count"]) == (
        "executed",
        4,
        0,
    )
    assert bought["taker_fill_cost"] == 165

    # bob bids YES at 44c for 10 (under his own 2 left at 45c); alice sells "at market"
    # but never below a flat position.
    bob.order(ticker=M3, action="buy", side="yes", count=10, yes_price=44)
    sold = alice.order(
        ticker=M3, action="sell", side="yes", type="market", count=10, sell_position_floor=0
    )
    assert (sold["status"], sold["fill_count"], sold["initial_count"]) == ("executed", 4, 4)
    positions = alice.get("/portfolio/positions", params={"ticker": M3}).json()
    assert [(p["ticker"], p["position"]) for p in positions["market_positions"]] == [(M3, 0)]

    # A resting sell cannot carry the floor (reduce_only needs IOC): refused, not ignored.
    resting = alice.post(
        "/portfolio/orders",
        {"ticker": M3, "action": "sell", "side": "yes", "type": "limit", "count": 1}
        | {"yes_price": 60, "sell_position_floor": 0},
    )
    assert (resting.status_code, error_code(resting)) == (400, "invalid_parameters")
    assert "immediate_or_cancel" in resting.json()["error"]["message"]


def test_balance_reads_in_integer_cents(server: Server) -> None:
    bot = LegacyBot(server.url, *server.user("dave", "250.37"), scheme="pkcs1v15")
    body = bot.get("/portfolio/balance").json()
    assert body["balance"] == 25037
    assert body["portfolio_value"] == 0
    for key in ("balance", "portfolio_value", "updated_ts"):
        assert type(body[key]) is int, key
    bot.order(ticker=M1, action="buy", side="yes", count=10, yes_price=20)
    # The bid holds 10 x 20c + a fee bound of 10 x 0.07 x 0.2 x 0.8 = 11.2c + 1c of
    # rounding allowance = 212.2c, rounded up to the cent.
    assert bot.balance_cents() == 25037 - 213


def test_both_signature_schemes_are_checked(server: Server, alice: LegacyBot) -> None:
    assert alice.get("/portfolio/balance").status_code == 200
    key_id, _ = server.user("mallory", "1")
    _, other_pem = server.user("trent", "1")
    for scheme in ("pkcs1v15", "pss-max-salt"):
        forged = LegacyBot(server.url, key_id, other_pem, scheme=scheme)
        response = forged.get("/portfolio/balance")
        assert response.status_code == 401, scheme
        assert error_code(response) == "authentication_error"


@pytest.fixture(scope="module")
def retired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("v1off") / "data", extra=["--v1-orders", "off"])
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def test_v1_off_answers_every_write_like_kalshi_today(retired: Server) -> None:
    bot = LegacyBot(retired.url, *retired.user("zed", "100"), scheme="pkcs1v15")
    create = {"ticker": M1, "action": "buy", "side": "yes", "type": "limit"} | {
        "count": 1,
        "yes_price": 10,
    }
    calls = [
        bot.post("/portfolio/orders", create),
        bot.post("/portfolio/orders/batched", {"orders": [create]}),
        bot.delete("/portfolio/orders/batched", {"ids": ["x"]}),
        bot.delete("/portfolio/orders/some-order"),
        bot.post("/portfolio/orders/some-order/amend", {**create, "count": 2}),
        bot.post("/portfolio/orders/some-order/decrease", {"reduce_by": 1}),
    ]
    for response in calls:
        assert response.status_code == 400, response.request.url
        assert response.json()["error"] == {
            "code": "deprecated_v1_order_endpoint",
            "message": "Please switch to the V2 endpoint",
        }
    # Nothing was placed; V2 still trades on the same server.
    assert bot.balance_cents() == 10000
    v2 = bot.post(
        "/portfolio/events/orders",
        {"ticker": M1, "side": "bid", "count": "1", "price": "0.10"}
        | {"time_in_force": "good_till_canceled", "self_trade_prevention_type": "maker"},
    )
    assert v2.status_code == 201, v2.text
