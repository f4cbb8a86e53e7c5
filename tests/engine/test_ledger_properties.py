"""Properties of the ledger's building blocks: fees, units, the cash rounding rule and the
collateral bound.

Each property is checked against an independent statement of the rule (``Fraction``
arithmetic from Kalshi's formula, the decimal module for strings, a brute-force reading of
the collateral definition) or against the inequality the engine's safety argument relies on
(``fill_fee_cc(n * lot) <= n * fill_fee_cc(lot)``, a reserve never going negative).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augury.domain.enums import FeeType
from augury.domain.units import (
    UnitError,
    cc_from_cents,
    cc_to_cents_floor,
    count_c_from_str,
    count_c_to_str,
    dollars_cc_from_str,
    dollars_cc_to_str,
)
from augury.engine.orders import Order
from augury.ledger.accounts import Ledger
from augury.ledger.collateral import CENT_FINE, OrderGroupSide, reserve_cc
from augury.ledger.fees import FeeSchedule, fill_fee_cc, max_fee_cc_per_lot
from tests.engine.reference_model import grid_prices

ONE_CC = 10_000
MAKER_K = {
    FeeType.QUADRATIC: Fraction(0),
    FeeType.QUADRATIC_WITH_MAKER_FEES: Fraction(7, 400),
    FeeType.QUADRATIC_WITH_COMBO_MAKER_FEES: Fraction(7, 200),
    FeeType.FLAT: Fraction(0),
}

schedules = st.builds(
    FeeSchedule,
    st.sampled_from(list(FeeType)),
    st.one_of(st.sampled_from([0, 5_000, 10_000, 25_000]), st.integers(0, 40_000)),
)
yes_prices = st.integers(1, ONE_CC - 1)
counts = st.integers(1, 100_000)  # centi-contracts: up to 1,000 contracts
lots = st.sampled_from([1, 100])


def kalshi_fee_cc(schedule: FeeSchedule, yes_price_cc: int, count_c: int, is_taker: bool) -> int:
    """CONTRACT.md §11.1, in exact fractions, rounded up to the centi-cent."""
    mult = Fraction(schedule.multiplier_e4, 10_000)
    contracts = Fraction(count_c, 100)
    if schedule.fee_type is FeeType.FLAT:
        dollars = Fraction(1, 100) * mult * contracts if is_taker else Fraction(0)
    else:
        k = Fraction(7, 100) if is_taker else MAKER_K[schedule.fee_type]
        p = Fraction(yes_price_cc, ONE_CC)
        dollars = k * mult * contracts * p * (1 - p)
    return math.ceil(dollars * ONE_CC)


# --- fees ------------------------------------------------------------------------------


@given(schedules, yes_prices, counts, st.booleans())
def test_fee_is_kalshis_formula_rounded_up_to_the_centi_cent(
    schedule: FeeSchedule, price: int, count: int, is_taker: bool
) -> None:
    assert fill_fee_cc(schedule, price, count, is_taker) == kalshi_fee_cc(
        schedule, price, count, is_taker
    )


@given(schedules, yes_prices, lots, st.integers(1, 500), st.booleans())
def test_fee_of_n_lots_is_at_most_n_times_the_fee_of_one_lot(
    schedule: FeeSchedule, price: int, lot: int, n: int, is_taker: bool
) -> None:
    assert fill_fee_cc(schedule, price, n * lot, is_taker) <= n * fill_fee_cc(
        schedule, price, lot, is_taker
    )


@given(schedules, yes_prices, counts, st.booleans())
def test_fee_is_symmetric_in_yes_and_no_price(
    schedule: FeeSchedule, price: int, count: int, is_taker: bool
) -> None:
    assert fill_fee_cc(schedule, price, count, is_taker) == fill_fee_cc(
        schedule, ONE_CC - price, count, is_taker
    )


@given(schedules, yes_prices, counts)
def test_maker_never_pays_more_than_taker(schedule: FeeSchedule, price: int, count: int) -> None:
    maker = fill_fee_cc(schedule, price, count, False)
    assert 0 <= maker <= fill_fee_cc(schedule, price, count, True)
    if schedule.fee_type in (FeeType.QUADRATIC, FeeType.FLAT):
        assert maker == 0


@given(schedules, yes_prices, counts, counts, st.booleans())
def test_fee_is_monotone_and_subadditive_in_the_count(
    schedule: FeeSchedule, price: int, a: int, b: int, is_taker: bool
) -> None:
    fee_a = fill_fee_cc(schedule, price, a, is_taker)
    fee_ab = fill_fee_cc(schedule, price, a + b, is_taker)
    assert fee_a <= fee_ab <= fee_a + fill_fee_cc(schedule, price, b, is_taker)


@given(schedules, st.sampled_from(["linear_cent", "deci_cent", "tapered_deci_cent"]), lots)
@settings(max_examples=30, deadline=None)
def test_max_fee_per_lot_is_the_worst_fee_at_any_accepted_price(
    schedule: FeeSchedule, structure: str, lot: int
) -> None:
    """On its own outcome's scale an order pays at most its limit; the bound is the largest
    fee of one lot over every grid price up to the limit, as taker or maker."""
    worst = 0
    for price in grid_prices(structure):  # ascending: ``worst`` covers every price <= limit
        for is_taker in (True, False):
            worst = max(worst, fill_fee_cc(schedule, price, lot, is_taker))
        assert max_fee_cc_per_lot(schedule, price, lot) == worst


def test_fee_examples() -> None:
    quadratic = FeeSchedule(FeeType.QUADRATIC, 10_000)
    # CONTRACT.md §11.1: $0.0175 per contract at 50c; 100 contracts pay $1.75.
    assert fill_fee_cc(quadratic, 5_000, 100, True) == 175
    assert fill_fee_cc(quadratic, 5_000, 10_000, True) == 17_500
    assert fill_fee_cc(quadratic, 5_000, 100, False) == 0
    maker = FeeSchedule(FeeType.QUADRATIC_WITH_MAKER_FEES, 10_000)
    assert fill_fee_cc(maker, 5_000, 10_000, False) == 4_375
    assert fill_fee_cc(FeeSchedule(FeeType.FLAT, 10_000), 9_900, 300, True) == 300


# --- units -----------------------------------------------------------------------------

wide_ints = st.integers(-(10**19), 10**19)


@given(wide_ints)
def test_dollar_strings_round_trip(value: int) -> None:
    text = dollars_cc_to_str(value)
    assert re.fullmatch(r"-?\d+\.\d{4}", text)
    assert Decimal(text) == Decimal(value) / 10_000
    if abs(value) < 10**19:  # the parser takes at most 15 whole digits
        assert dollars_cc_from_str(text) == value


def test_formatting_tables_agree_with_the_arithmetic_everywhere_they_answer() -> None:
    # dollars_cc_to_str and count_c_to_str answer $0-$1 and 0-100 contracts from tables;
    # wide_ints rarely lands there, so every entry (and both edges) is checked here.
    for value in range(-2, 10_003):
        assert dollars_cc_to_str(value) == str(
            Decimal(value).scaleb(-4).quantize(Decimal("0.0001"))
        )
        assert count_c_to_str(value) == str(Decimal(value).scaleb(-2).quantize(Decimal("0.01")))


@given(wide_ints)
def test_count_strings_round_trip(value: int) -> None:
    text = count_c_to_str(value)
    assert re.fullmatch(r"-?\d+\.\d{2}", text)
    assert Decimal(text) == Decimal(value) / 100
    if abs(value) < 10**17:
        assert count_c_from_str(text) == value


@given(st.integers(0, 10**12), st.integers(0, 4), st.integers(0, 3), st.booleans())
def test_dollar_strings_parse_any_exact_spelling(
    units: int, shown: int, extra_zeros: int, negative: bool
) -> None:
    """Fewer decimals ("0.56"), trailing zeros ("0.560000") and no point at all all parse."""
    # Built to be exact at ``shown`` decimals (filtering with assume() starved Hypothesis).
    value = units * 10 ** (4 - shown)
    text = str(Decimal(value).scaleb(-4).quantize(Decimal(1).scaleb(-shown)))
    if extra_zeros:
        text += ("" if "." in text else ".") + "0" * extra_zeros
    if negative:
        text = "-" + text
    assert dollars_cc_from_str(text) == (-value if negative else value)


@given(st.integers(0, 10**12), st.integers(1, 9), st.integers(0, 3))
def test_dollar_strings_reject_more_than_four_decimals(
    whole_cc: int, fifth_digit: int, padding: int
) -> None:
    text = dollars_cc_to_str(whole_cc) + str(fifth_digit) + "0" * padding
    with pytest.raises(UnitError):
        dollars_cc_from_str(text)


@given(st.integers(0, 10**12), st.integers(1, 9), st.integers(0, 3))
def test_count_strings_reject_more_than_two_decimals(
    whole_c: int, third_digit: int, padding: int
) -> None:
    text = count_c_to_str(whole_c) + str(third_digit) + "0" * padding
    with pytest.raises(UnitError):
        count_c_from_str(text)


@pytest.mark.parametrize("text", ["", "abc", "1e3", ".5", "0x10", "1.2.3", "--1", "1,00", "NaN"])
def test_malformed_strings_are_rejected(text: str) -> None:
    with pytest.raises(UnitError):
        dollars_cc_from_str(text)
    with pytest.raises(UnitError):
        count_c_from_str(text)


@given(st.integers(-(10**12), 10**12))
def test_cents_conversions(cents: int) -> None:
    assert cc_to_cents_floor(cc_from_cents(cents)) == cents
    assert cc_to_cents_floor(cc_from_cents(cents) + 99) == cents
    assert cc_to_cents_floor(cc_from_cents(cents) - 1) == cents - 1


# --- reserve rounding --------------------------------------------------------------------


@given(st.integers(0, 10**15))
def test_reserve_rounds_up_to_a_whole_cent(target_fine: int) -> None:
    reserve = reserve_cc(target_fine)
    assert reserve % 100 == 0
    reserve_fine = reserve * 100  # cc -> micro-dollars
    assert target_fine <= reserve_fine < target_fine + CENT_FINE


# --- the collateral rule and its bound ------------------------------------------------------


@dataclass
class Market:
    schedule: FeeSchedule
    grid: tuple[int, ...]
    lot: int


markets = st.builds(
    Market,
    schedules,
    st.sampled_from(["linear_cent", "deci_cent", "tapered_deci_cent"]).map(grid_prices),
    lots,
)


def new_order(market: Market, n: int, is_bid: bool, price_cc: int, lots_: int) -> Order:
    order = Order(
        f"o{n}", ("u", 0), "M", is_bid, price_cc, market.grid.index(price_cc), lots_, market.lot, 0
    )
    order.fee_lot_cc = max_fee_cc_per_lot(market.schedule, order.outcome_limit_cc, market.lot)
    return order


def brute_force_target_fine(market: Market, orders: list[Order], closable_c: int) -> int:
    """The requirement of ledger/collateral.py's docstring, read literally, in micro-dollars."""
    if not orders:
        return 0
    units = sorted((o.outcome_limit_cc for o in orders for _ in range(o.remaining_c)), reverse=True)
    open_c = max(0, len(units) - max(0, closable_c))
    fee = sum((o.remaining_c // o.lot_c) * o.fee_lot_cc * 100 for o in orders)
    allowance = sum(CENT_FINE - o.fee_acc_fine for o in orders)
    if open_c > 0:
        return sum(units[:open_c]) + fee + allowance
    shortfall = sum(
        (o.remaining_c // o.lot_c)
        * max(0, o.fee_lot_cc * 100 - (ONE_CC - o.outcome_limit_cc) * o.lot_c)
        for o in orders
    )
    return shortfall + allowance if shortfall else 0


# (is_bid, where on the grid, size): an order somewhere on the grid.
order_draws = st.lists(
    st.tuples(st.booleans(), st.integers(0, 10**6), st.integers(1, 25)), min_size=1, max_size=6
)


def build_orders(market: Market, draws: list[tuple[bool, int, int]]) -> list[Order]:
    grid = market.grid
    unit = 100 if market.lot == 100 else 37  # fractional markets take any centi-contracts
    return [
        new_order(market, n, is_bid, grid[where % len(grid)], k * unit)
        for n, (is_bid, where, k) in enumerate(draws)
    ]


@given(markets, order_draws, st.integers(-3_000, 3_000), st.lists(st.integers(0, CENT_FINE - 1)))
@settings(deadline=None)
def test_group_target_matches_its_definition(
    market: Market, draws: list[tuple[bool, int, int]], closable: int, accs: list[int]
) -> None:
    orders = [o for o in build_orders(market, draws) if o.is_bid]
    for order, acc in zip(orders, accs, strict=False):
        order.fee_acc_fine = acc
    group = OrderGroupSide()
    for order in orders:
        group.add(order)
    assert group.target_fine(closable) == brute_force_target_fine(market, orders, closable)


fill_draws = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(1, 25), st.integers(0, 10**6), st.booleans()),
    max_size=30,
)


@given(markets, order_draws, st.integers(-30, 30), fill_draws)
@settings(max_examples=300, deadline=None)
def test_a_fill_never_needs_more_than_the_reserve(
    market: Market,
    draws: list[tuple[bool, int, int]],
    position_lots: int,
    fills: list[tuple[int, int, int, bool]],
) -> None:
    """One account with orders on both sides, a position and no spare cash: whatever fills,
    in any order, at any price the orders accept, taker or maker, each payment comes out of
    its group's reserve without taking it below zero, and the new requirements of both
    groups are covered by what is left plus what the fill credited (a rebated cent lowers
    the order's accumulator, so the rounding allowance may take that cent back), so the
    account never needs cash it does not have."""
    ledger = Ledger()
    account = ledger.open_account(("u", 0), 0)
    position = ledger.position(("u", 0), "M", 0)
    position.position_c = position_lots * 100
    orders = build_orders(market, draws)
    groups = {True: OrderGroupSide(), False: OrderGroupSide()}
    for order in orders:
        groups[order.is_bid].add(order)

    def required(is_bid: bool) -> int:
        held = position.position_c
        return reserve_cc(groups[is_bid].target_fine(max(0, -held if is_bid else held)))

    for is_bid, group in groups.items():
        group.reserve_cc = required(is_bid)
    available = 0  # everything the user had is reserved
    exact_total = {o.order_id: 0 for o in orders}
    cash_total = {o.order_id: 0 for o in orders}

    for pick, lots_, where, is_taker in fills:
        live = [o for o in orders if o.remaining_c > 0]
        if not live:
            break
        order = live[pick % len(live)]
        count = min(order.remaining_c, lots_ * market.lot)
        # A trade price the order accepts: a bid pays at most its price, an ask at least.
        accepted = [
            p for p in market.grid if (p <= order.price_cc if order.is_bid else p >= order.price_cc)
        ]
        yes_price = accepted[where % len(accepted)]
        fee = fill_fee_cc(market.schedule, yes_price, count, is_taker)
        outcome_price = yes_price if order.is_bid else ONE_CC - yes_price
        held_other = -position.position_c if order.is_bid else position.position_c
        closed = min(count, held_other) if held_other > 0 else 0
        exact_total[order.order_id] += (
            ONE_CC * closed - outcome_price * count - fee * 100
        )  # micro-dollars

        group = groups[order.is_bid]
        group.remove(order)
        side = ledger.fill_side(
            account, position, group, order, order.is_bid, outcome_price, count, fee, 0
        )
        order.remaining_c -= count
        if order.remaining_c:
            group.add(order)
        assert side.closed_c == closed
        assert side.cash_delta_cc % 100 == 0
        assert 0 <= order.fee_acc_fine < CENT_FINE
        cash_total[order.order_id] += side.cash_delta_cc
        if side.cash_delta_cc < 0:
            group.reserve_cc += side.cash_delta_cc
            assert group.reserve_cc >= 0, "a fill paid more than its group's reserve"
        else:
            available += side.cash_delta_cc
        other = groups[not order.is_bid]
        assert required(not order.is_bid) <= other.reserve_cc, "a fill raised the other side"
        assert required(order.is_bid) <= group.reserve_cc + max(0, side.cash_delta_cc)
        for is_bid, g in groups.items():
            available -= required(is_bid) - g.reserve_cc
            g.reserve_cc = required(is_bid)
        assert available >= 0

    # The cash rounding rule: over an order's fills the user pays the exact total floored
    # to the cent (never a cent more), the remainder waiting in the accumulator.
    for order in orders:
        exact = exact_total[order.order_id]
        assert cash_total[order.order_id] * 100 == exact - order.fee_acc_fine
        assert cash_total[order.order_id] * 100 == exact // CENT_FINE * CENT_FINE
