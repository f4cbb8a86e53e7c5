"""The commands that open one market with funded users: the start of many small tests."""

from __future__ import annotations

from collections.abc import Mapping

from augury.engine import commands as c

__all__ = ["gtc_bid", "one_market"]


def one_market(
    deposits_cc: Mapping[str, int],
    *,
    fee_type: str = "quadratic",
    ticker: str = "M",
) -> list[c.Single]:
    """Series ``S``, event ``E`` and market ``ticker`` (open now, closing far in the future),
    then each user of ``deposits_cc`` created and funded, in that order."""
    out: list[c.Single] = [
        c.AddSeries(ticker="S", fee_type=fee_type, fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S"),
        c.AddMarket(ticker=ticker, event_ticker="E", open_ts_ns=0, close_ts_ns=2**62),
    ]
    out += [c.CreateUser(user_id=user, name=user) for user in deposits_cc]
    out += [c.Deposit(user_id=user, amount_cc=amount) for user, amount in deposits_cc.items()]
    return out


def gtc_bid(user: str, price_cc: int, count_c: int) -> c.PlaceOrder:
    """A good-till-cancelled YES bid on market ``M``."""
    return c.PlaceOrder(
        user_id=user,
        ticker="M",
        side="bid",
        price_cc=price_cc,
        count_c=count_c,
        time_in_force="good_till_canceled",
    )
