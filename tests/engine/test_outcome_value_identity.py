"""A placement's result is the very ``OrderUpdate`` event it emitted, on both engines.

The Python engine returns the order's last emitted event as the command's value
(``augury.engine.emit.last_order_update``): one object, reachable twice. The native binding
mirrors that (outcome kind 4 names the event instead of encoding a second copy); these tests
pin the behaviour on both engines so a consumer that relies on either shape sees the same
thing.
"""

from __future__ import annotations

from typing import Any

import pytest

from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from tests.engine.market_setup import gtc_bid, one_market
from tests.engine.native_engine import native_or_skip, new_exchange

ENGINES = ["python", "native"]


def _market(engine: str) -> Any:
    exchange = new_exchange("identity", engine)
    for command in one_market({"alice": 1_000_000, "bob": 1_000_000}):
        assert exchange.apply(command, 0).reject is None
    return exchange


def _updates_of(events: list[Any], order_id: str) -> list[OrderUpdate]:
    return [e for e in events if isinstance(e, OrderUpdate) and e.order_id == order_id]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_resting_order_is_its_own_last_update(engine: str) -> None:
    exchange = _market(engine)
    outcome = exchange.apply(gtc_bid("alice", 4_000, 300), 0)
    assert outcome.reject is None
    value = outcome.value
    assert isinstance(value, OrderUpdate)
    assert value.status == "resting"
    assert value.remaining_c == 300
    updates = _updates_of(outcome.events, value.order_id)
    assert updates
    assert updates[-1] is value


@pytest.mark.parametrize("engine", ENGINES)
def test_a_filled_taker_is_its_own_last_update(engine: str) -> None:
    exchange = _market(engine)
    assert exchange.apply(gtc_bid("alice", 4_000, 200), 0).reject is None
    ask = c.PlaceOrder(
        user_id="bob",
        ticker="M",
        side="ask",
        price_cc=4_000,
        count_c=200,
        time_in_force="immediate_or_cancel",
    )
    outcome = exchange.apply(ask, 1)
    assert outcome.reject is None
    value = outcome.value
    assert value.status == "executed"
    assert value.fill_c == 200
    assert value.remaining_c == 0
    updates = _updates_of(outcome.events, value.order_id)
    assert updates
    assert updates[-1] is value


def test_the_batch_path_hands_back_the_same_object() -> None:
    native_or_skip()
    exchange = _market("native")
    payloads = [
        c.encode_command(gtc_bid("alice", 3_000, 100)),
        c.encode_command(gtc_bid("bob", 3_100, 100)),
    ]
    outcomes = exchange.apply_encoded_batch(payloads, 1)
    for outcome in outcomes:
        value = outcome.value
        assert value.status == "resting"
        assert _updates_of(outcome.events, value.order_id)[-1] is value
