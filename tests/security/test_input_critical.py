"""Issue 10, "Critical": values that made the exchange impossible to restart, or stopped it.

Each test sends what a hostile (or merely buggy) client sent, against the real server:

- an expiration of 9999999999 s (a common "never") was accepted (201); the history writer
  then failed on the nanosecond value (> 2**63), history reads went stale, and the next
  start died with ``OverflowError``. The same through V2 amend, the v1 ``expiration_ts``
  and an operator deposit of "999999999999999" dollars;
- milliseconds sent for seconds, ``2**70``, a transfer of ``2**62`` cents, v1 ``count``,
  ``buy_max_cost`` or ``reduce_by`` of ``2**62``: the journal encoder raised and every
  write of every user got 500 until a restart.

Now each is a 400 ``invalid_parameters`` that journals nothing (the last seq does not
move), the next order of another user is accepted, and the server restarts with the
same state digest. The domain (2020..2100 for wire times, magnitude bounds for amounts
and counts) is decision 0014's. Every test runs on SQLite and on PostgreSQL (whose
``bigint`` is the same signed 64 bits).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.input_server import M1, V2_ORDERS, Exchange, order_body
from tests.security.stores import STORES, store_url

# A real server in a subprocess (tests.security.input_server).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.process]


@pytest.fixture(scope="module", params=STORES)
def ex(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Exchange]:
    with store_url(request.param) as db:
        exchange = Exchange(tmp_path_factory.mktemp("critical") / "data", db=db)
        try:
            yield exchange
        finally:
            exchange.close()


def _refused(ex: Exchange, response: Any, field: str) -> None:
    """A 400 invalid_parameters that names the field, with nothing journaled."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"]["code"] == "invalid_parameters"
    assert field in body["error"]["message"]


def _still_trading(ex: Exchange) -> None:
    """Another user's ordinary order is still accepted: the sequencer is alive."""
    response = ex.call("POST", V2_ORDERS, order_body(price="0.05"), user="bob")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "expiration",
    [9_999_999_999, 1_796_414_400_000, 2**70, 2**63, -1, 1],
    ids=["never", "milliseconds", "2**70", "2**63", "negative", "1970"],
)
def test_v2_create_expiration_outside_the_window_is_refused(ex: Exchange, expiration: int) -> None:
    before = ex.state()["last_seq"]
    response = ex.call("POST", V2_ORDERS, order_body(expiration_time=expiration))
    _refused(ex, response, "expiration_time")
    assert ex.state()["last_seq"] == before
    _still_trading(ex)


def test_milliseconds_are_named_as_the_likely_mistake(ex: Exchange) -> None:
    response = ex.call("POST", V2_ORDERS, order_body(expiration_time=1_796_414_400_000))
    assert "seconds" in response.json()["error"]["message"]


def test_v2_amend_expiration_outside_the_window_is_refused(ex: Exchange) -> None:
    placed = ex.call("POST", V2_ORDERS, order_body())
    assert placed.status_code == 201
    order_id = placed.json()["order_id"]
    amend = {"ticker": M1, "side": "bid", "price": "0.10", "count": "1"}
    for expiration in (9_999_999_999, 1_796_414_400_000, 2**70):
        response = ex.call(
            "POST", f"{V2_ORDERS}/{order_id}/amend", {**amend, "expiration_time": expiration}
        )
        _refused(ex, response, "expiration_time")
    # 0 still clears the expiry (3.34) and a time in the window still sets it.
    cleared = ex.call("POST", f"{V2_ORDERS}/{order_id}/amend", {**amend, "expiration_time": 0})
    assert cleared.status_code == 200, cleared.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expiration_ts", 9_999_999_999),
        ("expiration_ts", 1_796_414_400_000),
        ("count", 2**62),
        ("buy_max_cost", 2**62),
    ],
)
def test_v1_create_out_of_domain_is_refused(ex: Exchange, field: str, value: int) -> None:
    before = ex.state()["last_seq"]
    body = {"ticker": M1, "side": "yes", "action": "buy", "count": 1, "yes_price": 10}
    body[field] = value
    response = ex.call("POST", "/trade-api/v2/portfolio/orders", body)
    _refused(ex, response, field)
    assert ex.state()["last_seq"] == before
    _still_trading(ex)


def test_v1_decrease_reduce_by_out_of_domain_is_refused(ex: Exchange) -> None:
    placed = ex.call("POST", V2_ORDERS, order_body())
    order_id = placed.json()["order_id"]
    response = ex.call(
        "POST", f"/trade-api/v2/portfolio/orders/{order_id}/decrease", {"reduce_by": 2**62}
    )
    _refused(ex, response, "reduce_by")
    _still_trading(ex)


def test_v2_count_and_price_out_of_domain_are_refused(ex: Exchange) -> None:
    for body, field in (
        (order_body(count=str(2**62)), "count"),
        (order_body(count="999999999999999"), "count"),
        (order_body(price="999999999999999"), "price"),
    ):
        _refused(ex, ex.call("POST", V2_ORDERS, body), field)
    _still_trading(ex)


def test_subaccount_transfer_of_2_62_cents_is_refused(ex: Exchange) -> None:
    assert ex.call("POST", "/trade-api/v2/portfolio/subaccounts", {}).status_code == 201
    before = ex.state()["last_seq"]
    response = ex.call(
        "POST",
        "/trade-api/v2/portfolio/subaccounts/transfer",
        {
            "client_transfer_id": str(uuid.uuid4()),
            "from_subaccount": 0,
            "to_subaccount": 1,
            "amount_cents": 2**62,
        },
    )
    _refused(ex, response, "amount_cents")
    assert ex.state()["last_seq"] == before
    _still_trading(ex)


def test_operator_deposit_beyond_the_money_bound_is_refused(ex: Exchange) -> None:
    before = ex.state()["last_seq"]
    response = ex.admin_raw("POST", "/users/alice/deposit", {"amount": "999999999999999"})
    _refused(ex, response, "amount")
    assert ex.state()["last_seq"] == before
    _still_trading(ex)


def test_history_stays_current_and_the_server_restarts_with_the_same_state(
    ex: Exchange,
) -> None:
    placed = ex.call("POST", V2_ORDERS, order_body(client_order_id="history-probe"))
    assert placed.status_code == 201
    orders = ex.call("GET", "/trade-api/v2/portfolio/orders").json()["orders"]
    assert "history-probe" in [order["client_order_id"] for order in orders]
    before = ex.state()
    ex.restart()
    assert ex.state() == before
    orders = ex.call("GET", "/trade-api/v2/portfolio/orders").json()["orders"]
    assert "history-probe" in [order["client_order_id"] for order in orders]
