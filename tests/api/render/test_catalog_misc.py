"""Series, events, candles, order groups and API keys on the wire (CONTRACT §4.2, §4.9,
§4.12, §4.13, §8.5): by hand."""

from __future__ import annotations

from augury.api.render import candle as render_candle
from augury.api.render import event as render_event
from augury.api.render import group as render_group
from augury.api.render import key as render_key
from augury.domain.enums import FeeType
from augury.engine.events import OrderGroupUpdate
from augury.queries.views import ApiKeyView, Candle, EventView, GroupView, SeriesView
from tests.api.render.samples import T0, T0_MS, T0_TEXT, wire

SERIES = SeriesView(
    "KXFED", FeeType.QUADRATIC, 5_000, {"title": "Fed", "category": "Economics"}, T0
)


def test_series_fills_required_keys() -> None:
    body = wire(render_event.series(SERIES))
    assert body["categories"] == ["Economics"]  # from the single category
    assert body["tags"] is None  # required, nullable: present as null
    assert body["settlement_sources"] is None
    assert body["additional_prohibitions"] is None
    assert (body["frequency"], body["contract_url"]) == ("", "")
    assert body["fee_type"] == "quadratic"
    assert body["fee_multiplier"] == 0.5
    assert body["last_updated_ts"] == T0_TEXT
    assert "volume_fp" not in body
    assert wire(render_event.series(SERIES, 12_300))["volume_fp"] == "123.00"


def test_events() -> None:
    meta = {"title": "Rates", "fee_type_override": "flat", "fee_multiplier_override_e4": 20_000}
    view = EventView("KXFED-26DEC", "KXFED", True, meta, ("KXFED-26DEC-T4",), T0)
    body = wire(render_event.event(view, SERIES, None))
    assert (body["collateral_return_type"], body["mutually_exclusive"]) == ("MECNET", True)
    assert body["category"] == "Economics"  # the series' category
    assert (body["fee_type_override"], body["fee_multiplier_override"]) == ("flat", 2.0)
    assert body["settlement_sources"] is None
    assert "markets" not in body
    # An override of the multiplier alone shows the series' type (what is charged).
    only = EventView("E", "KXFED", False, {"fee_multiplier_override_e4": 15_000}, (), T0)
    body = wire(render_event.event(only, SERIES, None))
    assert (body["fee_type_override"], body["fee_multiplier_override"]) == ("quadratic", 1.5)
    # A type without the integer multiplier key is not charged (decision 0058): not shown.
    odd = EventView("E", "S", False, {"fee_type_override": "flat"}, (), T0)
    body = wire(render_event.event(odd, None, []))
    assert body["collateral_return_type"] == ""
    assert "fee_type_override" not in body
    assert body["markets"] == []
    msg = wire(render_event.event_lifecycle_message(odd))
    assert (msg["title"], msg["subtitle"], msg["series_ticker"]) == ("E", "", "S")


def test_candles() -> None:
    # A minute with two trades: 3 at $0.40 and 1 at $0.44 -> mean $0.41.
    price_volume = 3 * 4_000 * 100 + 4_400 * 100  # sum of price x size
    traded = Candle("KX-A", 1, 60, 3_900, 4_000, 3_900, 4_000, 4_500, 4_600, 4_400, 4_400,
                    4_000, 4_400, 4_000, 4_400, 3_800, price_volume, 400, 300)  # fmt: skip
    body = wire(render_candle.candle(traded))
    assert body["price"]["mean_dollars"] == "0.4100"
    assert (body["price"]["open_dollars"], body["price"]["close_dollars"]) == ("0.4000", "0.4400")
    assert body["price"]["previous"] == 38
    assert (body["volume_fp"], body["open_interest_fp"]) == ("4.00", "3.00")
    assert body["yes_bid"]["close_dollars"] == "0.4000"
    quiet = Candle("KX-A", 1, 120, 4_000, 4_000, 4_000, 4_000, 4_400, 4_400, 4_400, 4_400,
                   None, None, None, None, 4_400, 0, 0, 300)  # fmt: skip
    live = wire(render_candle.candle(quiet))
    assert live["price"] == {"previous_dollars": "0.4400", "previous": 44}  # no trades
    archived = wire(render_candle.candle_historical(quiet))
    assert archived["price"]["open"] is None  # the archived shape sends null
    assert archived["price"]["previous"] == "0.4400"
    before = wire(render_candle.latest_before(traded, 60))
    assert before["yes_bid"]["open_dollars"] == before["yes_bid"]["close_dollars"] == "0.4000"
    assert before["price"]["previous_dollars"] == "0.4400"  # the last trade price
    assert before["volume_fp"] == "0.00"


def test_order_groups() -> None:
    armed = GroupView("g-1", "ann", 0, 2_500, False, ("o-1", "o-2"))
    assert wire(render_group.group(armed)) == {
        "id": "g-1",
        "contracts_limit_fp": "25.00",
        "is_auto_cancel_enabled": True,
        "exchange_index": 0,
    }
    detail = wire(render_group.group_detail(GroupView("g-2", "ann", 0, None, False, ())))
    assert detail["is_auto_cancel_enabled"] is False  # no limit: nothing to trigger
    assert "contracts_limit_fp" not in detail
    assert detail["orders"] == []
    tripped = wire(render_group.group_detail(GroupView("g-1", "ann", 0, 2_500, True, ())))
    assert tripped["is_auto_cancel_enabled"] is False
    created = OrderGroupUpdate(T0, "g-1", "ann", 0, "created", 2_500)
    assert wire(render_group.group_message(created)) == {
        "event_type": "created",
        "order_group_id": "g-1",
        "ts_ms": T0_MS,
        "contracts_limit_fp": "25.00",
    }
    triggered = OrderGroupUpdate(T0, "g-1", "ann", 0, "triggered", 2_500)
    assert "contracts_limit_fp" not in wire(render_group.group_message(triggered))


def test_api_keys_hide_the_operator_scope() -> None:
    view = ApiKeyView("k-1", "op", "operator", "PEM", "rsa", ("admin", "read", "write"), None, T0)
    assert wire(render_key.api_key(view)) == {
        "api_key_id": "k-1",
        "name": "operator",
        "scopes": ["read", "write"],
    }
