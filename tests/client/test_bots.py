"""Strategies, the risk gate, the kill switch and clean shutdown, on scripted events."""

from __future__ import annotations

from augury.client.bots import DecisionLog, MarketMaker, MeanReversion, RiskLimits, Runner
from augury.client.bots.strategy import BotContext, Strategy
from augury.client.sim import BookSnapshot, FeeSchedule, FillModel, Lifecycle

T = "KX-T"
S = 1_000_000_000


def _book(ts_s: int, bid: int, ask: int, size: int = 10_000) -> BookSnapshot:
    """A book with YES bid ``bid`` and YES ask ``ask`` (a NO bid at 1 - ask)."""
    return BookSnapshot(ts_s * S, T, yes=((bid, size),), no=((10_000 - ask, size),))


def _run(strategy: Strategy, events: list[object], **kwargs: object) -> Runner:
    runner = Runner(strategy, FillModel(FeeSchedule()), **kwargs)  # type: ignore[arg-type]
    for event in events:
        runner.on_event(event)  # type: ignore[arg-type]
    return runner


def _warm_then(prices: list[int]) -> list[object]:
    """Books every 30 s at mid 0.50 (20 of them), then at the given mids (1-cent spread).

    The timer polls every 30 s from the first event, so it samples books 2..n: the first
    full window is 19 samples at 0.50 plus the first given price.
    """
    mids = [5000] * 20 + prices
    return [_book(30 * (i + 1), m - 50, m + 50) for i, m in enumerate(mids)]


def _places(runner: Runner) -> list[tuple[str, int, int]]:
    return [
        (r["side"], r["price_cc"], r["count_c"])
        for r in runner.decisions.records
        if r["decision"] == "place"
    ]


def test_mean_reversion_buys_10_below_95_percent_of_the_average() -> None:
    runner = _run(MeanReversion(T), _warm_then([4700]))
    # ma = (19 x 5000 + 4700) / 20 = 4985; 4700 < 0.95 x 4985 = 4735.75: buy 10 at the ask.
    assert _places(runner) == [("bid", 4750, 1000)]
    assert runner.position_c(T) == 1000


def test_mean_reversion_sells_above_98_percent_of_the_average() -> None:
    runner = _run(MeanReversion(T), _warm_then([4700, 4950]))
    # Next poll: ma = (18 x 5000 + 4700 + 4950) / 20 = 4982; 4950 > 0.98 x 4982 = 4882.
    assert _places(runner) == [("bid", 4750, 1000), ("ask", 4900, 1000)]
    assert runner.position_c(T) == 0


def test_faithful_bot_sells_what_it_does_not_have_and_corrected_bot_does_not() -> None:
    faithful = _run(MeanReversion(T), _warm_then([5000]))
    corrected = _run(MeanReversion(T, corrected=True), _warm_then([5000]))
    # 5000 > 0.98 x 5000 every poll: the guides' bot sells 10 it does not hold.
    assert _places(faithful) == [("ask", 4950, 1000)]
    assert faithful.position_c(T) == -1000
    assert _places(corrected) == []
    assert [r["reason"] for r in corrected.decisions.records if r["decision"] == "hold"] == [
        "nothing to sell"
    ]


def test_faithful_bot_counts_unfilled_orders_and_corrected_bot_counts_fills() -> None:
    # The ask side is empty when the buy signal fires... then a thin book: IOC fills 1 of 10.
    events = _warm_then([4700])
    events[-1] = BookSnapshot(events[-1].ts_ns, T, yes=((4650, 100),), no=((10_000 - 4750, 100),))  # type: ignore[attr-defined]
    faithful = MeanReversion(T)
    corrected = MeanReversion(T, corrected=True)
    a, b = _run(faithful, events), _run(corrected, events)
    assert faithful.sent_position_c == 1000  # it believes it bought 10
    assert a.position_c(T) == 100  # it bought 1
    assert b.position_c(T) == 100


def test_corrected_bot_skips_trades_whose_edge_is_below_the_fee() -> None:
    # A wide book: the mid dips below 0.95 x ma but the ask is far above: no edge after fees.
    events = _warm_then([])
    events.append(BookSnapshot(31 * 30 * S, T, yes=((100, 100),), no=((10_000 - 9000, 100),)))
    runner = _run(MeanReversion(T, corrected=True), events)
    assert _places(runner) == []
    assert any(
        r["reason"] == "edge below fee" for r in runner.decisions.records if r["decision"] == "hold"
    )


def test_market_maker_skews_quotes_against_inventory() -> None:
    mm = MarketMaker(T, half_spread_cc=200, skew_cc_per_contract=10)
    assert mm.targets(5000, 0) == (4800, 5200)
    assert mm.targets(5000, 1000) == (4700, 5100)  # long 10: fair 0.49
    assert mm.targets(5000, -1000) == (4900, 5300)
    runner = _run(mm, [_book(1, 4900, 5100)])
    assert sorted(_places(runner)) == [("ask", 5200, 500), ("bid", 4800, 500)]


def test_risk_limits_refuse_and_name_the_limit() -> None:
    class Greedy(Strategy):
        name = "greedy"

        def on_book(self, ctx: BotContext, ticker: str) -> None:
            ctx.place(ticker, "bid", 4000, 3000)

    runner = _run(
        Greedy(),
        [_book(1, 3900, 4100), _book(2, 3900, 4100), _book(3, 3900, 4100)],
        limits=RiskLimits(max_position_c=5000, max_orders_per_min=2),
    )
    refused = [r["limit"] for r in runner.decisions.records if r["decision"] == "refused"]
    # Resting orders do not count as position; the third order breaks the order rate.
    assert refused == ["order_rate"]
    runner2 = _run(Greedy(), [_book(1, 3900, 4100)], limits=RiskLimits(max_position_c=2000))
    assert [r["limit"] for r in runner2.decisions.records if r["decision"] == "refused"] == [
        "position"
    ]
    runner3 = _run(Greedy(), [_book(1, 3900, 4100)], limits=RiskLimits(max_exposure_cc=100_000))
    assert [r["limit"] for r in runner3.decisions.records if r["decision"] == "refused"] == [
        "exposure"
    ]


def test_kill_switch_and_stop_cancel_everything_and_refuse_more() -> None:
    mm = MarketMaker(T)
    runner = _run(mm, [_book(1, 4900, 5100)])
    assert len(runner.broker.resting()) == 2
    runner.kill("operator")
    assert runner.broker.resting() == []  # cancels are due now (no latency)
    runner.broker.advance(runner.now_ns)
    assert all(o.status == "canceled" for o in runner.broker.orders.values())  # type: ignore[attr-defined]
    assert runner.on_event(_book(2, 4000, 4200)) == []
    assert runner.decisions.records[-1]["decision"] == "stop"
    assert runner.decisions.records[-1]["reason"] == "operator"


def test_daily_loss_trips_the_kill_switch() -> None:
    class Loser(Strategy):
        name = "loser"

        def on_book(self, ctx: BotContext, ticker: str) -> None:
            ctx.place(ticker, "bid", 9000, 1000, "immediate_or_cancel")

    book = BookSnapshot(S, T, yes=((1000, 10_000),), no=((1000, 10_000),))  # YES ask 0.90
    crash = BookSnapshot(2 * S, T, yes=((1000, 10_000),), no=((1000, 10_000),))
    runner = _run(
        Loser(),
        [book, Lifecycle(2 * S, T, "settled", "no"), crash],
        limits=RiskLimits(max_daily_loss_cc=50_000),
    )
    decisions = [r["decision"] for r in runner.decisions.records]
    assert decisions.count("fill") == 1
    assert "settle" in decisions
    assert runner.risk.killed
    assert runner.risk.kill_reason == "daily_loss"


def test_decision_logs_are_structured_json_lines() -> None:
    import io
    import json

    out = io.StringIO()
    _run(MarketMaker(T), [_book(1, 4900, 5100)], log=DecisionLog(out))
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["decision"] for r in rows] == ["start", "place", "place"]
    assert {"ts_ns", "strategy", "decision"} <= set(rows[1])
