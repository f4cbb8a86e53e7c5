"""The order ticket's quote, against figures computed by hand from the contract.

Kalshi's taker fee is ``ceil(0.07 x C x P x (1 - P))`` dollars; the engine charges it in
centi-cents, rounded up per fill. Each expectation below is worked out in the comment
beside it, not by calling the fee function.
"""

from __future__ import annotations

from augury.platform.quote import QuoteRequest, quote
from augury.platform.reads import BookView, FeeRule

RULE = FeeRule("quadratic", 10_000, tuple(range(100, 10_000, 100)), False)
# YES asks 40¢ x5 and 45¢ x10; YES bids 35¢ x4 and 30¢ x6 (sizes in centi-contracts).
BOOK = BookView(yes_bids=((3500, 400), (3000, 600)), yes_asks=((4000, 500), (4500, 1000)))


def _req(**kw: object) -> QuoteRequest:
    base: dict[str, object] = {
        "side": "YES",
        "action": "BUY",
        "kind": "market",
        "count_c": 800,
        "amount_cc": None,
        "limit_price_cc": None,
        "position_c": 0,
        "available_cc": 1_000_000,
    }
    base.update(kw)
    return QuoteRequest(**base)  # type: ignore[arg-type]


def test_market_buy_walks_the_asks() -> None:
    q = quote(_req(), BOOK, RULE)
    # 5 @ 40¢ + 3 @ 45¢ = $2.00 + $1.35 = $3.35.
    assert q.count_c == 800
    assert q.cost_cc == 33_500
    # fees: 0.07*5*0.4*0.6 = $0.084 -> 840 cc; 0.07*3*0.45*0.55 = $0.051975 -> 520 cc (up).
    assert q.fee_cc == 1_360
    assert q.total_cc == 34_860
    assert q.max_payout_cc == 80_000  # 8 contracts x $1
    assert q.average_price_cc == 4_187  # $3.35 / 8 = 41.875¢, floored to the centi-cent
    assert q.worst_price_cc == 4_500
    assert q.position_after_c == 800
    assert q.problem == ""


def test_buy_no_takes_the_yes_bids_at_the_no_price() -> None:
    q = quote(_req(side="NO", count_c=500), BOOK, RULE)
    # NO at 65¢ (YES bid 35) x4, then NO at 70¢ x1: $2.60 + $0.70 = $3.30.
    assert q.cost_cc == 33_000
    # fees on the YES price: 0.07*4*0.35*0.65 = $0.0637 -> 637; 0.07*1*0.3*0.7 = $0.0147 -> 147.
    assert q.fee_cc == 784
    assert q.position_after_c == -500  # a NO holding
    assert q.worst_price_cc == 7_000


def test_dollar_amount_buys_the_most_that_fits_with_the_fee() -> None:
    q = quote(_req(count_c=None, amount_cc=30_000), BOOK, RULE)
    # 6 contracts: $2.00 + $0.45 = $2.45, fees 840 + ceil(0.07*0.45*0.55 = 173.25) = 1014 cc
    # -> $2.5514 <= $3; 7 contracts: $2.90 + 840 + ceil(346.5) = 1187 -> $3.0187 > $3.
    assert q.count_c == 600
    assert q.total_cc == 25_514


def test_limit_order_rests_what_does_not_cross() -> None:
    q = quote(_req(kind="limit", limit_price_cc=4_200, count_c=800), BOOK, RULE)
    # 5 fill now at 40¢; 3 rest at 42¢ (maker fee 0 in a quadratic series).
    assert (q.fill_now_c, q.rest_c) == (500, 300)
    assert q.cost_cc == 20_000 + 12_600
    assert q.fee_cc == 840


def test_selling_more_than_held_and_too_little_cash_are_flagged() -> None:
    sell = quote(_req(action="SELL", count_c=300, position_c=200), BOOK, RULE)
    assert sell.problem == "you can only sell what you hold"
    # Selling YES hits the bids: 3 @ 35¢ = $1.05 proceeds.
    assert sell.cost_cc == 10_500
    poor = quote(_req(available_cc=10_000), BOOK, RULE)
    assert poor.problem == "insufficient funds for this order"
    empty = quote(_req(), BookView((), ()), RULE)
    assert empty.count_c == 0
    assert empty.problem.startswith("nothing to take")
