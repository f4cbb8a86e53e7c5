"""The auditor (``augury.engine.audit``) notices each kind of broken state.

Every other test relies on ``audit`` coming back empty; here each invariant it states is
broken on purpose, one at a time, in a state that trading made (ann's bid partly filled
by bob, so there are positions, escrow, fees, a book and reserves), and the auditor must
name it. Nothing a command can do breaks these invariants, so the damage is done by hand:
this is the one test that writes to the engine's state directly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.exchange import Exchange
from tests.engine.market_setup import one_market

Damage = Callable[[Exchange, str], object]  # (the exchange, ann's resting order id)


def _traded() -> tuple[Exchange, str]:
    ex = Exchange("audit")
    for command in one_market({"ann": 1_000_000, "bob": 1_000_000}):
        assert ex.apply(command, 1).ok
    bid = c.PlaceOrder(
        user_id="ann", ticker="M", side="bid", price_cc=4_000, count_c=500,
        time_in_force="good_till_canceled",
    )  # fmt: skip
    assert ex.apply(bid, 2).ok
    (order_id,) = ex.orders
    hit = c.PlaceOrder(
        user_id="bob", ticker="M", side="ask", price_cc=4_000, count_c=200,
        time_in_force="immediate_or_cancel",
    )  # fmt: skip
    assert ex.apply(hit, 3).ok
    assert audit(ex) == []
    return ex, order_id


def _level_of(ex: Exchange, order_id: str) -> object:
    order = ex.orders[order_id]
    return ex.markets["M"].book.bids[order.price_idx]


def _shift(obj: object, name: str, delta: int) -> None:
    setattr(obj, name, getattr(obj, name) + delta)


DAMAGE: dict[str, tuple[Damage, str]] = {
    "a negative balance": (
        lambda ex, _: setattr(ex.ledger.accounts[("bob", 0)], "available_cc", -100),
        "negative balance ('bob', 0)",
    ),
    "a fraction of a cent": (
        lambda ex, _: _shift(ex.ledger.accounts[("bob", 0)], "available_cc", 1),
        "cash of ('bob', 0) is not whole cents",
    ),
    "money from nowhere": (
        lambda ex, _: _shift(ex.ledger, "fee_revenue_cc", 100),
        "money not conserved: accounts sum to 100 cc",
    ),
    "a YES contract without its NO": (
        lambda ex, _: _shift(ex.ledger.positions[("ann", 0, "M")], "position_c", 100),
        "M: YES held 300 != NO held 200",
    ),
    "escrow that is not $1 a pair": (
        lambda ex, _: ex.ledger.escrow_cc.__setitem__("M", 1),
        "M: escrow 1 cc != $1 x 200 c pairs",
    ),
    "a wrong open interest": (
        lambda ex, _: _shift(ex.markets["M"], "open_interest_c", 1),
        "M: open interest 201 != 200",
    ),
    "a level total that is not its orders": (
        lambda ex, oid: _shift(_level_of(ex, oid), "total_c", 1),
        "total 301 != its orders",
    ),
    "a miscounted dead entry": (
        lambda ex, oid: _shift(_level_of(ex, oid), "dead", 1),
        "0 dead entries, counted 1",
    ),
    "an order on the wrong side": (
        lambda ex, oid: setattr(ex.orders[oid], "is_bid", False),
        "order {oid} misplaced",
    ),
    "a resting order missing from the index": (
        lambda ex, oid: ex.orders.pop(oid),
        "not in the order index",
    ),
    "an indexed order that rests nowhere": (
        lambda ex, oid: ex.orders.__setitem__("ghost", ex.orders[oid]),
        "orders indexed but not resting: ['ghost']",
    ),
    "a stale best bid": (
        lambda ex, _: setattr(ex.markets["M"].book, "best_bid", -1),
        "M: cached best bid -1 != 39",  # $0.40 is index 39 of the cent grid ($0.01 + i¢)
    ),
    "a crossed book": (
        lambda ex, _: setattr(ex.markets["M"].book, "best_ask", 39),
        "M: book crossed (39 >= 39)",
    ),
    "a reserve its orders do not need": (
        lambda ex, _: _shift(next(iter(ex.collateral.values())), "reserve_cc", 100),
        "reserve of ('ann', 0) M bid",
    ),
    "reserved cash its groups do not hold": (
        lambda ex, _: _shift(ex.ledger.accounts[("ann", 0)], "reserved_cc", 100),
        "reserved cash of ('ann', 0)",
    ),
    "collateral for a dead order": (
        lambda ex, oid: ex.orders.pop(oid),
        "collateral counts a dead order",
    ),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_the_auditor_names_the_damage(case: str) -> None:
    damage, expected = DAMAGE[case]
    ex, order_id = _traded()
    damage(ex, order_id)
    problems = audit(ex)
    wanted = expected.replace("{oid}", order_id)
    assert any(wanted in problem for problem in problems), problems
