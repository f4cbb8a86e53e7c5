"""The rare commands of the simulated stream: order groups, lifecycle, settlement, probes.

Each function draws one command for ``Workload.next_command`` from the workload's seeded
generator and its client view (see ``augury.sim.workload`` for why randomness is allowed
here). ``invalid`` draws a command that the engine must refuse, and sets ``w.probe`` so
the runner checks that the refusal changed nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from augury.engine import commands as c

if TYPE_CHECKING:
    from augury.sim.workload import Workload

__all__ = ["group_op", "invalid", "lifecycle"]

RESULTS: tuple[Literal["yes", "no", "scalar", "void"], ...] = ("yes", "no", "scalar", "void")


def group_op(w: Workload) -> c.Command:
    rng = w.rng
    if len(w.group_ids) < 6 or rng.random() < 0.1:
        limit = None if rng.random() < 0.2 else 100 * rng.randint(5, 60)
        return c.CreateOrderGroup(user_id=rng.choice(w.users), contracts_limit_c=limit)
    group_id = rng.choice(w.group_ids)
    user, triggered = w.groups[group_id]
    r = rng.random()
    if triggered and r < 0.8:
        return c.OrderGroupAction(user_id=user, group_id=group_id, action="reset")
    if r < 0.4:
        return c.UpdateOrderGroupLimit(
            user_id=user,
            group_id=group_id,
            contracts_limit_c=100 * rng.randint(1, 80),
        )
    if r < 0.8:
        return c.OrderGroupAction(user_id=user, group_id=group_id, action="trigger")
    return c.OrderGroupAction(user_id=user, group_id=group_id, action="delete")


def lifecycle(w: Workload, r: float) -> c.Command:
    rng = w.rng
    if w.exchange_paused:
        if r < 0.5:
            return c.SetExchangeState(paused=False)
        return w.order("rest")  # refused while paused
    by_status: dict[str, list[str]] = {}
    for ticker, market in w.markets.items():
        by_status.setdefault(market.status, []).append(ticker)
    # Per command these are about: exchange pause 1/9,000, market pause 1/1,500, close
    # 1/3,000 (plus closes by time), determine-while-open 1/6,000; the rest are ticks.
    active = by_status.get("active", [])
    waiting = by_status.get("determined", []) + by_status.get("amended", [])
    closed = by_status.get("closed", []) + waiting
    if r < 0.002:
        return c.SetExchangeState(paused=True)
    if r < 0.014:
        if active:
            return c.SetMarketState(ticker=rng.choice(active), action="pause")
    elif r < 0.2:
        if by_status.get("inactive"):
            ticker = rng.choice(by_status["inactive"])
            return c.SetMarketState(ticker=ticker, action="resume")
    elif r < 0.206:
        if active:
            return c.SetMarketState(ticker=rng.choice(active), action="close")
    else:
        return _settlement(w, r, active, closed, waiting)
    return c.Tick()


def _settlement(
    w: Workload, r: float, active: list[str], closed: list[str], waiting: list[str]
) -> c.Command:
    rng = w.rng
    if r < 0.6:
        if closed:
            return _determine(w, rng.choice(closed))
    elif r < 0.7:
        if waiting:
            return c.FinalizeMarket(ticker=rng.choice(waiting))
    elif r < 0.703 and active:
        # Determining an open market closes it first.
        return _determine(w, rng.choice(active))
    return c.Tick()


def _determine(w: Workload, ticker: str) -> c.Command:
    rng = w.rng
    result = rng.choice(RESULTS)
    if w.markets[ticker].status != "closed" and rng.random() < 0.5:
        return c.FinalizeMarket(ticker=ticker)
    return c.DetermineMarket(
        ticker=ticker,
        result=result,
        value_cc=rng.randint(0, 10_000) if result == "scalar" else None,
        settle_now=rng.random() < 0.2,
    )


def invalid(w: Workload) -> c.Command:
    """A command that must be refused (and so must change nothing)."""
    rng = w.rng
    w.probe = True
    market = w.pick_market()
    user, sub = w.pick_account()
    r = rng.random()
    if r < 0.2:  # off the grid
        return c.PlaceOrder(
            user_id=user,
            ticker=market.ticker,
            side="bid",
            price_cc=market.prices[0] + 1,
            count_c=100,
            time_in_force="good_till_canceled",
        )
    if r < 0.4:  # far more than any account holds
        return c.PlaceOrder(
            user_id=user,
            subaccount=sub,
            ticker=market.ticker,
            side="ask",
            price_cc=market.prices[len(market.prices) // 2],
            count_c=10_000_000_000,
            time_in_force="good_till_canceled",
        )
    order = w.live.pick(rng)
    if r < 0.6 and order is not None:  # an unaffordable amend
        return c.AmendOrder(
            user_id=order.user,
            order_id=order.order_id,
            ticker=order.ticker,
            side="bid" if order.is_bid else "ask",
            price_cc=order.price_cc,
            count_c=order.fill_c + 10_000_000_000,
        )
    if r < 0.7 and order is not None:  # someone else's order
        other = w.users[(w.users.index(order.user) + 1) % len(w.users)]
        return c.CancelOrder(user_id=other, order_id=order.order_id)
    if r < 0.8:
        available = w.available.get((user, sub), 0)
        return c.Withdraw(user_id=user, subaccount=sub, amount_cc=available + 100)
    if r < 0.9:
        return c.PlaceOrder(
            user_id=user,
            ticker=market.ticker,
            side="bid",
            price_cc=market.prices[0],
            count_c=100,
            time_in_force="fill_or_kill",
            post_only=True,
        )
    return c.CancelOrder(user_id=user, order_id="no-such-order")
