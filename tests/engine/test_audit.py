"""The auditor notices every kind of broken invariant its docstring lists.

``engine.audit.audit`` is what the scenario tests, the model-equivalence test and the
seeded simulation lean on to say the books balance, so it must not stay silent: a
healthy exchange (a resting order, a trade, positions, escrow, reserves) audits clean,
and each corruption below, one invariant broken by hand, is reported with the invariant
it breaks.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.book import Level
from augury.engine.exchange import Exchange
from augury.engine.orders import Order
from tests.engine.market_setup import gtc_bid, one_market


def healthy() -> Exchange:
    """ann rests a bid for 5 at 0.40 and bob sold her 2 of them: positions, escrow,
    a reserve for the 3 left."""
    x = Exchange("audit")
    for command in one_market({"ann": 1_000_000, "bob": 1_000_000}):
        assert x.apply(command, 1).ok
    assert x.apply(gtc_bid("ann", 4_000, 500), 2).ok
    sell = c.PlaceOrder(
        user_id="bob",
        ticker="M",
        side="ask",
        price_cc=4_000,
        count_c=200,
        time_in_force="immediate_or_cancel",
    )
    assert x.apply(sell, 3).ok
    return x


ANN = ("ann", 0)


def _shift_cash(x: Exchange, available_cc: int) -> None:
    """Move cash between ann's available balance and the outside world (still conserved)."""
    x.ledger.accounts[ANN].available_cc += available_cc
    x.ledger.external_cc -= available_cc


def _resting(x: Exchange) -> Order:
    (order,) = x.orders.values()
    return order


def _level(x: Exchange) -> Level:
    return x.markets["M"].book.bids[_resting(x).price_idx]


def _reserve_more(x: Exchange) -> None:
    x.collateral[("ann", 0, "M", True)].reserve_cc += 100


def _reserved_cash_more(x: Exchange) -> None:
    """Reserved cash that no collateral group holds (moved from available: conserved)."""
    account = x.ledger.accounts[ANN]
    account.available_cc -= 100
    account.reserved_cc += 100


def _escrow_more(x: Exchange) -> None:
    x.ledger.escrow_cc["M"] += 100
    x.ledger.fee_revenue_cc -= 100


CORRUPTIONS: dict[str, tuple[Callable[[Exchange], None], str]] = {
    "cash_from_nowhere": (
        lambda x: setattr(x.ledger, "fee_revenue_cc", x.ledger.fee_revenue_cc + 100),
        "money not conserved",
    ),
    "negative_available": (
        lambda x: _shift_cash(x, -x.ledger.accounts[ANN].available_cc - 100),
        "negative balance",
    ),
    "part_of_a_cent": (lambda x: _shift_cash(x, 1), "not whole cents"),
    "yes_without_no": (
        lambda x: setattr(x.ledger.positions[("ann", 0, "M")], "position_c", 300),
        "YES held 300 != NO held 200",
    ),
    "escrow_off": (_escrow_more, "escrow 20100 cc != $1 x 200 c pairs"),
    "open_interest_off": (
        lambda x: setattr(x.markets["M"], "open_interest_c", 7),
        "open interest 7 != 200",
    ),
    "level_total_off": (lambda x: setattr(_level(x), "total_c", 1), "total 1 != its orders"),
    "dead_entries_miscounted": (lambda x: setattr(_level(x), "dead", 3), "dead entries"),
    "cached_best_bid_stale": (
        lambda x: setattr(x.markets["M"].book, "best_bid", 1),
        "cached best bid",
    ),
    "book_crossed": (lambda x: setattr(x.markets["M"].book, "best_ask", 0), "book crossed"),
    "order_indexed_not_resting": (
        lambda x: x.orders.__setitem__("ghost", _resting(x)),
        "orders indexed but not resting",
    ),
    "order_resting_not_indexed": (lambda x: x.orders.clear(), "not in the order index"),
    "order_on_the_wrong_level": (lambda x: setattr(_resting(x), "price_idx", 3), "misplaced"),
    "reserve_off": (_reserve_more, "reserve of ('ann', 0) M bid"),
    "reserved_cash_off": (_reserved_cash_more, "reserved cash of ('ann', 0)"),
}


def test_a_healthy_exchange_audits_clean() -> None:
    assert audit(healthy()) == []


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_every_broken_invariant_is_reported(name: str) -> None:
    corrupt, expected = CORRUPTIONS[name]
    x = healthy()
    corrupt(x)
    problems = audit(x)
    assert any(expected in problem for problem in problems), problems
