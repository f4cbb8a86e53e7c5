"""The memo behind ``max_fee_cc_per_lot`` cannot change a result, even when it overflows.

Every new or re-priced order needs the worst-case fee of one lot, which the ledger
memoises by (fee type, multiplier, limit, lot) and forgets wholesale when the memo is
full. The same trading, applied once with the memo as shipped and once with a memo so
small that it is emptied many times, must reach the same state byte for byte.
"""

from __future__ import annotations

from typing import Literal

import pytest

from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.exchange import Exchange
from augury.engine.state import state_digest
from augury.ledger import fees

TRADERS: tuple[tuple[str, Literal["bid", "ask"]], ...] = (("ann", "bid"), ("bob", "ask"))


def _trading() -> list[tuple[int, c.Command]]:
    """(time, command): the setup at 1, then one order per nanosecond from 2."""
    setup: list[c.Command] = [
        c.CreateUser(user_id="ann", name="ann"),
        c.CreateUser(user_id="bob", name="bob"),
        c.Deposit(user_id="ann", amount_cc=10_000_000),
        c.Deposit(user_id="bob", amount_cc=10_000_000),
    ]
    # Three fee rules, so the memo's keys differ by rule as well as by limit.
    for n, (fee_type, mult) in enumerate(
        [("quadratic", 10_000), ("quadratic_with_maker_fees", 5_000), ("flat", 20_000)]
    ):
        setup += [
            c.AddSeries(ticker=f"S{n}", fee_type=fee_type, fee_multiplier_e4=mult),
            c.AddEvent(event_ticker=f"E{n}", series_ticker=f"S{n}"),
            c.AddMarket(ticker=f"M{n}", event_ticker=f"E{n}", open_ts_ns=0, close_ts_ns=10**15),
        ]
    out: list[tuple[int, c.Command]] = [(1, command) for command in setup]
    ts = 2
    for n in range(3):
        for cents in range(5, 96, 5):  # 19 limits per market, on both sides
            for user, side in TRADERS:
                out.append((
                    ts,
                    c.PlaceOrder(
                        user_id=user, ticker=f"M{n}", side=side,
                        price_cc=cents * 100, count_c=100, time_in_force="good_till_canceled",
                    ),
                ))  # fmt: skip
                ts += 1
    return out


def _final_digest() -> str:
    ex = Exchange("memo")
    for ts_ns, command in _trading():
        assert ex.apply(command, ts_ns).reject is None, command
    assert audit(ex) == []
    return state_digest(ex)


def test_a_memo_emptied_many_times_gives_the_same_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fees, "_MAX_FEE_CACHE", {})
    shipped = _final_digest()
    monkeypatch.setattr(fees, "_MAX_FEE_CACHE", {})
    monkeypatch.setattr(fees, "_MAX_FEE_CACHE_SIZE", 4)
    assert _final_digest() == shipped
    assert len(fees._MAX_FEE_CACHE) <= 4
