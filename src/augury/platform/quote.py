"""What an order would cost before it is sent: the order ticket's figures, on the server.

``quote`` walks the book the order would take, level by level, with the market's own fee
rule (``ledger.fees.fill_fee_cc``, the function the engine charges fills with), and
returns integers only: contracts in centi-contracts, money in centi-cents.

Directions (one book, YES-priced): BUY YES takes YES asks (cheapest first); BUY NO takes
YES bids (highest first) at the NO price ``100 - p``; SELL YES hits YES bids; SELL NO
hits YES asks at ``100 - p``.

- A **market** order takes what rests, up to the quantity (or the dollar amount); it is
  sent as an immediate-or-cancel order limited at the worst price the quote reached, so
  it can never fill worse than quoted (a book that moved meanwhile fills less).
- A **limit** order takes what rests at its price or better now (taker fee) and rests
  the remainder (maker fee, zero in plain quadratic series, if it fills later).
- A **dollar amount** buys the most contracts whose cost plus fee fits it (sells: the
  most contracts whose proceeds do not exceed it); found by bisection over the count, so
  the answer is exact for the fee's rounding.

Limits: the fee of a level is computed for the level's total, while the engine charges
each maker order's fill separately (rounded up each): with several makers at one price
the real fee can exceed the quote by less than one centi-cent per extra maker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from augury.domain.enums import FeeType
from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC
from augury.ledger.fees import FeeSchedule, fill_fee_cc
from augury.platform.reads import BookView, FeeRule

__all__ = ["Quote", "QuoteRequest", "quote"]

Side = Literal["YES", "NO"]
Action = Literal["BUY", "SELL"]
_COUNT_MAX_C = 1_000_000 * C_PER_CONTRACT


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    side: Side
    action: Action
    kind: Literal["market", "limit"]
    count_c: int | None  # a quantity, or None when ``amount_cc`` says how much to spend
    amount_cc: int | None
    limit_price_cc: int | None  # the side's price, for limit orders
    position_c: int  # the current position: + YES, - NO
    available_cc: int


@dataclass(frozen=True, slots=True)
class Quote:
    count_c: int  # contracts the order is for
    fill_now_c: int  # of which would fill at once against the book
    rest_c: int  # of which would rest (limit orders)
    average_price_cc: int  # the side's average price over count_c (0 when nothing)
    cost_cc: int  # buys: what the contracts cost; sells: what they bring
    fee_cc: int
    total_cc: int  # buys: cost + fee; sells: proceeds - fee
    max_payout_cc: int  # buys: $1 per contract if it wins; sells: the proceeds
    position_after_c: int  # + YES, - NO, once the order has filled completely
    worst_price_cc: int  # the side's worst price reached (the IOC limit for market orders)
    problem: str  # "" when the order can be sent as quoted


def _levels(book: BookView, req: QuoteRequest) -> list[tuple[int, int]]:
    """The (side price, size) levels the order would take, best first."""
    takes_asks = (req.side == "YES") == (req.action == "BUY")
    levels = book.yes_asks if takes_asks else book.yes_bids
    if req.side == "YES":
        return list(levels)
    return [(ONE_DOLLAR_CC - price, size) for price, size in levels]


def _acceptable(price_cc: int, req: QuoteRequest) -> bool:
    if req.kind == "market" or req.limit_price_cc is None:
        return True
    # A buyer accepts prices at or below the limit, a seller at or above it.
    return price_cc <= req.limit_price_cc if req.action == "BUY" else price_cc >= req.limit_price_cc


def _yes_price(side_price_cc: int, side: Side) -> int:
    return side_price_cc if side == "YES" else ONE_DOLLAR_CC - side_price_cc


def _walk(
    levels: list[tuple[int, int]], req: QuoteRequest, schedule: FeeSchedule, count_c: int
) -> tuple[int, int, int, int]:
    """Return (filled_c, cost_fine, fee_cc, worst price) of taking ``count_c``."""
    left, cost_fine, fee_cc, worst = count_c, 0, 0, 0
    for price_cc, size_c in levels:
        if left == 0 or not _acceptable(price_cc, req):
            break
        take = min(left, size_c)
        cost_fine += price_cc * take
        fee_cc += fill_fee_cc(schedule, _yes_price(price_cc, req.side), take, True)
        worst = price_cc
        left -= take
    return count_c - left, cost_fine, fee_cc, worst


def _figures(
    levels: list[tuple[int, int]], req: QuoteRequest, schedule: FeeSchedule, count_c: int
) -> tuple[int, int, int, int, int]:
    """Return (fill_now_c, rest_c, cost_cc, fee_cc, worst) for an order of ``count_c``."""
    filled, cost_fine, fee_cc, worst = _walk(levels, req, schedule, count_c)
    rest = 0
    if req.kind == "limit" and req.limit_price_cc is not None:
        rest = count_c - filled
        cost_fine += req.limit_price_cc * rest
        fee_cc += fill_fee_cc(schedule, _yes_price(req.limit_price_cc, req.side), rest, False)
        if rest:
            worst = req.limit_price_cc
    return filled, rest, cost_fine // C_PER_CONTRACT, fee_cc, worst


def _count_for_amount(
    levels: list[tuple[int, int]], req: QuoteRequest, schedule: FeeSchedule, lot_c: int
) -> int:
    """The most contracts (a multiple of the lot) that the dollar amount allows."""
    assert req.amount_cc is not None
    market = req.kind == "market"
    high = sum(size for _, size in levels) if market else _COUNT_MAX_C
    low, high = 0, high // lot_c
    while low < high:  # bisection over lots: cost is monotonic in the count
        mid = (low + high + 1) // 2
        filled, _rest, cost_cc, fee_cc, _worst = _figures(levels, req, schedule, mid * lot_c)
        spent = cost_cc + fee_cc if req.action == "BUY" else cost_cc
        if spent <= req.amount_cc and (not market or filled == mid * lot_c):
            low = mid
        else:
            high = mid - 1
    return low * lot_c


def quote(req: QuoteRequest, book: BookView, rule: FeeRule) -> Quote:
    """Return the figures of an order before it is sent (see the module docstring)."""
    schedule = FeeSchedule(FeeType(rule.fee_type), rule.multiplier_e4)
    lot_c = 1 if rule.fractional else C_PER_CONTRACT
    levels = _levels(book, req)
    count_c = (
        _count_for_amount(levels, req, schedule, lot_c) if req.count_c is None else req.count_c
    )
    filled, rest, cost_cc, fee_cc, worst = _figures(levels, req, schedule, count_c)
    if req.kind == "market":
        count_c, rest = filled, 0
    buys = req.action == "BUY"
    total = cost_cc + fee_cc if buys else cost_cc - fee_cc
    direction = 1 if (req.side == "YES") == buys else -1
    problem = ""
    if count_c == 0:
        problem = (
            "nothing to take: no offers on that side"
            if req.kind == "market"
            else "the amount buys less than one contract"
        )
    elif req.kind == "market" and req.count_c is not None and filled < req.count_c:
        problem = "the book holds less than that: the rest would not fill"
    elif buys and total > req.available_cc:
        problem = "insufficient funds for this order"
    elif not buys:
        held = req.position_c if req.side == "YES" else -req.position_c
        if held < count_c:
            problem = "you can only sell what you hold"
    return Quote(
        count_c=count_c,
        fill_now_c=min(filled, count_c),
        rest_c=rest,
        average_price_cc=cost_cc * C_PER_CONTRACT // count_c if count_c else 0,
        cost_cc=cost_cc,
        fee_cc=fee_cc,
        total_cc=total,
        max_payout_cc=count_c * ONE_DOLLAR_CC // C_PER_CONTRACT if buys else cost_cc,
        position_after_c=req.position_c + direction * count_c,
        worst_price_cc=worst,
        problem=problem,
    )
