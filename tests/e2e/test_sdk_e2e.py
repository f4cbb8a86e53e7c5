"""The official kalshi-python-sync 3.34.0 SDK against the real server, asserting values.

Every call here goes through the SDK's own signing and its strict pydantic models, so a
wrong JSON type, a missing required key or a wrong success status fails the test (the SDK
raises, or silently returns None for an unexpected 2xx). Endpoints are added here as the
server grows; this file covers what the server serves today.
"""

from __future__ import annotations

from typing import Any

import pytest
from kalshi_python_sync.exceptions import (
    BadRequestException,
    ConflictException,
    ForbiddenException,
    NotFoundException,
    UnauthorizedException,
)

from tests.e2e.server_harness import Server

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process

M1, M2 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2"


@pytest.fixture(scope="module")
def alice(server: Server) -> Any:
    return server.sdk(*server.user("alice", "1000"))


@pytest.fixture(scope="module")
def bob(server: Server) -> Any:
    return server.sdk(*server.user("bob", "1000", key_type="ed25519"))


def order(sdk: Any, **kw: Any) -> Any:
    args = {"time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross"}
    args.update(kw)
    return sdk.create_order_v2(**args)


def test_exchange_status_is_open(alice: Any) -> None:
    status = alice.get_exchange_status()
    assert status.exchange_active is True
    assert status.trading_active is True


def test_markets_list_filters_and_pages(alice: Any) -> None:
    page = alice.get_markets(limit=2, status="open")
    assert [m.ticker for m in page.markets] == ["KXMAKER-26DEC-B1", M1]
    assert page.cursor == M1
    rest = alice.get_markets(limit=2, status="open", cursor=page.cursor)
    assert [m.ticker for m in rest.markets] == [M2, "KXTEST-26DEC-T3"]
    assert rest.cursor == ""
    assert {m.ticker for m in alice.get_markets(event_ticker="KXTEST-26DEC").markets} == {
        M1,
        M2,
        "KXTEST-26DEC-T3",
    }
    assert alice.get_markets(status="settled").markets == []


def test_single_market_shape(alice: Any) -> None:
    market = alice.get_market(ticker=M1).market
    assert market.status == "active"
    assert market.yes_sub_title == "Above 1"
    assert market.price_level_structure == "linear_cent"
    assert market.price_ranges[0].step == "0.0100"
    assert market.settlement_bounds_type == "default"


def test_unknown_market_is_404(alice: Any) -> None:
    with pytest.raises(NotFoundException):
        alice.get_market(ticker="NOPE")


def test_trade_round_trip_balances_positions_books(server: Server, alice: Any, bob: Any) -> None:
    rested = order(alice, ticker=M1, side="bid", count="10", price="0.56", client_order_id="e2e-1")
    assert rested.fill_count == "0.00"
    assert rested.remaining_count == "10.00"
    book = alice.get_market_orderbook(ticker=M1).orderbook_fp
    assert book.yes_dollars == [["0.5600", "10.00"]]
    assert book.no_dollars == []

    taken = order(
        bob, ticker=M1, side="ask", count="4", price="0.50", time_in_force="immediate_or_cancel"
    )
    assert taken.fill_count == "4.00"
    assert taken.remaining_count == "0.00"
    assert taken.average_fill_price == "0.5600"  # price improvement: the maker's price
    # Taker fee 0.07 * 4 * 0.56 * 0.44 = $0.068992 -> $0.0690, i.e. $0.01725 a contract.
    assert taken.average_fee_paid == "0.0172"

    # bob bought 4 NO at $0.44 and paid the fee, floored to the cent: 1000 - 1.76 - 0.069 -> 998.17
    assert bob.get_balance().balance == 99817
    positions = bob.get_positions()
    assert [(p.ticker, p.position_fp) for p in positions.market_positions] == [(M1, "-4.00")]
    assert positions.event_positions[0].event_ticker == "KXTEST-26DEC"

    # alice's 6 remaining contracts still rest; her reserve covers them.
    books = alice.get_market_orderbooks(tickers=[M1, M2]).orderbooks
    assert [b.ticker for b in books] == [M1, M2]
    assert books[0].orderbook_fp.yes_dollars == [["0.5600", "6.00"]]
    market = alice.get_market(ticker=M1).market
    assert (market.yes_bid_dollars, market.yes_bid_size_fp) == ("0.5600", "6.00")
    assert market.last_price_dollars == "0.5600"
    assert market.volume_fp == "4.00"
    assert market.open_interest_fp == "4.00"

    amended = alice.amend_order_v2(
        order_id=rested.order_id, ticker=M1, side="bid", price="0.55", count="8"
    )
    assert amended.fill_count == "4.00"
    assert amended.remaining_count == "4.00"
    decreased = alice.decrease_order_v2(order_id=rested.order_id, reduce_by="1")
    assert decreased.remaining_count == "3.00"
    cancelled = alice.cancel_order_v2(order_id=rested.order_id)
    assert cancelled.reduced_by == "3.00"
    assert alice.get_market_orderbook(ticker=M1).orderbook_fp.yes_dollars == []


def test_duplicate_client_order_id_is_409_and_changes_nothing(alice: Any) -> None:
    order(alice, ticker=M2, side="bid", count="1", price="0.10", client_order_id="dup-1")
    before = alice.get_balance().balance
    with pytest.raises(ConflictException) as raised:
        order(alice, ticker=M2, side="bid", count="1", price="0.10", client_order_id="dup-1")
    assert '"order_already_exists"' in (raised.value.body or "")
    assert alice.get_balance().balance == before


def test_bad_input_is_400_with_kalshi_code(alice: Any) -> None:
    with pytest.raises(BadRequestException) as off_grid:
        order(alice, ticker=M2, side="bid", count="1", price="0.555")
    assert '"invalid_parameters"' in (off_grid.value.body or "")
    with pytest.raises(BadRequestException) as fractional:
        order(alice, ticker=M2, side="bid", count="1.5", price="0.55")
    assert '"invalid_order_size"' in (fractional.value.body or "")
    with pytest.raises(BadRequestException) as broke:
        order(alice, ticker=M2, side="bid", count="100000", price="0.99")
    assert '"insufficient_balance"' in (broke.value.body or "")


def test_unknown_order_cancel_is_404(alice: Any) -> None:
    with pytest.raises(NotFoundException):
        alice.cancel_order_v2(order_id="no-such-order")


def test_batch_create_and_cancel(alice: Any) -> None:
    created = alice.batch_create_orders_v2(
        orders=[
            {
                "ticker": M2,
                "side": "bid",
                "count": "2",
                "price": "0.20",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            },
            {
                "ticker": M2,
                "side": "bid",
                "count": "2",
                "price": "0.205",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            },
        ]
    ).orders
    assert created[0].order_id
    assert created[0].remaining_count == "2.00"
    assert created[1].order_id is None
    assert created[1].error.code == "invalid_parameters"
    cancelled = alice.batch_cancel_orders_v2(
        orders=[
            {"order_id": created[0].order_id},
            {"order_id": "nope"},
        ]
    ).orders
    assert cancelled[0].reduced_by == "2.00"
    assert cancelled[1].error.code == "not_found"


def test_cancel_all_is_204(alice: Any) -> None:
    order(alice, ticker=M2, side="bid", count="1", price="0.11")
    assert alice.cancel_all_orders() is None
    assert alice.get_market_orderbook(ticker=M2).orderbook_fp.yes_dollars == []


def test_resting_order_value_and_user_timestamp(alice: Any) -> None:
    order(alice, ticker="KXTEST-26DEC-T3", side="bid", count="2", price="0.30")
    # 2 x $0.30 + fee bound 2 x $0.0147 + 1 cent of rounding allowance -> $0.64
    assert alice.get_portfolio_resting_order_total_value().total_resting_order_value == 64
    assert alice.get_user_data_timestamp().as_of_time is not None


def test_bad_signature_is_401(server: Server, alice: Any) -> None:
    key_id, _ = server.user("mallory", "1")
    _, other_pem = server.user("trent", "1")
    with pytest.raises(UnauthorizedException):
        server.sdk(key_id, other_pem).get_balance()


def test_operator_endpoints_refuse_user_keys(server: Server) -> None:
    key_id, pem = server.user("eve", "1")
    response = server.signed("GET", "/admin/v1/users", key_id, pem)
    assert response.status_code == 403


def test_read_only_key_cannot_trade(server: Server) -> None:
    server.admin("POST", "/users", {"name": "reader", "deposit": "10"})
    key = server.admin("POST", "/keys/generate", {"user": "reader", "scopes": ["read"]})
    sdk = server.sdk(key["api_key_id"], key["private_key"])
    assert sdk.get_balance().balance == 1000
    with pytest.raises(ForbiddenException):
        order(sdk, ticker=M2, side="bid", count="1", price="0.10")
