"""Random integers into every numeric field of every write endpoint (issue 10, "Critical").

``ENDPOINTS`` names every write endpoint with numeric fields (V2 and v1 create, amend,
decrease, the items of V2 and v1 batch creates and batch cancels, subaccount transfers,
order-group creation and limit updates, and the operator's user creation ``deposit``,
deposit, withdrawal, settlement and catalog numbers of series, events and markets). Each
field first gets the sharpest values (``SWEEP``), then Hypothesis (derandomised, a fixed
number of examples) picks a field and a value: the boundaries
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
from typing import Any, NamedTuple

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


class Endpoint(NamedTuple):
    """One write endpoint: a valid request, and the numeric fields to spoil one at a time.

    ``path`` and ``body`` get the id of a fresh resource of kind ``needs`` ("order": a
    resting order of alice's, "group": one of her order groups; "" for none) and a fresh
    serial number (for names and tickers that must be new). ``ints`` get the integer as a
    JSON number; ``texts`` get it as decimal text in a few forms (``_as_number_text``).
    A dotted name reaches into a list or an object (``orders.0.count``)."""

    method: str  # an HTTP method, or "ADMIN" (a POST signed with the operator key)
    path: Callable[[str, int], str]
    body: Callable[[str, int], dict[str, Any]]
    ints: list[str]
    texts: list[str]
    needs: str = ""


def _v1_order(**fields: Any) -> dict[str, Any]:
    return {"ticker": M1, "side": "no", "action": "buy", "count": 1, "no_price": 90, **fields}


def _market(n: int) -> dict[str, Any]:
    return {
        "ticker": f"KXTEST-26DEC-P{n}",
        "event_ticker": "KXTEST-26DEC",
        "open_time": "2026-01-01T00:00:00Z",
        "close_time": "2030-01-01T00:00:00Z",
        "settlement_timer_seconds": 0,
        "floor_strike": 3,  # metadata: journaled with the command, so 64-bit at most
    }


ENDPOINTS: dict[str, Endpoint] = {
    "v2 create": Endpoint(
        "POST",
        lambda _id, _n: V2_ORDERS,
        lambda _id, _n: order_body(client_order_id=str(uuid.uuid4())),
        ["expiration_time", "subaccount", "exchange_index"],
        ["count", "price"],
    ),
    "v2 batch create": Endpoint(
        "POST",
        lambda _id, _n: f"{V2_ORDERS}/batched",
        lambda _id, _n: {"orders": [order_body(), order_body(ticker=M2)]},
        [
            f"orders.{i}.{name}"
            for i in (0, 1)
            for name in ("expiration_time", "subaccount", "exchange_index")
        ],
        [f"orders.{i}.{name}" for i in (0, 1) for name in ("count", "price")],
    ),
    "v2 amend": Endpoint(
        "POST",
        lambda oid, _n: f"{V2_ORDERS}/{oid}/amend",
        lambda _id, _n: {"ticker": M1, "side": "bid", "price": "0.10", "count": "1"},
        ["expiration_time", "exchange_index"],
        ["count", "price"],
        needs="order",
    ),
    "v2 decrease": Endpoint(
        "POST",
        lambda oid, _n: f"{V2_ORDERS}/{oid}/decrease",
        lambda _id, _n: {"reduce_by": "1"},
        ["exchange_index"],
        ["reduce_by"],
        needs="order",
    ),
    "v2 batch cancel": Endpoint(
        "DELETE",
        lambda _id, _n: f"{V2_ORDERS}/batched",
        lambda oid, _n: {"orders": [{"order_id": oid}, {"order_id": oid}]},
        [f"orders.{i}.{name}" for i in (0, 1) for name in ("subaccount", "exchange_index")],
        [],
        needs="order",
    ),
    "v1 create": Endpoint(
        "POST",
        lambda _id, _n: "/trade-api/v2/portfolio/orders",
        lambda _id, _n: {
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
    "v1 batch create": Endpoint(
        "POST",
        lambda _id, _n: "/trade-api/v2/portfolio/orders/batched",
        lambda _id, _n: {"orders": [_v1_order(), _v1_order(ticker=M2)]},
        [
            f"orders.{i}.{name}"
            for i in (0, 1)
            for name in (
                "count",
                "no_price",
                "expiration_ts",
                "buy_max_cost",
                "sell_position_floor",
                "subaccount",
                "exchange_index",
            )
        ],
        [f"orders.{i}.{name}" for i in (0, 1) for name in ("count_fp", "no_price_dollars")],
    ),
    "v1 batch cancel": Endpoint(
        "DELETE",
        lambda _id, _n: "/trade-api/v2/portfolio/orders/batched",
        lambda oid, _n: {"orders": [{"order_id": oid}]},
        ["orders.0.subaccount", "orders.0.exchange_index"],
        [],
        needs="order",
    ),
    "v1 amend": Endpoint(
        "POST",
        lambda oid, _n: f"/trade-api/v2/portfolio/orders/{oid}/amend",
        lambda _id, _n: {"ticker": M1, "side": "yes", "action": "buy", "yes_price": 10},
        ["count", "yes_price", "subaccount"],
        ["count_fp"],
        needs="order",
    ),
    "v1 decrease": Endpoint(
        "POST",
        lambda oid, _n: f"/trade-api/v2/portfolio/orders/{oid}/decrease",
        lambda _id, _n: {"reduce_to": 0},
        ["reduce_by", "reduce_to", "subaccount"],
        ["reduce_by_fp", "reduce_to_fp"],
        needs="order",
    ),
    "transfer": Endpoint(
        "POST",
        lambda _id, _n: "/trade-api/v2/portfolio/subaccounts/transfer",
        lambda _id, _n: {
            "client_transfer_id": str(uuid.uuid4()),
            "from_subaccount": 0,
            "to_subaccount": 1,
            "amount_cents": 1,
        },
        ["from_subaccount", "to_subaccount", "amount_cents"],
        [],
    ),
    # The limit under test is the only one given (both given must agree, a 400 of its own).
    "order group create": Endpoint(
        "POST",
        lambda _id, _n: "/trade-api/v2/portfolio/order_groups/create",
        lambda _id, _n: {},
        ["contracts_limit", "subaccount", "exchange_index"],
        ["contracts_limit_fp"],
    ),
    "order group limit": Endpoint(
        "PUT",
        lambda gid, _n: f"/trade-api/v2/portfolio/order_groups/{gid}/limit",
        lambda _id, _n: {},
        ["contracts_limit"],
        ["contracts_limit_fp"],
        needs="group",
    ),
    "admin user create": Endpoint(
        "ADMIN",
        lambda _id, _n: "/users",
        lambda _id, n: {"name": f"prop-user-{n}", "deposit": "1"},
        ["deposit"],
        ["deposit"],
    ),
    "admin deposit": Endpoint(
        "ADMIN",
        lambda _id, _n: "/users/alice/deposit",
        lambda _id, _n: {"amount": "1"},
        ["amount"],
        ["amount"],
    ),
    "admin withdraw": Endpoint(
        "ADMIN",
        lambda _id, _n: "/users/alice/withdraw",
        lambda _id, _n: {"amount": "1"},
        ["amount"],
        ["amount"],
    ),
    "admin settle": Endpoint(
        "ADMIN",
        lambda ticker, _n: f"/markets/{ticker}/settle",
        lambda _id, _n: {"result": "scalar", "value": "0.5"},
        ["value"],
        ["value"],
        needs="scalar market",
    ),
    "admin catalog series": Endpoint(
        "ADMIN",
        lambda _id, _n: "/catalog",
        lambda _id, n: {
            "series": [
                {"ticker": f"KXPS{n}", "fee_type": "quadratic", "fee_multiplier": 1, "step": 1}
            ]
        },
        ["series.0.fee_multiplier", "series.0.step"],
        ["series.0.fee_multiplier"],
    ),
    "admin catalog event": Endpoint(
        "ADMIN",
        lambda _id, _n: "/catalog",
        lambda _id, n: {
            "events": [
                {"event_ticker": f"KXTEST-P{n}", "series_ticker": "KXTEST", "strike_period": 1}
            ]
        },
        ["events.0.strike_period"],
        [],
    ),
    "admin catalog market": Endpoint(
        "ADMIN",
        lambda _id, _n: "/catalog",
        lambda _id, n: {"markets": [_market(n)]},
        [
            "markets.0.open_time",
            "markets.0.close_time",
            "markets.0.expiration_time",
            "markets.0.settlement_timer_seconds",
            "markets.0.floor_strike",
        ],
        ["markets.0.open_time", "markets.0.close_time", "markets.0.expiration_time"],
    ),
}
_serial = itertools.count()


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    # Rate limits off: thousands of requests in seconds, and a 429 would prove nothing.
    exchange = Exchange(
        tmp_path_factory.mktemp("property") / "data", extra=["--rate-limits", "off"]
    )
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
    if response.status_code == 400 and response.json()["error"]["code"] == "insufficient_balance":
        # Earlier examples withdrew alice's cash or rested large orders: fund her again.
        ex.server.admin("POST", "/users/alice/deposit", {"amount": "1000000"})
        response = ex.call("POST", V2_ORDERS, order_body())
    assert response.status_code == 201, response.text
    order_id: str = response.json()["order_id"]
    return order_id


def _fresh_group(ex: Exchange) -> str:
    response = ex.call(
        "POST", "/trade-api/v2/portfolio/order_groups/create", {"contracts_limit": 10}
    )
    assert response.status_code == 201, response.text
    group_id: str = response.json()["order_group_id"]
    return group_id


def _fresh_scalar_market(ex: Exchange) -> str:
    ticker = f"KXPROP-S{next(_serial)}"
    catalog = {
        "series": [{"ticker": "KXPROP", "fee_type": "quadratic"}],
        "events": [{"event_ticker": "KXPROP-E", "series_ticker": "KXPROP"}],
        "markets": [{"ticker": ticker, "event_ticker": "KXPROP-E", "market_type": "scalar"}],
    }
    ex.server.admin("POST", "/catalog", catalog)
    return ticker


FRESH: dict[str, Callable[[Exchange], str]] = {
    "": lambda _ex: "",
    "order": _fresh_order,
    "group": _fresh_group,
    "scalar market": _fresh_scalar_market,
}


# Every (endpoint, field, as text?) the table names, in a fixed order.
TARGETS = [
    (endpoint, name, textual)
    for endpoint, spec in sorted(ENDPOINTS.items())
    for name, textual in [(n, False) for n in spec.ints] + [(n, True) for n in spec.texts]
]
# The values every target gets in the sweep: past each store's 64 bits, at its edge,
# negative, "never" in seconds and a time in milliseconds.
SWEEP = [2**63, 2**63 - 1, 2**70, -1, -(2**63) - 1, 9_999_999_999, (NOW_S + 3_600) * 1_000]


def _send(ex: Exchange, target: tuple[str, str, bool], value: int, form: int) -> None:
    """Send one request with ``value`` in the target field; it must not be answered 5xx."""
    endpoint, name, textual = target
    spec = ENDPOINTS[endpoint]
    resource, serial = FRESH[spec.needs](ex), next(_serial)
    body = spec.body(resource, serial)
    _set(body, name, _as_number_text(value, form) if textual else value)
    path = spec.path(resource, serial)
    if spec.method == "ADMIN":
        response = ex.admin_raw("POST", path, body)
    else:
        response = ex.call(spec.method, path, body)
    assert response.status_code < 500, (endpoint, name, value, response.text[:300])


def test_every_numeric_field_survives_the_sharpest_values(ex: Exchange) -> None:
    """Each field of the table, each value of ``SWEEP`` (as a number, or as integer text)."""
    assert len(TARGETS) > 80  # the table was not emptied by a refactoring
    for target in TARGETS:
        for value in SWEEP:
            _send(ex, target, value, form=0)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(TARGETS),
    value=INTEGERS,
    form=st.integers(min_value=0, max_value=4),
)
def test_no_numeric_value_makes_a_write_fail_with_a_5xx(
    ex: Exchange, target: tuple[str, str, bool], value: int, form: int
) -> None:
    _send(ex, target, value, form)


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
