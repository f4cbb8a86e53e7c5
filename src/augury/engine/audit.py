"""The auditor: checks, from scratch, that the exchange's books balance.

It recomputes every invariant from the raw state rather than trusting running totals:

1. conservation — users' available + reserved + escrow + fee revenue + the outside world
   sum to zero (so users + escrow + fees = deposits - withdrawals);
2. no account has negative available or reserved cash, and user cash is whole cents;
3. per market, YES contracts held = NO contracts held, and escrow = $1 per pair;
4. no book is crossed, every level's total equals its live orders, and the cached best
   prices are right;
5. every collateral group's reserve equals what its live orders require, and each account's
   reserved cash is the sum of its groups' reserves;
6. every resting order is in the book, owned by a known account, with a positive remaining;
7. the due index a Tick reads (``engine/due.py``) holds exactly the resting orders with an
   expiration at their expiration, and every market with a lifecycle step ahead at that
   step's time (recomputed here from the status and times), each with its heap entry; each
   market's listing sequence is its place among the markets.

``audit`` returns a list of violations (empty when all is well) so a simulation can print
everything that broke, with the seed, rather than stop at the first.
"""

from __future__ import annotations

from collections import defaultdict

from augury.domain.units import CC_PER_CENT
from augury.engine.book import COMPACT_AFTER, Level
from augury.engine.due import DueQueue, market_due_ns
from augury.engine.exchange import Exchange
from augury.engine.reserves import closable
from augury.ledger.collateral import OrderGroupSide, reserve_cc

__all__ = ["audit"]


def audit(exchange: Exchange) -> list[str]:
    """Return every broken invariant of the exchange's state (empty list when sound).

    The native engine audits itself with the same checks (``native/core/src/audit.rs``).
    """
    native = getattr(exchange, "audit", None)
    if native is not None:
        return list(native())
    problems: list[str] = []
    problems += _cash(exchange)
    problems += _contracts(exchange)
    problems += _books(exchange)
    problems += _reserves(exchange)
    problems += _due_index(exchange)
    return problems


def _cash(exchange: Exchange) -> list[str]:
    ledger = exchange.ledger
    problems = []
    total = ledger.fee_revenue_cc + ledger.external_cc + sum(ledger.escrow_cc.values())
    for key, account in ledger.accounts.items():
        total += account.available_cc + account.reserved_cc
        if account.available_cc < 0 or account.reserved_cc < 0:
            problems.append(f"negative balance {key}: {account.available_cc}/{account.reserved_cc}")
        if account.available_cc % CC_PER_CENT or account.reserved_cc % CC_PER_CENT:
            problems.append(f"cash of {key} is not whole cents: {account.available_cc}")
    if total != 0:
        problems.append(f"money not conserved: accounts sum to {total} cc")
    return problems


def _contracts(exchange: Exchange) -> list[str]:
    ledger = exchange.ledger
    yes: dict[str, int] = defaultdict(int)
    no: dict[str, int] = defaultdict(int)
    for (_, _, ticker), position in ledger.positions.items():
        if position.position_c > 0:
            yes[ticker] += position.position_c
        else:
            no[ticker] -= position.position_c
    problems = []
    for ticker in sorted(set(yes) | set(no) | set(ledger.escrow_cc)):
        if yes[ticker] != no[ticker]:
            problems.append(f"{ticker}: YES held {yes[ticker]} != NO held {no[ticker]}")
        escrow = ledger.escrow_cc.get(ticker, 0)
        if escrow != yes[ticker] * CC_PER_CENT:
            problems.append(f"{ticker}: escrow {escrow} cc != $1 x {yes[ticker]} c pairs")
        market = exchange.markets.get(ticker)
        if market is not None and market.open_interest_c != yes[ticker]:
            problems.append(f"{ticker}: open interest {market.open_interest_c} != {yes[ticker]}")
    return problems


def _books(exchange: Exchange) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for ticker, market in exchange.markets.items():
        book = market.book
        for is_bid, levels in ((True, book.bids), (False, book.asks)):
            nonempty = []
            for idx, level in enumerate(levels):
                problems += _level(exchange, ticker, is_bid, idx, level, seen)
                if level.total_c:
                    nonempty.append(idx)
            best = (
                (max(nonempty) if nonempty else -1)
                if is_bid
                else (min(nonempty) if nonempty else book.size)
            )
            cached = book.best_bid if is_bid else book.best_ask
            if best != cached:
                problems.append(
                    f"{ticker}: cached best {'bid' if is_bid else 'ask'} {cached} != {best}"
                )
        if book.best_bid >= book.best_ask:
            problems.append(f"{ticker}: book crossed ({book.best_bid} >= {book.best_ask})")
    missing = set(exchange.orders) - seen
    if missing:
        problems.append(f"orders indexed but not resting: {sorted(missing)[:5]}")
    return problems


def _level(
    exchange: Exchange, ticker: str, is_bid: bool, idx: int, level: Level, seen: set[str]
) -> list[str]:
    problems = []
    live = [order for order in level.orders if order.live]
    if sum(order.remaining_c for order in live) != level.total_c:
        problems.append(f"{ticker} level {idx} total {level.total_c} != its orders")
    dead = len(level.orders) - len(live)
    if dead != level.dead or dead > max(COMPACT_AFTER, len(live)):
        problems.append(f"{ticker} level {idx}: {dead} dead entries, counted {level.dead}")
    for order in live:
        seen.add(order.order_id)
        if order.price_idx != idx or order.is_bid != is_bid or order.remaining_c <= 0:
            problems.append(f"{ticker}: order {order.order_id} misplaced")
        if exchange.orders.get(order.order_id) is not order:
            problems.append(f"{ticker}: resting {order.order_id} not in the order index")
    return problems


def _reserves(exchange: Exchange) -> list[str]:
    problems = []
    reserved: dict[tuple[str, int], int] = defaultdict(int)
    for (user, sub, ticker, is_bid), group in exchange.collateral.items():
        key = (user, sub)
        reserved[key] += group.reserve_cc
        # Recount the group from its orders rather than trusting its running sums.
        fresh = OrderGroupSide()
        for order in group.orders.values():
            fresh.add(order)
        expected = reserve_cc(fresh.target_fine(closable(exchange, key, ticker, is_bid)))
        if group.reserve_cc != expected:
            problems.append(
                f"reserve of {key} {ticker} {'bid' if is_bid else 'ask'}: "
                f"{group.reserve_cc} != required {expected}"
            )
        for order in group.orders.values():
            if exchange.orders.get(order.order_id) is not order:
                problems.append(f"collateral counts a dead order {order.order_id}")
    for key, account in exchange.ledger.accounts.items():
        if account.reserved_cc != reserved.get(key, 0):
            problems.append(
                f"reserved cash of {key} {account.reserved_cc} != groups {reserved.get(key, 0)}"
            )
    return problems


def _due_index(exchange: Exchange) -> list[str]:
    problems = []
    orders = {
        order_id: order.expiration_ts_ns
        for order_id, order in exchange.orders.items()
        if order.expiration_ts_ns is not None
    }
    markets: dict[str, int] = {}
    for seq, (ticker, market) in enumerate(exchange.markets.items()):
        due = market_due_ns(market)
        if due is not None:
            markets[ticker] = due
        if market.seq != seq:
            problems.append(f"{ticker}: listing sequence {market.seq} != its place {seq}")
    indexes: list[tuple[str, DueQueue[str], dict[str, int]]] = [
        ("expiry", exchange.expiring, orders),
        ("market step", exchange.market_due, markets),
    ]
    for name, index, expected in indexes:
        held = dict(index.items())
        if held != expected:
            wrong = sorted(
                k for k in held.keys() | expected.keys() if held.get(k) != expected.get(k)
            )
            problems.append(f"{name} index differs from the state at {wrong[:5]}")
        entries = set(index.heap_entries())
        unqueued = sorted(key for key, due in held.items() if (due, key) not in entries)
        if unqueued:
            problems.append(f"{name} index: no heap entry for {unqueued[:5]}")
    return problems
