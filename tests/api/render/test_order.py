"""Orders on the wire (CONTRACT §4.3 Order, §4.7 V2 write responses, §8.5 user_order,
§11.1 averages): expectations worked out by hand from the contract."""

from __future__ import annotations

from augury.api.render import order as render
from augury.queries.views import OrderRecord, QueuePosition
from tests.api.render.samples import T0, T0_MS, T0_TEXT, order_update, wire


def test_an_ask_is_a_no_order_priced_on_both_legs() -> None:
    body = wire(render.order(order_update()))
    assert body["outcome_side"] == "no"  # sell YES == buy NO
    assert body["book_side"] == "ask"
    assert (body["side"], body["action"]) == ("yes", "sell")  # the client's own words
    assert (body["yes_price_dollars"], body["no_price_dollars"]) == ("0.4400", "0.5600")
    assert (body["yes_price"], body["no_price"]) == (44, 56)  # legacy cents
    assert (body["initial_count_fp"], body["fill_count_fp"], body["remaining_count_fp"]) == (
        "10.00",
        "4.00",
        "6.00",
    )
    assert (body["initial_count"], body["fill_count"], body["remaining_count"]) == (10, 4, 6)
    assert body["taker_fill_cost_dollars"] == "2.2400"
    assert body["taker_fees_dollars"] == "0.0700"
    assert body["last_update_time"] == T0_TEXT
    assert body["created_time"] == "2026-11-24T15:04:04.250Z"
    assert body["client_order_id"] == ""  # required, even when the client gave none
    assert body["exchange_index"] == 0
    assert body["subaccount_number"] == 0
    assert "expiration_time" not in body  # optional and absent without an expiry


def test_a_stored_order_shows_its_last_update_and_expiry() -> None:
    row = OrderRecord(
        order_id="o-2",
        user_id="ann",
        subaccount=3,
        ticker="KX-A",
        event_ticker="KX-E",
        side="bid",
        price_cc=5_650,
        initial_c=250,
        fill_c=250,
        remaining_c=0,
        status="executed",
        time_in_force="good_till_canceled",
        order_type="limit",
        legacy_side="yes",
        legacy_action="buy",
        client_order_id="mine",
        order_group_id="g-1",
        self_trade_prevention="maker",
        post_only=True,
        cancel_order_on_pause=True,
        expiration_ts_ns=T0 + 60_000_000_000,
        created_ns=T0 - 2_000_000_000,
        updated_ns=T0,
        taker_fill_cost_cc=0,
        maker_fill_cost_cc=14_125,
        taker_fees_cc=0,
        maker_fees_cc=0,
    )
    body = wire(render.order(row))
    assert body["outcome_side"] == "yes"
    assert body["status"] == "executed"
    assert (body["yes_price_dollars"], body["no_price_dollars"]) == ("0.5650", "0.4350")
    assert (body["yes_price"], body["no_price"]) == (56, 43)  # floored cents
    assert (body["fill_count_fp"], body["fill_count"]) == ("2.50", 2)  # floored contracts
    assert body["last_update_time"] == T0_TEXT
    assert body["expiration_time"] == "2026-11-24T15:05:05.250Z"
    assert body["order_group_id"] == "g-1"
    assert body["self_trade_prevention_type"] == "maker"
    assert body["subaccount_number"] == 3


def test_averages_are_per_contract_yes_prices_and_fees() -> None:
    # 4 NO contracts cost $2.24: $0.56 each on the NO leg, i.e. YES $0.44; $0.07 of fees
    # is $0.0175 a contract (§11.1).
    assert render.averages(order_update()) == ("0.4400", "0.0175")
    bid = order_update(side="bid", price_cc=5_600)
    assert render.averages(bid) == ("0.5600", "0.0175")  # $2.24 / 4 on the YES leg
    assert render.averages(order_update(fill_c=0)) == (None, None)


def test_v2_write_answers() -> None:
    update = order_update(client_order_id="c-9")
    created = wire(render.created(update))
    assert created == {
        "order_id": "o-1",
        "client_order_id": "c-9",
        "fill_count": "4.00",
        "remaining_count": "6.00",
        "average_fill_price": "0.4400",
        "average_fee_paid": "0.0175",
        "ts_ms": T0_MS,
    }
    assert wire(render.batch_created(update)) == created
    unfilled = wire(render.created(order_update(fill_c=0, remaining_c=1_000)))
    assert "average_fill_price" not in unfilled  # optional, absent before any fill
    assert "client_order_id" not in unfilled  # "" is no client order id
    assert wire(render.canceled(update, 600)) == {
        "order_id": "o-1",
        "client_order_id": "c-9",
        "reduced_by": "6.00",
        "ts_ms": T0_MS,
    }
    assert wire(render.batch_canceled(update, 0))["reduced_by"] == "0.00"
    assert wire(render.decreased(update)) == {
        "order_id": "o-1",
        "client_order_id": "c-9",
        "remaining_count": "6.00",
        "ts_ms": T0_MS,
    }
    amended = wire(render.amended(update))
    assert (amended["fill_count"], amended["remaining_count"]) == ("4.00", "6.00")


def test_queue_positions() -> None:
    assert wire(render.queue_position(1_250)) == {"queue_position_fp": "12.50"}
    listed = wire(render.queue_positions([QueuePosition("o-1", "KX-A", 0)]))
    assert listed == {
        "queue_positions": [
            {"order_id": "o-1", "market_ticker": "KX-A", "queue_position_fp": "0.00"}
        ]
    }


def test_user_order_message() -> None:
    msg = wire(render.user_order_message(order_update(expiration_ts_ns=T0 + 1_000_000)))
    assert msg["outcome_side"] == "no"
    assert msg["book_side"] == "ask"
    assert msg["is_yes"] is True  # the legacy side is "yes" (a YES sell)
    assert msg["yes_price_dollars"] == "0.4400"
    assert msg["remaining_count_fp"] == "6.00"
    assert msg["created_ts_ms"] == T0_MS - 1_000
    assert msg["last_updated_ts_ms"] == T0_MS
    assert msg["expiration_ts_ms"] == T0_MS + 1
    assert msg["exchange_index"] == 0  # required by the newer spec (§8.9)
    assert msg["client_order_id"] == ""
    assert T0 // 1_000_000 == T0_MS
