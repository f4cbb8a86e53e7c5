"""Every refusal the engine can make on a well-formed command, through ``Exchange.apply``.

Each case is a command the contract or the engine's documented rules refuse, with the
reason it must be refused for (chosen by reading the rule, not by running the engine),
and every case checks the first non-negotiable of bad input: the refusal emits no event
and changes no state, not even the clock (``state_digest`` equal before and after).

The world each case starts from: market ``M`` (series ``S``, event ``E``) with ann and
bob funded $100 each, ann's API key ``k1``, ann's resting bids ``c1`` (5 at $0.40) and
``c2`` (3 at $0.30), and ann's order group with a 10-contract limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from msgspec.structs import replace

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.events import OrderGroupUpdate, OrderUpdate
from augury.engine.exchange import MAX_SUBACCOUNTS, Exchange
from augury.engine.state import state_digest
from tests.engine.market_setup import one_market

TS = 1_000
R = RejectReason


@dataclass(frozen=True)
class World:
    exchange: Exchange
    order_id: str  # ann's resting bid, client id c1
    group_id: str  # ann's order group


def _world() -> World:
    ex = Exchange("refusals")
    for command in one_market({"ann": 1_000_000, "bob": 1_000_000}):
        assert ex.apply(command, 1).ok
    key = c.RegisterApiKey(
        api_key_id="k1", user_id="ann", name="k", public_key_pem="pem",
        key_type="ed25519", scopes=["read", "write"],
    )  # fmt: skip
    assert ex.apply(key, 2).ok
    placed = ex.apply(
        c.PlaceOrder(
            user_id="ann", ticker="M", side="bid", price_cc=4_000, count_c=500,
            time_in_force="good_till_canceled", client_order_id="c1",
        ),
        3,
    )  # fmt: skip
    (order,) = [e for e in placed.events if isinstance(e, OrderUpdate)]
    other = c.PlaceOrder(
        user_id="ann", ticker="M", side="bid", price_cc=3_000, count_c=300,
        time_in_force="good_till_canceled", client_order_id="c2",
    )  # fmt: skip
    assert ex.apply(other, 3).ok
    grouped = ex.apply(c.CreateOrderGroup(user_id="ann", contracts_limit_c=1_000), 4)
    (group,) = [e for e in grouped.events if isinstance(e, OrderGroupUpdate)]
    return World(ex, order.order_id, group.group_id)


BOB_ASKS = c.PlaceOrder(
    user_id="bob", ticker="M", side="ask", price_cc=6_000, count_c=100,
    time_in_force="good_till_canceled",
)  # fmt: skip
NEW_SERIES = c.AddSeries(ticker="S2", fee_type="quadratic", fee_multiplier_e4=10_000)
NEW_MARKET = c.AddMarket(ticker="M2", event_ticker="E", open_ts_ns=0, close_ts_ns=10**12)


def _amend(w: World, **changes: Any) -> c.AmendOrder:
    """ann re-prices her c1 bid to $0.41, with ``changes``."""
    amend = c.AmendOrder(
        user_id="ann", order_id=w.order_id, ticker="M", side="bid", price_cc=4_100,
        count_c=500,
    )  # fmt: skip
    return replace(amend, **changes)


CASES: dict[str, tuple[Callable[[World], c.Command], RejectReason]] = {
    # accounts and keys
    "a taken user id": (
        lambda w: c.CreateUser(user_id="ann", name="x"),
        R.ALREADY_EXISTS,
    ),
    "a key for nobody": (
        lambda w: c.RegisterApiKey(
            api_key_id="k2",
            user_id="zed",
            name="k",
            public_key_pem="pem",
            key_type="ed25519",
            scopes=["read"],
        ),
        R.UNKNOWN_USER,
    ),
    "a taken key id": (
        lambda w: c.RegisterApiKey(
            api_key_id="k1",
            user_id="bob",
            name="k",
            public_key_pem="pem",
            key_type="ed25519",
            scopes=["read"],
        ),
        R.ALREADY_EXISTS,
    ),
    # The exchange's total (deposits less withdrawals) may not pass $100 billion
    # (decision 0014); ann and bob already hold $200, so one more $100 billion is over.
    "a deposit past the exchange's money limit": (
        lambda w: c.Deposit(user_id="bob", amount_cc=10**15),
        R.MONEY_LIMIT,
    ),
    "revoking someone else's key": (
        lambda w: c.RevokeApiKey(api_key_id="k1", user_id="bob"),
        R.INVALID_PARAMETERS,
    ),
    "revoking an unknown key": (
        lambda w: c.RevokeApiKey(api_key_id="k9", user_id="ann"),
        R.INVALID_PARAMETERS,
    ),
    "a tier for nobody": (
        lambda w: c.SetUserTier(user_id="zed", tier="basic"),
        R.UNKNOWN_USER,
    ),
    "an unknown tier": (
        lambda w: c.SetUserTier(user_id="ann", tier="platinum"),
        R.INVALID_PARAMETERS,
    ),
    "a deposit for nobody": (
        lambda w: c.Deposit(user_id="zed", amount_cc=100),
        R.UNKNOWN_USER,
    ),
    "a deposit to a subaccount that does not exist": (
        lambda w: c.Deposit(user_id="ann", amount_cc=100, subaccount=3),
        R.INVALID_PARAMETERS,
    ),
    "a transfer to the same subaccount": (
        lambda w: c.TransferCash(
            user_id="ann",
            from_subaccount=0,
            to_subaccount=0,
            amount_cc=100,
            transfer_id="t1",
        ),
        R.INVALID_PARAMETERS,
    ),
    # the catalogue
    "an unknown fee type": (
        lambda w: replace(NEW_SERIES, fee_type="progressive"),
        R.INVALID_PARAMETERS,
    ),
    "a negative fee multiplier": (
        lambda w: replace(NEW_SERIES, fee_multiplier_e4=-1),
        R.INVALID_PARAMETERS,
    ),
    "an event of an unknown series": (
        lambda w: c.AddEvent(event_ticker="E2", series_ticker="S9"),
        R.INVALID_PARAMETERS,
    ),
    "a market of an unknown event": (
        lambda w: replace(NEW_MARKET, event_ticker="E9"),
        R.INVALID_PARAMETERS,
    ),
    "an unknown price grid": (
        lambda w: replace(NEW_MARKET, price_level_structure="quarter_cent"),
        R.INVALID_PARAMETERS,
    ),
    "a market that closes before it opens": (
        lambda w: replace(NEW_MARKET, open_ts_ns=10**9, close_ts_ns=10**9),
        R.INVALID_PARAMETERS,
    ),
    "a scalar result without a value": (
        lambda w: c.DetermineMarket(ticker="M", result="scalar"),
        R.INVALID_PARAMETERS,
    ),
    # A number outside domain/limits.py is refused first of all (decision 0014).
    "a scalar result above $1": (
        lambda w: c.DetermineMarket(ticker="M", result="scalar", value_cc=10_001),
        R.OUT_OF_DOMAIN,
    ),
    # orders
    "a market buy with a zero cost cap": (
        lambda w: replace(
            BOB_ASKS, order_type="market", time_in_force="fill_or_kill", buy_max_cost_cc=0
        ),
        R.INVALID_PARAMETERS,
    ),
    "cancel-all for nobody": (lambda w: c.CancelAll(user_id="zed"), R.UNKNOWN_USER),
    "a decrease both by and to": (
        lambda w: c.DecreaseOrder(
            user_id="ann", order_id=w.order_id, reduce_by_c=100, reduce_to_c=100
        ),
        R.INVALID_PARAMETERS,
    ),
    "a decrease neither by nor to": (
        lambda w: c.DecreaseOrder(user_id="ann", order_id=w.order_id),
        R.INVALID_PARAMETERS,
    ),
    "an amend naming another client order id": (
        lambda w: _amend(w, client_order_id="c9"),
        R.ORDER_ID_CLIENT_ORDER_ID_MISMATCH,
    ),
    "an amend to a client order id in use": (
        lambda w: _amend(w, updated_client_order_id="c2"),
        R.ORDER_ALREADY_EXISTS,
    ),
    "an amend expiring in the past": (
        lambda w: _amend(w, expiration_ts_ns=TS - 1),
        R.INVALID_EXPIRATION,
    ),
    # order groups
    "a group with a zero limit": (
        lambda w: c.CreateOrderGroup(user_id="ann", contracts_limit_c=0),
        R.INVALID_PARAMETERS,
    ),
    "a new limit on someone else's group": (
        lambda w: c.UpdateOrderGroupLimit(
            user_id="bob", group_id=w.group_id, contracts_limit_c=500
        ),
        R.ORDER_GROUP_NOT_FOUND,
    ),
    "a zero limit on one's group": (
        lambda w: c.UpdateOrderGroupLimit(user_id="ann", group_id=w.group_id, contracts_limit_c=0),
        R.INVALID_PARAMETERS,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_refusal_names_its_reason_and_changes_nothing(case: str) -> None:
    make, reason = CASES[case]
    world = _world()
    command = make(world)
    before = state_digest(world.exchange)
    outcome = world.exchange.apply(command, TS)
    assert outcome.reject is not None, f"{case}: accepted"
    assert outcome.reject.reason is reason, (case, outcome.reject)
    assert outcome.events == []
    assert state_digest(world.exchange) == before


def test_the_subaccount_limit_holds() -> None:
    world = _world()
    ex = world.exchange
    for n in range(MAX_SUBACCOUNTS):
        assert ex.apply(c.CreateSubaccount(user_id="bob"), TS + n).ok, n
    before = state_digest(ex)
    outcome = ex.apply(c.CreateSubaccount(user_id="bob"), TS + MAX_SUBACCOUNTS)
    assert outcome.reject is not None
    assert outcome.reject.reason is R.INVALID_PARAMETERS
    assert state_digest(ex) == before


def test_loading_a_series_again_refreshes_its_metadata_only() -> None:
    # A catalog loaded twice is harmless: the second AddSeries keeps the fee rules.
    ex = _world().exchange
    again = c.AddSeries(
        ticker="S", fee_type="flat", fee_multiplier_e4=5_000, meta={"title": "Again"}
    )
    assert ex.apply(again, TS).ok
    series = ex.series["S"]
    assert series.meta == {"title": "Again"}
    assert (series.fee_type.value, series.fee_multiplier_e4) == ("quadratic", 10_000)
