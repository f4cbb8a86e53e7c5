"""An event's fee override is what its markets charge, on both engines (decision 0058).

Every expected fee is computed by hand from CONTRACT §11.1: a taker pays
``round_up(0.07 x C x P x (1 - P)) x multiplier``, a maker on
``quadratic_with_maker_fees`` ``0.0175 x ...``, a ``flat`` taker one cent per contract
times the multiplier, each rounded up to the centi-cent (1 cc = $0.0001). The override
lives in the event's metadata as integers (``augury.domain.event_fees``).
"""

from __future__ import annotations

from typing import Any

import pytest

from augury.engine import commands as c
from augury.engine.events import FillEvent, OrderUpdate
from augury.engine.state import make_snapshot
from tests.engine.native_engine import audit_any, digest_any, load_any, new_exchange

ENGINES = ["python", "native"]
TS = 1_000
DEPOSIT_CC = 10_000_000  # $1,000 each


class World:
    def __init__(self, engine: str) -> None:
        self.x: Any = new_exchange("fees", engine)
        self.ts = TS

    def run(self, command: c.Cmd[Any]) -> Any:
        self.ts += 1
        return self.x.apply(command, self.ts)

    def ok(self, command: c.Cmd[Any]) -> Any:
        outcome = self.run(command)
        assert outcome.reject is None, outcome.reject
        return outcome

    def setup(
        self,
        series_type: str,
        series_mult_e4: int,
        event_meta: dict[str, object],
        market_meta: dict[str, object] | None = None,
    ) -> None:
        self.ok(c.AddSeries(ticker="S", fee_type=series_type, fee_multiplier_e4=series_mult_e4))
        self.ok(c.AddEvent(event_ticker="E", series_ticker="S", meta=event_meta))
        self.ok(
            c.AddMarket(
                ticker="M",
                event_ticker="E",
                open_ts_ns=0,
                close_ts_ns=2**62,
                meta=market_meta or {},
            )
        )
        for user in ("maker", "taker"):
            self.ok(c.CreateUser(user_id=user, name=user))
            self.ok(c.Deposit(user_id=user, amount_cc=DEPOSIT_CC))

    def rest_bid(self, price_cc: int, count_c: int) -> Any:
        return self.ok(
            c.PlaceOrder(
                user_id="maker",
                ticker="M",
                side="bid",
                price_cc=price_cc,
                count_c=count_c,
                time_in_force="good_till_canceled",
            )
        )

    def sell(self, price_cc: int, count_c: int) -> dict[bool, int]:
        """The taker sells into the resting bid; return {is_taker: fee_cc} of the fill."""
        outcome = self.ok(
            c.PlaceOrder(
                user_id="taker",
                ticker="M",
                side="ask",
                price_cc=price_cc,
                count_c=count_c,
                time_in_force="immediate_or_cancel",
            )
        )
        fills = [e for e in outcome.events if isinstance(e, FillEvent)]
        assert len(fills) == 2, fills
        return {f.is_taker: f.fee_cc for f in fills}

    def trade(self, price_cc: int, count_c: int) -> dict[bool, int]:
        self.rest_bid(price_cc, count_c)
        return self.sell(price_cc, count_c)

    def fees(self) -> tuple[str, int]:
        fees = self.x.markets["M"].fees
        return str(fees.fee_type), int(fees.multiplier_e4)


def _override(fee_type: str | None, mult_e4: int | None) -> dict[str, object]:
    return {"fee_type_override": fee_type, "fee_multiplier_override_e4": mult_e4}


@pytest.mark.parametrize("engine", ENGINES)
def test_type_and_multiplier_override_are_charged(engine: str) -> None:
    w = World(engine)
    # Series: quadratic x1 (makers free); the event: maker fees, x0.5.
    w.setup("quadratic", 10_000, _override("quadratic_with_maker_fees", 5_000))
    assert w.fees() == ("quadratic_with_maker_fees", 5_000)
    # 10 contracts at $0.40: taker 0.07*10*0.4*0.6*0.5 = $0.084; maker 0.0175*... = $0.021.
    assert w.trade(4_000, 1_000) == {True: 840, False: 210}


@pytest.mark.parametrize("engine", ENGINES)
def test_multiplier_only_override_keeps_the_series_type(engine: str) -> None:
    w = World(engine)
    w.setup("quadratic_with_maker_fees", 10_000, _override(None, 20_000))
    # 3 at $0.50, x2: taker 0.07*3*0.25*2 = $0.105; maker 0.0175*3*0.25*2 = $0.02625,
    # rounded up to the centi-cent: 263 cc.
    assert w.trade(5_000, 300) == {True: 1_050, False: 263}


@pytest.mark.parametrize("engine", ENGINES)
def test_flat_override(engine: str) -> None:
    w = World(engine)
    w.setup("quadratic", 10_000, _override("flat", 30_000))
    # flat x3: the taker pays 3 cents a contract, the maker nothing.
    assert w.trade(2_500, 200) == {True: 600, False: 0}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_markets_own_multiplier_beats_the_events(engine: str) -> None:
    w = World(engine)
    w.setup(
        "quadratic",
        10_000,
        _override("quadratic_with_maker_fees", 5_000),
        market_meta={"fee_multiplier_e4": 20_000},
    )
    assert w.fees() == ("quadratic_with_maker_fees", 20_000)
    # 1 at $0.50, x2: taker 0.07*0.25*2 = $0.035; maker $0.00875 -> 88 cc.
    assert w.trade(5_000, 100) == {True: 350, False: 88}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_display_only_type_without_the_integer_multiplier_key_changes_nothing(
    engine: str,
) -> None:
    """What journals written before decision 0058 may hold: never charged then, nor now."""
    w = World(engine)
    w.setup("quadratic", 10_000, {"fee_type_override": "flat", "fee_multiplier_override": 2})
    assert w.fees() == ("quadratic", 10_000)
    # 10 at $0.40, x1: taker $0.168; maker free.
    assert w.trade(4_000, 1_000) == {True: 1_680, False: 0}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lower_override_set_later_applies_to_the_next_fill_and_keeps_orders(
    engine: str,
) -> None:
    w = World(engine)
    w.setup("quadratic", 10_000, {})
    placed = w.rest_bid(4_000, 1_000)
    outcome = w.ok(
        c.AddEvent(
            event_ticker="E",
            series_ticker="S",
            meta=_override("quadratic_with_maker_fees", 5_000),
        )
    )
    assert outcome.value is False
    # The resting bid reserved 0.07*0.4*0.6 = 168 cc a lot; the new rule needs 84: it rests on.
    assert not [e for e in outcome.events if isinstance(e, OrderUpdate)]
    assert w.fees() == ("quadratic_with_maker_fees", 5_000)
    assert w.sell(4_000, 1_000) == {True: 840, False: 210}
    assert placed.reject is None
    assert audit_any(w.x) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_higher_override_set_later_cancels_the_orders_it_would_underfund(
    engine: str,
) -> None:
    w = World(engine)
    w.setup("quadratic", 10_000, {})
    w.rest_bid(4_000, 1_000)
    assert w.x.ledger.accounts[("maker", 0)].available_cc < DEPOSIT_CC
    outcome = w.ok(c.AddEvent(event_ticker="E", series_ticker="S", meta=_override(None, 20_000)))
    updates = [e for e in outcome.events if isinstance(e, OrderUpdate)]
    assert [(u.user_id, u.status, u.reason) for u in updates] == [
        ("maker", "canceled", "fee_changed")
    ]
    assert w.x.ledger.accounts[("maker", 0)].available_cc == DEPOSIT_CC
    assert w.fees() == ("quadratic", 20_000)
    # A new order pays the doubled fee: 10 at $0.40, x2: taker $0.336.
    assert w.trade(4_000, 1_000) == {True: 3_360, False: 0}
    # Removing the override returns the series' rule; nothing rests, nothing is cancelled.
    outcome = w.ok(c.AddEvent(event_ticker="E", series_ticker="S", meta={}))
    assert w.fees() == ("quadratic", 10_000)
    assert w.trade(4_000, 1_000) == {True: 1_680, False: 0}
    assert audit_any(w.x) == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "meta",
    [
        _override(None, -1),
        _override(None, 1_000_001),
        {"fee_multiplier_override_e4": 1.5},
        {"fee_multiplier_override_e4": True},
        {"fee_multiplier_override_e4": "2"},
        {"fee_multiplier_override_e4": 2**64 - 1},
        _override("steep", 10_000),
        _override(3, 10_000),  # type: ignore[arg-type]
    ],
)
def test_a_malformed_override_is_refused_and_changes_nothing(
    engine: str, meta: dict[str, object]
) -> None:
    w = World(engine)
    w.setup("quadratic", 10_000, _override("flat", 20_000))
    w.rest_bid(4_000, 1_000)
    before = digest_any(w.x)
    for command in (
        c.AddEvent(event_ticker="E", series_ticker="S", meta=meta),
        c.AddEvent(event_ticker="E2", series_ticker="S", meta=meta),
    ):
        outcome = w.run(command)
        assert outcome.reject is not None
        assert outcome.reject.reason.value == "invalid_parameters"
        assert "override" in outcome.reject.message
    assert digest_any(w.x) == before
    assert "E2" not in w.x.events
    assert w.x.events["E"].meta == _override("flat", 20_000)
    assert w.fees() == ("flat", 20_000)


@pytest.mark.parametrize(("first", "second"), [("python", "native"), ("native", "python")])
def test_a_snapshot_with_overrides_loads_in_the_other_engine(first: str, second: str) -> None:
    w = World(first)
    w.setup("quadratic", 10_000, _override("quadratic_with_maker_fees", 5_000))
    w.rest_bid(4_000, 1_000)
    other = World(second)
    other.x = load_any(make_snapshot(w.x), new_exchange("fees", second))
    other.ts = w.ts
    assert make_snapshot(other.x) == make_snapshot(w.x)
    assert other.fees() == ("quadratic_with_maker_fees", 5_000)
    assert other.sell(4_000, 1_000) == w.sell(4_000, 1_000) == {True: 840, False: 210}
    # A change after the load follows the loaded event's metadata in both.
    for world in (w, other):
        world.ok(c.AddEvent(event_ticker="E", series_ticker="S", meta=_override("flat", None)))
        assert world.fees() == ("flat", 10_000)
    assert make_snapshot(other.x) == make_snapshot(w.x)
