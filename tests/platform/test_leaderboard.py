"""Leaderboard profit equals P&L recomputed from fills and settlements.

The engine trades random orders among three users in two markets; the fills and
settlements it emits become history rows exactly as the history writer stores them. Two
independent oracles:

- cash flow: once every market is settled, a position's realised P&L is the money it
  moved: each fill pays its outcome price and gets $1 back per pair it closed, settlement
  pays its revenue; fees apart. No cost-basis rule is involved.
- the engine's own books: ``realized_pnl - fees_paid`` summed over a user's positions,
  settled or not.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from augury.engine import commands as c
from augury.engine.events import FillEvent, SettlementEvent
from augury.engine.exchange import Exchange, Outcome
from augury.platform.leaderboard import standings
from augury.store.records import FillRecord, SettlementRecord
from tests.engine.market_setup import one_market

USERS = ("u1", "u2", "u3")
MARKETS = ("M", "N")

orders = st.lists(
    st.tuples(
        st.sampled_from(USERS),
        st.sampled_from(MARKETS),
        st.sampled_from(("bid", "ask")),
        st.integers(1, 99),
        st.integers(1, 5),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


_RESULTS: dict[str, Literal["yes", "no", "scalar", "void"]] = {
    "yes": "yes", "no": "no", "scalar": "scalar", "void": "void"
}  # fmt: skip


def _run(
    script: list[tuple[str, str, str, int, int, bool]], results: tuple[str, str] | None
) -> tuple[Exchange, list[FillRecord], list[SettlementRecord], list[int]]:
    exchange = Exchange("lb")
    # (time, command): the setup at 0, a tick at 1, order n at 10 + n, settlement at 1000.
    commands: list[tuple[int, c.Command]] = [
        (0, command) for command in one_market(dict.fromkeys(USERS, 10_000 * 10_000))
    ]
    commands.append((0, c.AddMarket(ticker="N", event_ticker="E", open_ts_ns=0, close_ts_ns=2**62)))
    commands.append((1, c.Tick()))
    for n, (user, ticker, side, cents, count, ioc) in enumerate(script):
        commands.append(
            (
                10 + n,
                c.PlaceOrder(
                    user_id=user,
                    ticker=ticker,
                    side=side,  # type: ignore[arg-type]
                    price_cc=cents * 100,
                    count_c=count * 100,
                    time_in_force="immediate_or_cancel" if ioc else "good_till_canceled",
                ),
            )
        )
    times = []
    for ticker, result in zip(MARKETS, results or (), strict=False):
        commands.append(
            (1000, c.DetermineMarket(ticker=ticker, result=_RESULTS[result], settle_now=True))
        )
    fills: list[FillRecord] = []
    settlements: list[SettlementRecord] = []
    for seq, (ts_ns, command) in enumerate(commands, start=1):
        outcome: Outcome[object] = exchange.apply(command, ts_ns)
        for event in outcome.events:
            if isinstance(event, FillEvent):
                fills.append(
                    FillRecord(
                        event.fill_id,
                        event.trade_id,
                        event.order_id,
                        event.user_id,
                        event.subaccount,
                        event.ticker,
                        event.side,
                        event.legacy_side,
                        event.legacy_action,
                        event.price_cc,
                        event.count_c,
                        event.is_taker,
                        event.fee_cc,
                        event.post_position_c,
                        event.client_order_id,
                        event.ts_ns,
                        seq,
                    )
                )
                times.append(event.ts_ns)
            elif isinstance(event, SettlementEvent):
                settlements.append(
                    SettlementRecord(
                        event.user_id,
                        event.subaccount,
                        event.ticker,
                        "E",
                        event.result,
                        event.yes_c,
                        event.no_c,
                        event.yes_cost_cc,
                        event.no_cost_cc,
                        event.revenue_cc,
                        event.fee_cost_cc,
                        event.value_cc,
                        event.ts_ns,
                        seq,
                    )
                )
    return exchange, fills, settlements, times


def _cash_flow_profit(
    fills: list[FillRecord], settlements: list[SettlementRecord]
) -> dict[str, int]:
    flow: dict[tuple[str, str], int] = defaultdict(int)
    fees: dict[str, int] = defaultdict(int)
    for fill in fills:
        buys_yes = fill.side == "bid"
        price = fill.price_cc if buys_yes else 10_000 - fill.price_cc
        signed = fill.count_c if buys_yes else -fill.count_c
        before = fill.post_position_c - signed
        held_other = -before if buys_yes else before  # contracts of the other outcome held
        closed = min(fill.count_c, held_other) if held_other > 0 else 0
        flow[(fill.user_id, fill.ticker)] += 10_000 * closed - price * fill.count_c
        fees[fill.user_id] += fill.fee_cc
    for settlement in settlements:
        flow[(settlement.user_id, settlement.ticker)] += settlement.revenue_cc * 100
    profit: dict[str, int] = defaultdict(int)
    for (user, _), fine in flow.items():
        profit[user] += fine // 100
    for user, fee in fees.items():
        profit[user] -= fee
    return profit


@settings(max_examples=150, deadline=None)
@given(orders, st.tuples(*[st.sampled_from(("yes", "no", "void"))] * 2))
def test_profit_equals_pnl_from_fills_and_settlements(
    script: list[tuple[str, str, str, int, int, bool]], results: tuple[str, str]
) -> None:
    exchange, fills, settlements, _ = _run(script, results)
    board = standings(fills, settlements, 0)
    expected = _cash_flow_profit(fills, settlements)
    for user in USERS:
        got = board[user].profit_cc if user in board else 0
        assert got == expected.get(user, 0), user
        engine = sum(
            p.realized_fine // 100 - p.fees_paid_cc
            for (u, _s, _t), p in exchange.ledger.positions.items()
            if u == user
        )
        assert got == engine, user


@settings(max_examples=100, deadline=None)
@given(orders)
def test_open_positions_profit_is_the_engines_realised_pnl(
    script: list[tuple[str, str, str, int, int, bool]],
) -> None:
    # No settlement: the engine's realised P&L of open positions is the oracle.
    exchange, fills, settlements, _ = _run(script, None)
    assert settlements == []
    board = standings(fills, [], 0)
    for user in USERS:
        engine = sum(
            p.realized_fine // 100 - p.fees_paid_cc
            for (u, _s, _t), p in exchange.ledger.positions.items()
            if u == user
        )
        assert (board[user].profit_cc if user in board else 0) == engine


def test_a_period_counts_only_what_was_realised_inside_it() -> None:
    # u1 buys 2 YES at 40 from u2 at t=10, sells 1 at 70 to u3 at t=11; the market
    # settles YES at t=1000. Realised: (70 - 40) x 1 = 30c at t=11, (100 - 40) x 1 = 60c at
    # settlement; the fees u1 paid inside each window come off.
    exchange = Exchange("p")
    for setup in one_market({"u1": 10**8, "u2": 10**8, "u3": 10**8}):
        exchange.apply(setup, 0)
    fills: list[FillRecord] = []
    settlements: list[SettlementRecord] = []
    script: list[tuple[int, c.Command]] = [
        (1, c.Tick()),
        (
            10,
            c.PlaceOrder(
                user_id="u2",
                ticker="M",
                side="ask",
                price_cc=4000,
                count_c=200,
                time_in_force="good_till_canceled",
            ),
        ),
        (
            10,
            c.PlaceOrder(
                user_id="u1",
                ticker="M",
                side="bid",
                price_cc=4000,
                count_c=200,
                time_in_force="immediate_or_cancel",
            ),
        ),
        (
            11,
            c.PlaceOrder(
                user_id="u3",
                ticker="M",
                side="bid",
                price_cc=7000,
                count_c=100,
                time_in_force="good_till_canceled",
            ),
        ),
        (
            11,
            c.PlaceOrder(
                user_id="u1",
                ticker="M",
                side="ask",
                price_cc=7000,
                count_c=100,
                time_in_force="immediate_or_cancel",
            ),
        ),
        (1000, c.DetermineMarket(ticker="M", result="yes", settle_now=True)),
    ]
    for seq, (ts_ns, command) in enumerate(script, start=10):
        for event in exchange.apply(command, ts_ns).events:
            if isinstance(event, FillEvent):
                fills.append(
                    FillRecord(
                        event.fill_id,
                        event.trade_id,
                        event.order_id,
                        event.user_id,
                        event.subaccount,
                        event.ticker,
                        event.side,
                        event.legacy_side,
                        event.legacy_action,
                        event.price_cc,
                        event.count_c,
                        event.is_taker,
                        event.fee_cc,
                        event.post_position_c,
                        event.client_order_id,
                        event.ts_ns,
                        seq,
                    )
                )
            elif isinstance(event, SettlementEvent):
                settlements.append(
                    SettlementRecord(
                        event.user_id,
                        event.subaccount,
                        event.ticker,
                        "E",
                        event.result,
                        event.yes_c,
                        event.no_c,
                        event.yes_cost_cc,
                        event.no_cost_cc,
                        event.revenue_cc,
                        event.fee_cost_cc,
                        event.value_cc,
                        event.ts_ns,
                        seq,
                    )
                )

    def fees(since: int) -> int:
        return sum(f.fee_cc for f in fills if f.user_id == "u1" and f.ts_ns >= since)

    assert fees(0) > fees(11) > 0
    assert standings(fills, settlements, 0)["u1"].profit_cc == 9_000 - fees(0)
    assert standings(fills, settlements, 11)["u1"].profit_cc == 9_000 - fees(11)
    assert standings(fills, settlements, 12)["u1"].profit_cc == 6_000
    assert standings(fills, settlements, 1001)["u1"].profit_cc == 0
    assert standings(fills, settlements, 0)["u1"].volume_c == 300
    assert standings(fills, settlements, 11)["u1"].volume_c == 100
