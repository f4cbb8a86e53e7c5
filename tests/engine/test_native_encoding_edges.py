"""The native outcome encoder at its string-length edges, against the Python engine.

The native encoder writes an event through a fixed-size frame when its names fit their
pre-encoded 32-byte windows and its other strings are at most 64 bytes, and through the
general cursor otherwise (``native/core/src/events.rs``, ``emit!``). The differential
streams use short names only, so this drives both engines through a trade (order, fill,
trade, book delta, position and balance events) with user ids, tickers and client order
ids on both sides of those edges (MessagePack's fixstr/str8 edge at 32 bytes, the window
at 31 bytes of text, the frame's cap at 64, multi-byte text whose byte length differs
from its character count) and requires identical outcomes and state after every command
(``tests.engine.differential.compare``: the native bytes are decoded by msgspec).
"""

from __future__ import annotations

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.runtime.native_engine import NativeExchange
from tests.engine.differential import compare
from tests.engine.native_engine import native_or_skip

SECOND = 1_000_000_000
TS0 = 1_767_225_600 * SECOND

# Byte lengths 1, 31 (fills the window), 32 (first str8), 33, 64 (the id cap); "é" is two
# bytes, so the last is 32 bytes of 16 characters.
USERS = ["u", "a" * 31, "b" * 32, "c" * 33, "d" * 64, "é" * 16]
TICKERS = ["T", "T" * 31, "T" * 32, "X" * 64, "Y" * 65, "Z" * 200]
CLIENT_IDS: list[str | None] = [None, "k" * 31, "k" * 32, "k" * 63, "k" * 64]


def _trade(maker: str, taker: str, ticker: str, coid: str | None) -> list[c.Command]:
    """Two users, one market, a resting bid and an ask that fills half of it."""
    return [
        c.CreateUser(user_id=maker, name="M"),
        c.CreateUser(user_id=taker, name="T"),
        c.Deposit(user_id=maker, amount_cc=10_000_000),
        c.Deposit(user_id=taker, amount_cc=10_000_000),
        c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S", meta={}),
        c.AddMarket(
            ticker=ticker,
            event_ticker="E",
            open_ts_ns=TS0 - SECOND,
            close_ts_ns=TS0 + 3_600 * SECOND,
            price_level_structure="linear_cent",
            fractional=False,
            settlement_timer_s=0,
            meta={},
        ),
        c.PlaceOrder(
            user_id=maker,
            ticker=ticker,
            side="bid",
            price_cc=4_000,
            count_c=400,
            time_in_force="good_till_canceled",
            client_order_id=coid,
        ),
        c.PlaceOrder(
            user_id=taker,
            ticker=ticker,
            side="ask",
            price_cc=3_900,
            count_c=200,
            time_in_force="immediate_or_cancel",
            client_order_id=coid,
        ),
    ]


TRADED = {"OrderUpdate", "FillEvent", "TradeEvent", "BookDelta", "PositionUpdate", "BalanceUpdate"}


def _last_kinds(commands: list[c.Command]) -> set[str]:
    """The event kinds of the last command on a fresh Python engine (the scenario trades)."""
    engine = Exchange("kinds")
    for step, command in enumerate(commands):
        outcome = engine.apply(command, TS0 + step)
        assert outcome.ok, (command, outcome)
    return {type(e).__name__ for e in outcome.events}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("ticker", TICKERS)
def test_names_at_every_edge_encode_as_the_python_engine(user: str, ticker: str) -> None:
    native_or_skip()
    python, native = Exchange("edges"), NativeExchange("edges")
    for step, command in enumerate(_trade(user, "o" + user[1:], ticker, None)):
        difference = compare(python, native, command, TS0 + step)
        assert difference is None, f"step {step}: {command!r}: {difference}"
    assert _last_kinds(_trade(user, "o" + user[1:], ticker, None)) >= TRADED


@pytest.mark.parametrize("coid", CLIENT_IDS)
def test_client_ids_at_every_edge_encode_as_the_python_engine(coid: str | None) -> None:
    native_or_skip()
    python, native = Exchange("edges"), NativeExchange("edges")
    for step, command in enumerate(_trade("m", "t", "T1", coid)):
        difference = compare(python, native, command, TS0 + step)
        assert difference is None, f"step {step}: {command!r}: {difference}"
    assert _last_kinds(_trade("m", "t", "T1", coid)) >= TRADED
