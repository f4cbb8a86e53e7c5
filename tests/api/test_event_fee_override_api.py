"""An event's fee override, end to end through the real app (decision 0058).

The operator sets, raises and clears an event's override by loading the catalog through
``POST /admin/v1/catalog`` (Kalshi's ``fee_type_override``/``fee_multiplier_override``);
trades are charged the overridden fee, and ``GET /portfolio/fills``, ``GET /events/{e}``,
``GET /events/fee_changes`` and the WebSocket ``event_fee_update`` all say what is
charged. Expected fees are computed by hand from CONTRACT §11.1 (taker
``round_up(0.07 x C x P x (1 - P)) x multiplier``, maker ``0.0175 x ...`` on
``quadratic_with_maker_fees``), to the centi-cent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from augury.api.schemas.base import rfc3339_from_ns
from tests.inprocess import V2, InProcessExchange, Key, running_exchange

EVENT, MARKET = "KXFEE-26DEC", "KXFEE-26DEC-A"
SERIES = {"ticker": "KXFEE", "title": "Fees", "fee_type": "quadratic", "fee_multiplier": 1}
MARKET_ENTRY = {
    "ticker": MARKET,
    "event_ticker": EVENT,
    "title": "A",
    "open_time": "2026-01-01T00:00:00Z",
    "close_time": "2030-01-01T00:00:00Z",
}


def _event(**override: Any) -> dict[str, Any]:
    return {"event_ticker": EVENT, "series_ticker": "KXFEE", "title": "Fee event", **override}


CATALOG = {"series": [SERIES], "events": [_event()], "markets": [MARKET_ENTRY]}


@pytest.fixture
def exchange(tmp_path: Path) -> Iterator[InProcessExchange]:
    with running_exchange(tmp_path / "data", catalog=CATALOG, rate_limits=False) as ex:
        yield ex


def _set(ex: InProcessExchange, **override: Any) -> None:
    ex.admin("POST", "/catalog", {"events": [_event(**override)]})


def _fees(ex: InProcessExchange, key: Key) -> list[tuple[str, bool, str]]:
    body = ex.ok("GET", f"{V2}/portfolio/fills", key)
    return [(f["order_id"], f["is_taker"], f["fee_cost"]) for f in body["fills"]]


def _fee_updates(got: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [g["msg"] for g in got if g["type"] == "event_fee_update"]


def test_the_override_is_charged_shown_and_announced(exchange: InProcessExchange) -> None:
    ex = exchange
    maker, taker = ex.user("maker", "1000"), ex.user("taker", "1000")
    ws = ex.websocket()
    ws.command("subscribe", {"channels": ["market_lifecycle_v2"]})
    assert ex.ok("GET", f"{V2}/events/fee_changes")["event_fee_changes"] == []

    # A bid rests under the series' rule (quadratic x1), then the operator overrides.
    bid = ex.order(maker, MARKET, "bid", "0.40", "10").json()["order_id"]
    _set(ex, fee_type_override="quadratic_with_maker_fees", fee_multiplier_override=0.5)
    set_at = rfc3339_from_ns(ex.clock.now_ns())
    assert _fee_updates(ws.barrier()) == [
        {
            "event_ticker": EVENT,
            "fee_type_override": "quadratic_with_maker_fees",
            "fee_multiplier_override": 0.5,
        }
    ]
    event = ex.ok("GET", f"{V2}/events/{EVENT}")["event"]
    assert (event["fee_type_override"], event["fee_multiplier_override"]) == (
        "quadratic_with_maker_fees",
        0.5,
    )
    assert ex.ok("GET", f"{V2}/events/fee_changes", params={"event_ticker": EVENT}) == {
        "event_fee_changes": [
            {
                "id": f"{EVENT}@{ex.clock.now_ns()}",
                "event_ticker": EVENT,
                "series_ticker": "KXFEE",
                "fee_type_override": "quadratic_with_maker_fees",
                "fee_multiplier_override": 0.5,
                "scheduled_ts": set_at,
            }
        ],
        "cursor": "",
    }
    # Loading the same catalog again changes nothing and announces nothing.
    _set(ex, fee_type_override="quadratic_with_maker_fees", fee_multiplier_override=0.5)
    assert _fee_updates(ws.barrier()) == []

    # 10 at $0.40, x0.5: taker 0.07*10*0.24*0.5 = $0.084; maker 0.0175*10*0.24*0.5 = $0.021.
    sell = ex.order(taker, MARKET, "ask", "0.40", "10", "immediate_or_cancel").json()
    assert _fees(ex, taker) == [(sell["order_id"], True, "0.0840")]
    assert _fees(ex, maker) == [(bid, False, "0.0210")]

    # Raising the override (quadratic x2) cancels the resting bid it would underfund:
    # it reserved 0.07*0.5*0.24 = $0.0084 a contract; x2 needs 0.07*2*0.24 = $0.0336.
    rest = ex.order(maker, MARKET, "bid", "0.40", "1").json()["order_id"]
    _set(ex, fee_type_override="quadratic", fee_multiplier_override=2)
    assert _fee_updates(ws.barrier()) == [
        {"event_ticker": EVENT, "fee_type_override": "quadratic", "fee_multiplier_override": 2.0}
    ]
    order = ex.ok("GET", f"{V2}/portfolio/orders/{rest}", maker)["order"]
    assert order["status"] == "canceled"
    bid = ex.order(maker, MARKET, "bid", "0.40", "10").json()["order_id"]
    sell = ex.order(taker, MARKET, "ask", "0.40", "10", "immediate_or_cancel").json()
    # x2, quadratic: taker 0.07*10*0.24*2 = $0.336; makers pay nothing.
    assert _fees(ex, taker)[0] == (sell["order_id"], True, "0.3360")
    assert _fees(ex, maker)[0] == (bid, False, "0.0000")

    # Clearing it: the series' rule again, announced with nulls, listed nowhere.
    _set(ex)
    assert _fee_updates(ws.barrier()) == [
        {"event_ticker": EVENT, "fee_type_override": None, "fee_multiplier_override": None}
    ]
    assert ex.ok("GET", f"{V2}/events/fee_changes")["event_fee_changes"] == []
    event = ex.ok("GET", f"{V2}/events/{EVENT}")["event"]
    assert "fee_type_override" not in event
    bid = ex.order(maker, MARKET, "bid", "0.40", "10").json()["order_id"]
    sell = ex.order(taker, MARKET, "ask", "0.40", "10", "immediate_or_cancel").json()
    assert _fees(ex, taker)[0] == (sell["order_id"], True, "0.1680")
    ws.close()


def test_a_malformed_override_is_refused_whole(exchange: InProcessExchange) -> None:
    before = exchange.state()
    for bad in (
        {"fee_type_override": "steep"},
        {"fee_multiplier_override": "0.12345"},
        {"fee_multiplier_override": 101},
    ):
        response = exchange.call(
            "POST", "/admin/v1/catalog", exchange.operator, {"events": [_event(**bad)]}
        )
        assert response.status_code == 400, response.text
    assert exchange.state() == before


def test_the_override_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_exchange(data, catalog=CATALOG, rate_limits=False) as ex:
        _set(ex, fee_multiplier_override=3)
    with running_exchange(data, rate_limits=False) as ex:
        changes = ex.ok("GET", f"{V2}/events/fee_changes")["event_fee_changes"]
        assert [(c["fee_type_override"], c["fee_multiplier_override"]) for c in changes] == [
            ("quadratic", 3.0)
        ]
        maker, taker = ex.user("maker", "1000"), ex.user("taker", "1000")
        ex.order(maker, MARKET, "bid", "0.50", "1")
        ex.order(taker, MARKET, "ask", "0.50", "1", "immediate_or_cancel")
        # 1 at $0.50, x3: 0.07*0.25*3 = $0.0525.
        assert [fee for _, _, fee in _fees(ex, taker)] == ["0.0525"]
