"""Each command family's refusals, in the precedence its contract documents.

Every engine module that handles a command family (``engine/accounts.py``,
``catalog.py``, ``lifecycle.py``, ``placement.py``, ``amend.py``, ``cancel.py``,
``groups.py``) lists in its docstring the rejects of each command in precedence order:
when a command is wrong in several ways, the first reason in the list is the answer
(``domain/rejects.py`` orders the stages: validation, identity, market state, risk, as
Kalshi does, CONTRACT.md §12). This table states those contracts as cases, each applied
through ``Exchange.apply`` to the same small exchange, and checks the answer, that the
refused command emitted nothing and changed nothing at all (the state's digest), and that
the refusal is a value (``Outcome.value`` of a refused command is a bug to ask for).

Cases wrong in two ways name the earlier reason: they pin the precedence, not just the
reason. Before any family, ``engine/domain_check.py`` refuses a field beyond its bound
(``out_of_domain``), so that reason leads for every command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from augury.domain.limits import MONEY_MAX_CC
from augury.domain.units import ONE_DOLLAR_CC
from augury.engine import commands as c
from augury.engine import placement
from augury.engine.events import OrderUpdate
from augury.engine.exchange import Exchange
from augury.engine.results import Outcome, batch_outcomes
from augury.engine.state import load_snapshot, make_snapshot, state_digest

T0 = 1_767_225_600_000_000_000
S = 1_000_000_000
FAR = T0 + 10**6 * S
DOLLARS = 10_000 * 100  # $100 in centi-cents
PEM = "-----BEGIN PUBLIC KEY-----\nnot checked by the engine\n-----END PUBLIC KEY-----\n"


@dataclass
class World:
    """The exchange every case starts from, and the ids it minted."""

    x: Exchange
    ts: int
    ids: dict[str, str] = field(default_factory=dict)

    def ok(self, command: c.Cmd[Any]) -> Any:
        self.ts += S
        outcome: Outcome[Any] = self.x.apply(command, self.ts)
        assert outcome.reject is None, (command, outcome.reject)
        return outcome.value


def _gtc(user: str, ticker: str, side: str, price_cc: int, count_c: int, **more: Any) -> Any:
    fields: dict[str, Any] = {"user_id": user, "ticker": ticker, "side": side, "price_cc": price_cc}
    return c.PlaceOrder(count_c=count_c, time_in_force="good_till_canceled", **fields, **more)


def world() -> World:
    """Markets M (open; ann rests a bid, bob sold to it), P (opens later), F (fractional,
    deci-cent grid) and Z (paused); users ann (subaccount 1 too), bob, cat; ann's API key
    and cat's key with the operator's ``admin`` scope;
    bob's order group; and M's order that ann lost when market Q closed."""
    w = World(Exchange("contracts"), T0)
    w.ok(c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000))
    w.ok(c.AddEvent(event_ticker="E", series_ticker="S"))
    markets: list[tuple[str, int, dict[str, Any]]] = [
        ("M", T0, {}),
        ("P", FAR - S, {}),
        ("F", T0, {"fractional": True, "price_level_structure": "deci_cent"}),
        ("Z", T0, {}),
        ("Q", T0, {}),
    ]
    for ticker, opens, more in markets:
        w.ok(
            c.AddMarket(ticker=ticker, event_ticker="E", open_ts_ns=opens, close_ts_ns=FAR, **more)
        )
    for user in ("ann", "bob", "cat"):
        w.ok(c.CreateUser(user_id=user, name=user))
        w.ok(c.Deposit(user_id=user, amount_cc=DOLLARS))
    w.ok(c.CreateSubaccount(user_id="ann"))
    w.ok(c.Deposit(user_id="cat", amount_cc=100, transfer_id="cash-0"))
    w.ok(
        c.RegisterApiKey(
            api_key_id="k-ann",
            user_id="ann",
            name="ann",
            public_key_pem=PEM,
            key_type="ed25519",
            scopes=["read", "write"],
        )
    )
    w.ok(
        c.RegisterApiKey(
            api_key_id="k-operator",
            user_id="cat",
            name="operator",
            public_key_pem=PEM,
            key_type="rsa",
            scopes=["admin", "read", "write"],
        )
    )
    w.ids["bid"] = w.ok(_gtc("ann", "M", "bid", 4_000, 500, client_order_id="a-1")).order_id
    sell: dict[str, Any] = {"time_in_force": "immediate_or_cancel"}
    w.ok(c.PlaceOrder(user_id="bob", ticker="M", side="ask", price_cc=4_000, count_c=200, **sell))
    w.ids["group"] = w.ok(c.CreateOrderGroup(user_id="bob", contracts_limit_c=1_000))
    w.ids["cat_group"] = w.ok(c.CreateOrderGroup(user_id="cat"))
    w.ok(c.OrderGroupAction(user_id="cat", group_id=w.ids["cat_group"], action="trigger"))
    w.ids["lost"] = w.ok(_gtc("ann", "Q", "bid", 3_000, 100)).order_id
    w.ok(c.SetMarketState(ticker="Q", action="close"))
    w.ok(c.SetMarketState(ticker="Z", action="pause"))
    return w


Case = Callable[[World], c.Cmd[Any]]


def _place(**fields: Any) -> Case:
    base: dict[str, Any] = {
        "user_id": "cat",
        "ticker": "M",
        "side": "bid",
        "price_cc": 3_000,
        "count_c": 100,
        "time_in_force": "good_till_canceled",
    }
    return lambda w: c.PlaceOrder(**{**base, **fields})


def _amend(order: str = "bid", **fields: Any) -> Case:
    base: dict[str, Any] = {
        "user_id": "ann",
        "ticker": "M",
        "side": "bid",
        "price_cc": 4_000,
        "count_c": 500,
    }

    def build(w: World) -> c.Cmd[Any]:
        return c.AmendOrder(order_id=w.ids.get(order, order), **{**base, **fields})

    return build


def _decrease(order: str = "bid", **fields: Any) -> Case:
    return lambda w: c.DecreaseOrder(user_id="ann", order_id=w.ids.get(order, order), **fields)


CASES: dict[str, tuple[Case, str]] = {
    # --- accounts and keys ---------------------------------------------------------------
    "create_user_taken": (lambda w: c.CreateUser(user_id="ann", name="x"), "already_exists"),
    "create_user_empty_id": (lambda w: c.CreateUser(user_id="", name="x"), "already_exists"),
    "register_key_unknown_user_before_taken_id": (
        lambda w: c.RegisterApiKey(
            api_key_id="k-ann",
            user_id="zed",
            name="",
            public_key_pem=PEM,
            key_type="rsa",
            scopes=[],
        ),
        "unknown_user",
    ),
    "register_key_taken_id": (
        lambda w: c.RegisterApiKey(
            api_key_id="k-ann",
            user_id="bob",
            name="",
            public_key_pem=PEM,
            key_type="rsa",
            scopes=[],
        ),
        "already_exists",
    ),
    "revoke_someone_elses_key": (
        lambda w: c.RevokeApiKey(api_key_id="k-ann", user_id="bob"),
        "invalid_parameters",
    ),
    "revoke_the_operator_key": (
        lambda w: c.RevokeApiKey(api_key_id="k-operator", user_id="cat"),
        "invalid_parameters",
    ),
    "revoke_unknown_key": (
        lambda w: c.RevokeApiKey(api_key_id="nope", user_id="ann"),
        "invalid_parameters",
    ),
    "tier_unknown_user_before_bad_tier": (
        lambda w: c.SetUserTier(user_id="zed", tier="gold"),
        "unknown_user",
    ),
    "tier_unknown": (lambda w: c.SetUserTier(user_id="ann", tier="gold"), "invalid_parameters"),
    "deposit_unknown_user": (lambda w: c.Deposit(user_id="zed", amount_cc=100), "unknown_user"),
    "deposit_missing_subaccount": (
        lambda w: c.Deposit(user_id="bob", amount_cc=100, subaccount=1),
        "invalid_parameters",
    ),
    "deposit_negative_subaccount": (
        lambda w: c.Deposit(user_id="ann", amount_cc=100, subaccount=-1),
        "invalid_parameters",
    ),
    "deposit_zero": (lambda w: c.Deposit(user_id="ann", amount_cc=0), "invalid_parameters"),
    "deposit_part_of_a_cent": (
        lambda w: c.Deposit(user_id="ann", amount_cc=150),
        "invalid_parameters",
    ),
    "deposit_missing_subaccount_before_a_used_transfer_id": (
        lambda w: c.Deposit(user_id="ann", amount_cc=100, subaccount=5, transfer_id="cash-0"),
        "invalid_parameters",
    ),
    "deposit_used_transfer_id_before_bad_amount": (
        lambda w: c.Deposit(user_id="ann", amount_cc=0, transfer_id="cash-0"),
        "already_exists",
    ),
    "withdraw_used_transfer_id_before_balance": (
        lambda w: c.Withdraw(user_id="ann", amount_cc=10**12, transfer_id="cash-0"),
        "already_exists",
    ),
    "transfer_reusing_a_deposits_id": (
        lambda w: c.TransferCash(
            user_id="ann", from_subaccount=0, to_subaccount=1, amount_cc=100, transfer_id="cash-0"
        ),
        "already_exists",
    ),
    "withdraw_more_than_available": (
        lambda w: c.Withdraw(user_id="ann", amount_cc=DOLLARS),  # some of it is reserved
        "insufficient_balance",
    ),
    "withdraw_part_of_a_cent_before_balance": (
        lambda w: c.Withdraw(user_id="ann", amount_cc=10**12 + 1),
        "invalid_parameters",
    ),
    "subaccount_unknown_user": (lambda w: c.CreateSubaccount(user_id="zed"), "unknown_user"),
    "transfer_unknown_user": (
        lambda w: c.TransferCash(
            user_id="zed", from_subaccount=0, to_subaccount=1, amount_cc=100, transfer_id="t"
        ),
        "unknown_user",
    ),
    "transfer_to_a_missing_subaccount": (
        lambda w: c.TransferCash(
            user_id="ann", from_subaccount=0, to_subaccount=2, amount_cc=100, transfer_id="t"
        ),
        "invalid_parameters",
    ),
    "transfer_to_the_same_subaccount": (
        lambda w: c.TransferCash(
            user_id="ann", from_subaccount=1, to_subaccount=1, amount_cc=100, transfer_id="t"
        ),
        "invalid_parameters",
    ),
    "transfer_more_than_available": (
        lambda w: c.TransferCash(
            user_id="ann", from_subaccount=1, to_subaccount=0, amount_cc=100, transfer_id="t"
        ),
        "insufficient_balance",
    ),
    # --- catalog ---------------------------------------------------------------------------
    "series_unknown_fee_type": (
        lambda w: c.AddSeries(ticker="S2", fee_type="steep", fee_multiplier_e4=-1),
        "invalid_parameters",
    ),
    "series_negative_multiplier": (
        lambda w: c.AddSeries(ticker="S2", fee_type="flat", fee_multiplier_e4=-1),
        "invalid_parameters",
    ),
    "event_unknown_series": (
        lambda w: c.AddEvent(event_ticker="E2", series_ticker="S9"),
        "invalid_parameters",
    ),
    "market_unknown_event": (
        lambda w: c.AddMarket(ticker="N", event_ticker="E9", open_ts_ns=T0, close_ts_ns=FAR),
        "invalid_parameters",
    ),
    "market_unknown_price_structure": (
        lambda w: c.AddMarket(
            ticker="N",
            event_ticker="E",
            open_ts_ns=T0,
            close_ts_ns=FAR,
            price_level_structure="quarter_cent",
        ),
        "invalid_parameters",
    ),
    "market_closing_before_it_opens": (
        lambda w: c.AddMarket(ticker="N", event_ticker="E", open_ts_ns=FAR, close_ts_ns=T0),
        "invalid_parameters",
    ),
    # --- lifecycle -------------------------------------------------------------------------
    "market_state_unknown_market": (
        lambda w: c.SetMarketState(ticker="NOPE", action="pause"),
        "market_not_found",
    ),
    "market_state_after_close": (
        lambda w: c.SetMarketState(ticker="Q", action="resume"),
        "market_closed",
    ),
    "pause_a_paused_market": (
        lambda w: c.SetMarketState(ticker="Z", action="pause"),
        "invalid_transition",
    ),
    "pause_a_market_not_open_yet": (
        lambda w: c.SetMarketState(ticker="P", action="pause"),
        "invalid_transition",
    ),
    "resume_an_active_market": (
        lambda w: c.SetMarketState(ticker="M", action="resume"),
        "invalid_transition",
    ),
    "determine_unknown_market": (
        lambda w: c.DetermineMarket(ticker="NOPE", result="yes"),
        "market_not_found",
    ),
    "determine_scalar_without_value": (
        lambda w: c.DetermineMarket(ticker="M", result="scalar"),
        "invalid_parameters",
    ),
    "determine_scalar_above_a_dollar": (  # beyond every price: out of domain first
        lambda w: c.DetermineMarket(ticker="M", result="scalar", value_cc=ONE_DOLLAR_CC + 1),
        "out_of_domain",
    ),
    "determine_scalar_below_zero": (
        lambda w: c.DetermineMarket(ticker="M", result="scalar", value_cc=-1),
        "invalid_parameters",
    ),
    # --- every command: the domain check leads --------------------------------------------
    "out_of_domain_before_anything_a_family_checks": (
        _place(ticker="NOPE", user_id="zed", post_only=True, count_c=10**15),
        "out_of_domain",
    ),
    "finalize_unknown_market": (lambda w: c.FinalizeMarket(ticker="NOPE"), "market_not_found"),
    "finalize_undetermined": (lambda w: c.FinalizeMarket(ticker="Q"), "invalid_transition"),
    "exchange_already_trading": (
        lambda w: c.SetExchangeState(paused=False),
        "invalid_transition",
    ),
    # --- placement (precedence: validation, identity, market state, risk) ----------------
    "post_only_ioc_on_an_unknown_market": (
        _place(ticker="NOPE", post_only=True, time_in_force="immediate_or_cancel"),
        "invalid_parameters",
    ),
    "buy_max_cost_not_positive": (_place(buy_max_cost_cc=0), "invalid_parameters"),
    "unknown_market_before_bad_price": (_place(ticker="NOPE", price_cc=1), "market_not_found"),
    "bad_price_before_unknown_user": (_place(user_id="zed", price_cc=3_050), "invalid_price"),
    "bad_count_before_unknown_user": (_place(user_id="zed", count_c=150), "invalid_count"),
    "zero_count": (_place(count_c=0), "invalid_count"),
    "zero_count_on_a_fractional_market": (_place(ticker="F", count_c=0), "invalid_count"),
    "reduce_only_gtc": (_place(reduce_only=True), "reduce_only_requires_ioc"),
    "expiration_without_gtc": (
        _place(time_in_force="immediate_or_cancel", expiration_ts_ns=FAR),
        "invalid_expiration",
    ),
    "expiration_in_the_past": (_place(expiration_ts_ns=T0), "invalid_expiration"),
    "unknown_user": (_place(user_id="zed"), "unknown_user"),
    "missing_subaccount": (_place(subaccount=4), "invalid_parameters"),
    "client_order_id_taken_before_paused_market": (
        _place(user_id="ann", ticker="Z", client_order_id="a-1"),
        "order_already_exists",
    ),
    "someone_elses_group": (
        lambda w: _place(order_group_id=w.ids["group"])(w),
        "order_group_not_found",
    ),
    "triggered_group_before_paused_market": (
        lambda w: _place(ticker="Z", order_group_id=w.ids["cat_group"])(w),
        "order_group_triggered",
    ),
    "market_not_open": (_place(ticker="P"), "market_not_open"),
    "market_paused": (_place(ticker="Z"), "trading_is_paused"),
    "market_closed": (_place(ticker="Q"), "market_closed"),
    "reduce_only_without_a_position": (
        _place(reduce_only=True, time_in_force="immediate_or_cancel"),
        "reduce_only_no_position",
    ),
    "reduce_only_the_wrong_way": (  # ann holds YES: a bid cannot reduce it
        _place(user_id="ann", reduce_only=True, time_in_force="immediate_or_cancel"),
        "reduce_only_no_position",
    ),
    "insufficient_balance": (_place(price_cc=9_900, count_c=200_000), "insufficient_balance"),
    # --- amend (identity first, then validation, market state, risk) ----------------------
    "amend_unknown_order": (_amend("nope"), "order_not_found"),
    "amend_someone_elses_order": (_amend(user_id="bob"), "order_not_found"),
    "amend_an_order_its_market_closed": (_amend("lost", ticker="Q"), "market_closed"),
    "amend_ticker_mismatch_before_bad_price": (
        _amend(ticker="F", price_cc=1),
        "order_ticker_mismatch",
    ),
    "amend_side_mismatch": (_amend(side="ask"), "order_side_mismatch"),
    "amend_client_order_id_mismatch": (
        _amend(client_order_id="other"),
        "order_id_and_client_order_id_mismatch",
    ),
    "amend_bad_price": (_amend(price_cc=4_050), "invalid_price"),
    "amend_bad_count": (_amend(count_c=550), "invalid_count"),
    "amend_to_a_taken_client_order_id": (
        _amend(updated_client_order_id="a-2"),
        "order_already_exists",
    ),
    "amend_expiration_in_the_past": (_amend(expiration_ts_ns=T0), "invalid_expiration"),
    "amend_below_what_filled": (_amend(count_c=200), "invalid_amend_qty_for_order"),
    "amend_beyond_the_balance": (
        _amend(price_cc=9_900, count_c=10_000_000),
        "insufficient_balance",
    ),
    # --- decrease --------------------------------------------------------------------------
    "decrease_unknown_order": (_decrease("nope", reduce_by_c=100), "order_not_found"),
    "decrease_an_order_its_market_closed": (_decrease("lost", reduce_by_c=100), "market_closed"),
    "decrease_by_and_to": (_decrease(reduce_by_c=100, reduce_to_c=100), "invalid_parameters"),
    "decrease_neither": (_decrease(), "invalid_parameters"),
    "decrease_by_zero": (_decrease(reduce_by_c=0), "invalid_count"),
    "decrease_by_part_of_a_lot": (_decrease(reduce_by_c=150), "invalid_count"),
    "decrease_to_part_of_a_lot": (_decrease(reduce_to_c=150), "invalid_count"),
    "decrease_to_above_the_remaining": (_decrease(reduce_to_c=400), "invalid_amend_qty_for_order"),
    # --- cancel ----------------------------------------------------------------------------
    "cancel_unknown_order": (
        lambda w: c.CancelOrder(user_id="ann", order_id="no"),
        "order_not_found",
    ),
    "cancel_in_another_subaccount": (
        lambda w: c.CancelOrder(user_id="ann", order_id=w.ids["bid"], subaccount=1),
        "order_not_found",
    ),
    "cancel_an_order_its_market_closed": (
        lambda w: c.CancelOrder(user_id="ann", order_id=w.ids["lost"]),
        "market_closed",
    ),
    "cancel_someone_elses_order_its_market_closed": (
        lambda w: c.CancelOrder(user_id="bob", order_id=w.ids["lost"]),
        "order_not_found",
    ),
    "cancel_all_unknown_user": (lambda w: c.CancelAll(user_id="zed"), "unknown_user"),
    # --- order groups ----------------------------------------------------------------------
    "group_unknown_user": (lambda w: c.CreateOrderGroup(user_id="zed"), "unknown_user"),
    "group_missing_subaccount": (
        lambda w: c.CreateOrderGroup(user_id="bob", subaccount=1, contracts_limit_c=0),
        "invalid_parameters",
    ),
    "group_limit_not_positive": (
        lambda w: c.CreateOrderGroup(user_id="bob", contracts_limit_c=0),
        "invalid_parameters",
    ),
    "group_action_on_someone_elses_group": (
        lambda w: c.OrderGroupAction(user_id="ann", group_id=w.ids["group"], action="reset"),
        "order_group_not_found",
    ),
    "group_limit_of_an_unknown_group": (
        lambda w: c.UpdateOrderGroupLimit(user_id="bob", group_id="nope", contracts_limit_c=0),
        "order_group_not_found",
    ),
    "group_limit_not_positive_on_update": (
        lambda w: c.UpdateOrderGroupLimit(
            user_id="bob", group_id=w.ids["group"], contracts_limit_c=0
        ),
        "invalid_parameters",
    ),
}


@pytest.fixture(scope="module")
def base() -> World:
    w = world()
    # Another order of ann's, whose client id her amendments may not take.
    w.ok(_gtc("ann", "M", "bid", 1_000, 100, client_order_id="a-2"))
    assert w.x.ids.counter > 0
    return w


@pytest.mark.parametrize("case", sorted(CASES))
def test_refusals_follow_each_familys_documented_precedence(case: str, base: World) -> None:
    build, reason = CASES[case]
    w = World(load_snapshot(make_snapshot(base.x)), base.ts, dict(base.ids))
    before = state_digest(w.x)
    outcome: Outcome[Any] = w.x.apply(build(w), w.ts + S)
    assert outcome.reject is not None, f"{case}: accepted"
    assert outcome.reject.reason.value == reason, outcome.reject
    assert outcome.events == []
    assert state_digest(w.x) == before
    with pytest.raises(AssertionError):
        _ = outcome.value


def test_too_many_resting_orders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-user limit on resting orders (200,000, as on Kalshi) comes last but one,
    before the balance; here with a limit of 2."""
    monkeypatch.setattr(placement, "MAX_RESTING_ORDERS", 2)
    w = world()
    w.ok(_gtc("cat", "M", "bid", 1_000, 100))
    w.ok(_gtc("cat", "M", "bid", 1_100, 100))
    before = state_digest(w.x)
    refused = w.x.apply(_gtc("cat", "M", "bid", 9_900, 10**9), w.ts + S)
    assert refused.reject is not None
    assert refused.reject.reason.value == "too_many_resting_orders"
    assert state_digest(w.x) == before


def test_a_user_has_at_most_64_subaccounts() -> None:
    w = World(Exchange("contracts"), T0)
    w.ok(c.CreateUser(user_id="ann", name="ann"))
    numbers = [w.ok(c.CreateSubaccount(user_id="ann")) for _ in range(63)]
    assert numbers == list(range(1, 64))
    refused = w.x.apply(c.CreateSubaccount(user_id="ann"), w.ts + S)
    assert refused.reject is not None
    assert refused.reject.reason.value == "invalid_parameters"


def test_loading_the_catalog_again_refreshes_metadata_and_keeps_the_rules() -> None:
    w = world()
    fees_before = w.x.markets["M"].fees.multiplier_e4
    again = [
        w.ok(c.AddSeries(ticker="S", fee_type="flat", fee_multiplier_e4=1, meta={"v": 2})),
        w.ok(c.AddEvent(event_ticker="E", series_ticker="S", meta={"v": 2})),
        w.ok(
            c.AddMarket(
                ticker="M", event_ticker="E", open_ts_ns=FAR, close_ts_ns=FAR + 1, meta={"v": 2}
            )
        ),
    ]
    assert again == [False, False, False]
    assert w.x.series["S"].fee_type.value == "quadratic"
    assert w.x.markets["M"].fees.multiplier_e4 == fees_before
    assert w.x.markets["M"].close_ts_ns == FAR
    assert [w.x.series["S"].meta, w.x.events["E"].meta, w.x.markets["M"].meta] == [{"v": 2}] * 3


def test_a_market_listed_after_its_close_time_opens_and_closes_at_once() -> None:
    w = world()
    w.ts = FAR + S
    created = w.x.apply(
        c.AddMarket(ticker="LATE", event_ticker="E", open_ts_ns=T0, close_ts_ns=FAR), w.ts
    )
    kinds = [e.kind for e in created.events if hasattr(e, "kind")]
    assert created.value is True
    assert kinds == ["created", "opened", "closed"]


def test_a_batch_answers_each_item_on_its_own() -> None:
    w = world()
    batch = c.Batch.of([_gtc("cat", "M", "bid", 1_000, 100), _gtc("cat", "NOPE", "bid", 1, 1)])
    outcome: Outcome[object] = w.x.apply(batch, w.ts + S)
    first, second = batch_outcomes(outcome)
    assert isinstance(first.value, OrderUpdate)
    assert second.reject is not None
    assert second.reject.reason.value == "market_not_found"
    assert outcome.events == first.events  # the refused item added nothing
    with pytest.raises(AssertionError):
        batch_outcomes(w.x.apply(c.Tick(), w.ts + S))


def test_deposits_stop_at_the_exchanges_money_limit() -> None:
    """Deposits less withdrawals may not pass ``MONEY_MAX_CC`` (decision 0014): the
    deposit that would is refused with ``money_limit`` and changes nothing; a withdrawal
    makes room again."""
    w = World(Exchange("contracts"), T0)
    w.ok(c.CreateUser(user_id="ann", name="ann"))
    w.ok(c.Deposit(user_id="ann", amount_cc=MONEY_MAX_CC))
    before = state_digest(w.x)
    refused = w.x.apply(c.Deposit(user_id="ann", amount_cc=100), w.ts + S)
    assert refused.reject is not None
    assert refused.reject.reason.value == "money_limit"
    assert state_digest(w.x) == before
    w.ok(c.Withdraw(user_id="ann", amount_cc=100))
    assert w.ok(c.Deposit(user_id="ann", amount_cc=100)) == MONEY_MAX_CC
