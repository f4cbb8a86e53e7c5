"""The one fill model and the paper ledger, on hand-computed cases, and fees against a server."""

from __future__ import annotations

import random
from pathlib import Path

from augury.client import orders
from augury.client.sim import (
    BookDelta,
    BookSnapshot,
    FeeSchedule,
    FillModel,
    Ledger,
    SimFill,
    SimOrder,
    Trade,
)
from augury.client.units import count_c, dollars_cc
from tests.client.inproc import exchange

T = "KX-T"
MS = 1_000_000


def _model(latency_ns: int = 0) -> FillModel:
    model = FillModel(FeeSchedule("quadratic"), latency_ns=latency_ns)
    model.on_event(BookSnapshot(0, T, yes=((5000, 300),), no=((4000, 500), (4500, 200))))
    return model


def _summary(fills: list[SimFill]) -> list[tuple[int, int, bool, int]]:
    return [(f.yes_price_cc, f.count_c, f.is_taker, f.fee_cc) for f in fills]


def test_a_taker_walks_the_book_best_first_at_resting_prices_with_taker_fees() -> None:
    model = _model()
    model.submit(SimOrder("a", T, "bid", 6000, 600), 1)
    # NO 45 is YES 55 (200), then NO 40 is YES 60 (400). Fees: 0.07*2*.55*.45 = $0.03465
    # -> 347 cc rounded up; 0.07*4*.6*.4 = $0.0672 -> 672 cc.
    assert _summary(model.advance(1)) == [(5500, 200, True, 347), (6000, 400, True, 672)]
    assert model.orders["a"].status == "executed"


def test_consumed_liquidity_is_gone_for_the_next_order_until_the_book_shrinks() -> None:
    model = _model()
    model.submit(SimOrder("a", T, "bid", 6000, 600), 1)
    model.submit(SimOrder("b", T, "bid", 6000, 500, "immediate_or_cancel"), 1)
    fills = model.advance(1)
    assert [(f.client_order_id, f.count_c) for f in fills] == [("a", 200), ("a", 400), ("b", 100)]
    assert model.orders["b"].status == "canceled"
    # The real market takes 400 at NO 40: 100 of our 500 are still counted as consumed,
    # so the 100 left in the book are not available to us.
    model.on_event(BookDelta(2, T, "no", 4000, -400))
    model.submit(SimOrder("c", T, "bid", 6000, 300, "immediate_or_cancel"), 3)
    assert model.advance(3) == []
    # New sellers arrive: 300 more at NO 40 (level 400, 100 of it still ours).
    model.on_event(BookDelta(4, T, "no", 4000, 300))
    model.submit(SimOrder("d", T, "bid", 6000, 500, "immediate_or_cancel"), 5)
    # 0.07 * 3 * .6 * .4 = $0.0504.
    assert _summary(model.advance(5)) == [(6000, 300, True, 504)]


def test_a_resting_order_fills_only_after_the_size_ahead_of_it() -> None:
    model = _model()
    model.submit(SimOrder("r", T, "bid", 5000, 400), 1)
    model.advance(1)
    assert model.orders["r"].ahead_c == 300
    assert model.on_event(Trade(2, T, 5000, 200, "no")) == []  # 200 of the 300 ahead
    assert model.orders["r"].ahead_c == 100
    model.on_event(BookDelta(3, T, "yes", 5000, -200))  # the same trade, as a delta
    assert model.orders["r"].ahead_c == 100
    fills = model.on_event(Trade(4, T, 5000, 250, "no"))
    assert _summary(fills) == [(5000, 150, False, 0)]  # quadratic: makers pay nothing
    model.on_event(BookDelta(5, T, "yes", 5000, 50))  # a newcomer queues behind us
    assert model.orders["r"].ahead_c == 0


def test_trades_through_the_price_and_crossing_orders_fill_a_resting_order_as_maker() -> None:
    model = FillModel(FeeSchedule("quadratic_with_maker_fees"))
    model.on_event(BookSnapshot(0, T, yes=(), no=()))
    model.submit(SimOrder("bid", T, "bid", 5000, 100), 0)
    model.submit(SimOrder("ask", T, "ask", 5500, 300), 0)
    # A taker sells YES at 0.48: our better bid at 0.50 would have been hit first.
    fills = model.on_event(Trade(1, T, 4800, 70, "no"))
    # Maker fee 0.0175 * 0.7 * .5 * .5 = $0.0030625 -> 31 cc.
    assert _summary(fills) == [(5000, 70, False, 31)]
    # Someone bids YES 0.56 for 2: it crosses our ask at 0.55.
    assert _summary(model.on_event(BookDelta(2, T, "yes", 5600, 200))) == [(5500, 200, False, 87)]


def test_latency_delays_arrival_past_the_events_before_it() -> None:
    model = _model(latency_ns=100 * MS)
    model.submit(SimOrder("slow", T, "bid", 6000, 200), 0)
    model.on_event(BookDelta(50 * MS, T, "no", 4000, -500))
    model.on_event(BookDelta(60 * MS, T, "no", 4500, -200))
    assert model.on_event(BookDelta(100 * MS, T, "yes", 4000, 100)) == []
    assert model.orders["slow"].status == "resting"
    model.cancel("slow", 150 * MS)
    model.advance(249 * MS)
    assert model.orders["slow"].status == "resting"
    model.advance(250 * MS)
    assert model.orders["slow"].status == "canceled"


def test_ledger_nets_pairs_and_settles_every_way() -> None:
    def fill(side: str, price: int, count: int, fee: int = 0) -> SimFill:
        return SimFill("f", "o", T, side, price, count, True, fee, 0)

    ledger = Ledger(cash_cc=100_000)  # $10
    ledger.apply(fill("bid", 4000, 1000))  # buy 10 YES at 0.40: $4
    ledger.apply(fill("ask", 7000, 400, fee=100))  # sell 4 YES at 0.70 (buy NO 0.30), fee 1c
    pos = ledger.positions[T]
    assert pos.position_c == 600
    assert pos.cost_fine == 2_400_000  # 6 x $0.40
    assert pos.realized_fine == 1_200_000 - 10_000  # 4 x $0.30 gained, less the fee
    assert ledger.cash_fine == 10_000_000 - 4_000_000 - 1_200_000 - 10_000 + 4_000_000
    for result, value, payout in (
        ("yes", 0, 6_000_000),
        ("no", 0, 0),
        ("scalar", 2500, 1_500_000),
        ("void", 0, 2_400_000),
    ):
        copy = Ledger(0)
        copy.positions[T] = type(pos)(pos.position_c, pos.cost_fine)
        assert copy.settle(T, result, value) == payout
    short = Ledger(0)
    short.apply(fill("ask", 7000, 200))  # buy 2 NO at 0.30
    assert short.settle(T, "no") == 2_000_000
    assert short.positions[T].realized_fine == 2_000_000 - 600_000


def test_fees_equal_what_the_exchange_charges_on_every_fill(tmp_path: Path) -> None:
    rng = random.Random(7)
    schedules = {
        "KXTEST-26DEC-T1": FeeSchedule("quadratic"),
        "KXMAKER-26DEC-B1": FeeSchedule("quadratic_with_maker_fees"),
    }
    with exchange(tmp_path / "data") as ex:
        maker, taker = ex.client(ex.user("mk", "100000")), ex.client(ex.user("tk", "100000"))
        checked = 0
        for _ in range(30):
            ticker = rng.choice(sorted(schedules))
            price = rng.randint(1, 99) * 100
            count = rng.randint(1, 40) * 100
            made = maker.create_order(orders.order_v2(ticker, "bid", price, count))
            taker.create_order(
                orders.order_v2(ticker, "ask", price, count, time_in_force="immediate_or_cancel")
            )
            for client, is_taker in ((maker, False), (taker, True)):
                fills = client.fills(ticker=ticker).fills
                fill = fills[0]
                assert fill.is_taker is is_taker
                assert count_c(fill.count_fp) == count
                expected = schedules[ticker].fee_cc(
                    dollars_cc(fill.yes_price_dollars), count, is_taker
                )
                assert dollars_cc(fill.fee_cost) == expected, (ticker, price, count, is_taker)
                checked += 1
            assert made.order_id
        assert checked == 60
