"""Random integers into every numeric field of every write endpoint (issue 10, "Critical").

Hypothesis picks an endpoint, one of its numeric fields and a value: the boundaries
(0, -1, 2**31, 2**53, 2**63, 2**64, 2**70 and their neighbours), Unix times in seconds and
in milliseconds (the classic client bug), and anything in +-2**80; a numeric string field
(``count``, ``price``...) gets the value as a string, with and without decimals, or as
a bare JSON number. Every other field of the request is valid, so the value under test
decides the answer. Against the real server:

- every answer is a 4xx or a success, never a 5xx;
- afterwards the sequencer is alive (an ordinary order is accepted);
- a clean restart recovers the same state digest.

The expectation needs no knowledge of the domains: a server that cannot hold a value must
refuse it, and never fail on it.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.input_server import M1, M2, V2_ORDERS, Exchange, order_body

# A real server in a subprocess (tests.security.input_server).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.process]

NOW_S = int(time.time())
BOUNDARIES = sorted(
    {
        *(sign * v for sign in (1, -1) for v in (0, 1, 2, 63, 64, 99, 100, 101)),
        *(b + d for b in (2**31, 2**32, 2**53, 2**62, 2**63, 2**64) for d in (-1, 0, 1)),
        *(-b for b in (2**31, 2**53, 2**63, 2**64)),
        2**70,
        -(2**70),
        9_999_999_999,
        10**15,
        10**15 + 1,
        10**17,
        NOW_S,
        NOW_S + 3_600,
        NOW_S - 3_600,
        (NOW_S + 3_600) * 1_000,  # milliseconds for seconds
        (NOW_S + 3_600) * 1_000_000,
        1_577_836_800,
        4_102_444_800,
        4_102_444_801,
    }
)
INTEGERS = st.one_of(
    st.sampled_from(BOUNDARIES),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.integers(min_value=-1_000, max_value=1_000),
)


def _as_number_text(value: int, form: int) -> Any:
    """A count/price field's value: decimal text in a few forms, or a bare number."""
    return [str(value), f"{value}.00", f"0.{abs(value)}", f"{value}.5", value][form]


# name -> (method, path(ex, order_id), valid body(ex, order_id), int fields, text fields)
Body = Callable[[Exchange, str], dict[str, Any]]
ENDPOINTS: dict[str, tuple[str, Callable[[str], str], Body, list[str], list[str]]] = {
    "v2 create": (
        "POST",
        lambda _: V2_ORDERS,
        lambda _ex, _oid: order_body(client_order_id=str(uuid.uuid4())),
        ["expiration_time", "subaccount", "exchange_index"],
        ["count", "price"],
    ),
    "v2 batch create": (
        "POST",
        lambda _: f"{V2_ORDERS}/batched",
        lambda _ex, _oid: {"orders": [order_body(), order_body(ticker=M2)]},
        ["orders.0.expiration_time", "orders.1.subaccount"],
        ["orders.0.count", "orders.1.price"],
    ),
    "v2 amend": (
        "POST",
        lambda oid: f"{V2_ORDERS}/{oid}/amend",
        lambda _ex, _oid: {"ticker": M1, "side": "bid", "price": "0.10", "count": "1"},
        ["expiration_time", "exchange_index"],
        ["count", "price"],
    ),
    "v2 decrease": (
        "POST",
        lambda oid: f"{V2_ORDERS}/{oid}/decrease",
        lambda _ex, _oid: {"reduce_by": "1"},
        ["exchange_index"],
        ["reduce_by"],
    ),
    "v2 batch cancel": (
        "DELETE",
        lambda _: f"{V2_ORDERS}/batched",
        lambda _ex, oid: {"orders": [{"order_id": oid}]},
        ["orders.0.subaccount", "orders.0.exchange_index"],
        [],
    ),
    "v1 create": (
        "POST",
        lambda _: "/trade-api/v2/portfolio/orders",
        lambda _ex, _oid: {
            "ticker": M1,
            "side": "yes",
            "action": "buy",
            "count": 1,
            "yes_price": 10,
        },
        [
            "count",
            "yes_price",
            "expiration_ts",
            "buy_max_cost",
            "sell_position_floor",
            "subaccount",
        ],
        ["count_fp", "yes_price_dollars"],
    ),
    "v1 batch create": (
        "POST",
        lambda _: "/trade-api/v2/portfolio/orders/batched",
        lambda _ex, _oid: {
            "orders": [{"ticker": M1, "side": "no", "action": "buy", "count": 1, "no_price": 90}]
        },
        ["orders.0.count", "orders.0.no_price", "orders.0.expiration_ts"],
        ["orders.0.count_fp"],
    ),
    "v1 amend": (
        "POST",
        lambda oid: f"/trade-api/v2/portfolio/orders/{oid}/amend",
        lambda _ex, _oid: {"ticker": M1, "side": "yes", "action": "buy", "yes_price": 10},
        ["count", "yes_price", "subaccount"],
        ["count_fp"],
    ),
    "v1 decrease": (
        "POST",
        lambda oid: f"/trade-api/v2/portfolio/orders/{oid}/decrease",
        lambda _ex, _oid: {"reduce_to": 0},
        ["reduce_by", "reduce_to", "subaccount"],
        ["reduce_by_fp", "reduce_to_fp"],
    ),
    "transfer": (
        "POST",
        lambda _: "/trade-api/v2/portfolio/subaccounts/transfer",
        lambda _ex, _oid: {
            "client_transfer_id": str(uuid.uuid4()),
            "from_subaccount": 0,
            "to_subaccount": 1,
            "amount_cents": 1,
        },
        ["from_subaccount", "to_subaccount", "amount_cents"],
        [],
    ),
    "order group": (
        "POST",
        lambda _: "/trade-api/v2/portfolio/order_groups/create",
        lambda _ex, _oid: {"contracts_limit": 10},
        ["contracts_limit", "subaccount"],
        ["contracts_limit_fp"],
    ),
    "admin deposit": (
        "ADMIN",
        lambda _: "/users/alice/deposit",
        lambda _ex, _oid: {"amount": "1"},
        ["amount"],
        ["amount"],
    ),
    "admin withdraw": (
        "ADMIN",
        lambda _: "/users/alice/withdraw",
        lambda _ex, _oid: {"amount": "1"},
        ["amount"],
        ["amount"],
    ),
    "admin settle": (
        "ADMIN",
        lambda _: "/markets/{ticker}/settle",
        lambda _ex, _oid: {"result": "scalar", "value": "0.5"},
        ["value"],
        ["value"],
    ),
}
_settle_markets = itertools.count()


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    exchange = Exchange(tmp_path_factory.mktemp("property") / "data")
    assert exchange.call("POST", "/trade-api/v2/portfolio/subaccounts", {}).status_code == 201
    yield exchange
    exchange.close()


def _set(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[leaf] = value


def _fresh_order(ex: Exchange) -> str:
    response = ex.call("POST", V2_ORDERS, order_body())
    assert response.status_code == 201, response.text
    order_id: str = response.json()["order_id"]
    return order_id


def _settle_path(ex: Exchange) -> str:
    ticker = f"KXPROP-S{next(_settle_markets)}"
    catalog = {
        "series": [{"ticker": "KXPROP", "fee_type": "quadratic"}],
        "events": [{"event_ticker": "KXPROP-E", "series_ticker": "KXPROP"}],
        "markets": [{"ticker": ticker, "event_ticker": "KXPROP-E", "market_type": "scalar"}],
    }
    ex.server.admin("POST", "/catalog", catalog)
    return f"/markets/{ticker}/settle"


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(sorted(ENDPOINTS)),
    pick=st.integers(min_value=0, max_value=1_000),
    value=INTEGERS,
    form=st.integers(min_value=0, max_value=4),
)
def test_no_numeric_value_makes_a_write_fail_with_a_5xx(
    ex: Exchange, endpoint: str, pick: int, value: int, form: int
) -> None:
    method, path_of, body_of, int_fields, text_fields = ENDPOINTS[endpoint]
    order_id = _fresh_order(ex) if "{oid}" in path_of("{oid}") else ""
    body = body_of(ex, order_id)
    fields = [(name, False) for name in int_fields] + [(name, True) for name in text_fields]
    name, textual = fields[pick % len(fields)]
    _set(body, name, _as_number_text(value, form) if textual else value)
    if method == "ADMIN":
        path = _settle_path(ex) if endpoint == "admin settle" else path_of(order_id)
        response = ex.admin_raw("POST", path, body)
    else:
        response = ex.call(method, path_of(order_id), body)
    assert response.status_code < 500, (endpoint, name, value, response.text[:300])


def test_afterwards_the_sequencer_is_alive_and_a_restart_recovers_the_same_state(
    ex: Exchange,
) -> None:
    response = ex.call("POST", V2_ORDERS, order_body(price="0.05"), user="bob")
    assert response.status_code == 201, response.text
    before = ex.state()
    ex.restart()
    assert ex.state() == before
    response = ex.call("POST", V2_ORDERS, order_body(price="0.06"), user="bob")
    assert response.status_code == 201, response.text
