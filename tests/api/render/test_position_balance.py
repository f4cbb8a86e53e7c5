"""Positions, balances, settlements and cash movements on the wire (CONTRACT §4.5, §8.5
market_position, §11.2, §11.3): by hand."""

from __future__ import annotations

from augury.api.render import balance as render_balance
from augury.api.render import cash as render_cash
from augury.api.render import position as render_position
from augury.api.render import settlement as render_settlement
from augury.api.schemas import portfolio as wp
from augury.engine.events import PositionUpdate
from augury.queries.views import BalanceView, CashMovementRecord, PositionView, SettlementRecord
from tests.api.render.samples import T0, T0_S, T0_TEXT, wire


def _position(ticker: str, event: str, position_c: int, **more: int) -> PositionView:
    values = {
        "exposure_cc": 0,
        "realized_pnl_cc": 0,
        "fees_paid_cc": 0,
        "total_traded_cc": 0,
        "traded_c": 0,
        "resting_orders": 0,
    } | more
    return PositionView(
        "ann",
        0,
        ticker,
        event,
        position_c,
        values["exposure_cc"],
        values["realized_pnl_cc"],
        values["fees_paid_cc"],
        values["total_traded_cc"],
        values["traded_c"],
        values["resting_orders"],
        False,
        T0,
    )


# 5 NO held at $0.40 ($2.00 basis); earlier bought and sold YES: $3.1250 gross, -$0.1550.
NO_HELD = _position(
    "KX-A",
    "KX-E",
    -500,
    exposure_cc=20_000,
    realized_pnl_cc=-1_550,
    fees_paid_cc=1_200,
    total_traded_cc=51_250,
    traded_c=1_300,
    resting_orders=1,
)
YES_HELD = _position(
    "KX-B", "KX-E", 250, exposure_cc=15_000, total_traded_cc=15_000, fees_paid_cc=400
)


def test_market_position() -> None:
    body = wire(render_position.market_position(NO_HELD))
    assert (body["position_fp"], body["position"]) == ("-5.00", -5)  # negative: NO held
    assert body["market_exposure_dollars"] == "2.0000"
    assert body["total_traded_dollars"] == "5.1250"
    assert (body["realized_pnl_dollars"], body["realized_pnl"]) == ("-0.1550", -16)  # floored
    assert (body["fees_paid_dollars"], body["fees_paid"]) == ("0.1200", 12)
    assert body["last_updated_ts"] == T0_TEXT
    assert body["resting_orders_count"] == 1
    assert body["exchange_index"] == 0


def test_event_totals_live_and_historical() -> None:
    other = _position("KX-C", "KX-F", 100, total_traded_cc=5_000)
    live = [wire(e) for e in render_position.event_positions([YES_HELD, NO_HELD, other])]
    assert [e["event_ticker"] for e in live] == ["KX-E", "KX-F"]
    assert live[0]["total_cost_dollars"] == "6.6250"  # 5.1250 + 1.5000
    assert live[0]["total_cost_shares_fp"] == "7.50"  # 5 NO + 2.5 YES held
    assert live[0]["total_cost_shares"] == 7
    assert live[0]["event_exposure_dollars"] == "3.5000"
    assert live[0]["realized_pnl_dollars"] == "-0.1550"
    assert live[0]["fees_paid_dollars"] == "0.1600"
    archived = wire(render_position.event_positions([NO_HELD], historical=True)[0])
    # Settled positions hold nothing: shares and exposure are 0, legacy twins left out.
    assert archived["total_cost_shares_fp"] == "0.00"
    assert archived["event_exposure_dollars"] == "0.0000"
    assert "total_cost_shares" not in archived
    assert "event_exposure" not in archived
    assert archived["total_cost"] == 512


def test_position_message() -> None:
    update = PositionUpdate(
        T0, "ann", 3, "KX-A", -500, 20_000, -1_550, 1_200, 51_250, 1, False, 1_300
    )
    msg = wire(render_position.position_message(update))
    assert msg == {
        "user_id": "ann",
        "market_ticker": "KX-A",
        "position_fp": "-5.00",
        "position_cost_dollars": "2.0000",
        "realized_pnl_dollars": "-0.1550",
        "fees_paid_dollars": "0.1200",
        "position_fee_cost_dollars": "0.1200",
        "volume_fp": "13.00",
        "subaccount": 3,
    }


def test_balances() -> None:
    account = BalanceView("ann", 0, 1_234_500, 56_000, T0)
    body = wire(render_balance.balance(account, 250_099))
    assert (body["balance"], body["balance_dollars"]) == (12_345, "123.4500")
    assert body["portfolio_value"] == 2_500  # $25.0099 floored to the cent
    assert body["updated_ts"] == T0_S
    assert body["balance_breakdown"] == [{"exchange_index": 0, "balance": "123.4500"}]
    line = wire(render_balance.subaccount_balance(BalanceView("ann", 4, 100, 0, T0)))
    assert line == {
        "subaccount_number": 4,
        "exchange_index": 0,
        "balance": "0.0100",
        "updated_ts": T0_S,
    }
    total = wire(render_balance.resting_value(56_000))
    assert total["total_resting_order_value"] == 560  # cents
    assert total["resting_order_value_breakdown"] == [{"exchange_index": 0, "balance": "5.6000"}]


def test_settlements() -> None:
    void = SettlementRecord(
        "ann", 0, "KX-A", "KX-E", "void", 0, 500, 0, 20_000, 20_000, 1_200, None, T0, 9
    )
    body = wire(render_settlement.settlement(void))
    assert body["market_result"] == "scalar"  # no "void" on the wire
    assert body["revenue"] == 200  # integer cents: the $2.00 cost basis back
    assert (body["no_count_fp"], body["no_count"]) == ("5.00", 5)
    assert body["no_total_cost_dollars"] == "2.0000"
    assert body["fee_cost"] == "0.1200"
    assert body["settled_time"] == T0_TEXT
    assert "value" not in body
    won = SettlementRecord(
        "ann", 0, "KX-A", None, "yes", 250, 0, 15_000, 0, 25_000, 0, 10_000, T0, 9
    )
    body = wire(render_settlement.settlement(won))
    assert (body["market_result"], body["value"], body["event_ticker"]) == ("yes", 100, "")


def test_cash_movements() -> None:
    deposit = CashMovementRecord(7, "deposit", "ann", 0, 1_000_000, None, None, T0, 3)
    assert wire(render_cash.movement(deposit, wp.Deposit)) == {
        "id": "deposit-7",
        "status": "applied",
        "type": "ach",
        "amount_cents": 10_000,
        "fee_cents": 0,
        "created_ts": T0_S,
        "finalized_ts": T0_S,
    }
    move = CashMovementRecord(8, "transfer", "ann", 0, 250_000, 2, "ann/abc", T0, 4)
    assert wire(render_cash.transfer("ann", move)) == {
        "transfer_id": "abc",  # the client's id, without the per-user prefix
        "from_subaccount": 0,
        "to_subaccount": 2,
        "amount_cents": 2_500,
        "created_ts": T0_S,
        "exchange_index": 0,
    }
