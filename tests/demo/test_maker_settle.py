"""A market maker remembers only the quotes the exchange accepted and left resting."""

from __future__ import annotations

import random

from augury.demo.maker import MakerStyle, MarketMaker
from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.results import Outcome
from tests.engine.market_setup import gtc_bid, one_market


def test_settle_keeps_resting_quotes_and_skips_refused_ones() -> None:
    x = Exchange("maker")
    for command in one_market({"mm": 10_000}):  # $1: enough for one small quote only
        assert x.apply(command, 1).ok
    style = MakerStyle(
        half_spread_cc=200,
        levels=1,
        gap=1,
        size_c=100,
        skew_cc_per_contract=0.0,
        max_position_c=1_000,
        lag=1.0,
    )
    maker = MarketMaker("mm", style, x, random.Random(1))
    quotes: list[c.Single] = [gtc_bid("mm", 4_000, 100), gtc_bid("mm", 4_000, 10_000)]
    outcomes: list[Outcome[object]] = [x.apply(quote, 2) for quote in quotes]
    assert outcomes[0].ok
    assert outcomes[1].reject is not None  # insufficient balance
    maker.settle(quotes, outcomes)
    assert maker.orders == {"M": set(x.orders)}
