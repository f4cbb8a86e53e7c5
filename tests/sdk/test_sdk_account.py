"""The official SDK against the in-process app: API keys, order groups, queue positions,
subaccounts and account limits, asserting values (not just shapes).

Each area trades on its own market of the test catalog so the areas do not disturb one
another's books.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kalshi_python_sync.exceptions import (
    BadRequestException,
    ConflictException,
    ForbiddenException,
    NotFoundException,
    UnauthorizedException,
)

from augury.api.auth import generate_key_pair
from tests.inprocess import InProcessExchange, Key

GROUPS_MARKET = "KXTEST-26DEC-T3"
QUEUE_MARKET = "KXTEST-26DEC-T2"
EVENT = "KXTEST-26DEC"


@pytest.fixture(scope="module")
def alice_key(server: InProcessExchange) -> Key:
    return server.user("alice", "1000")


@pytest.fixture(scope="module")
def alice(server: InProcessExchange, alice_key: Key) -> Any:
    return server.sdk(alice_key)


@pytest.fixture(scope="module")
def bob(server: InProcessExchange) -> Any:
    return server.sdk(server.user("bob", "1000", key_type="ed25519"))


def order(sdk: Any, **kw: Any) -> Any:
    args = {"time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross"}
    args.update(kw)
    return sdk.create_order_v2(**args)


# --- API keys --------------------------------------------------------------------------


def test_api_keys_upload_generate_list_and_delete(
    server: InProcessExchange, alice: Any, bob: Any
) -> None:
    first = alice.get_api_keys().api_keys
    assert [(k.name, k.scopes, k.subaccount) for k in first] == [("alice", ["read", "write"], None)]

    private_pem, public_pem = generate_key_pair("rsa")
    uploaded = alice.create_api_key(name="reader", public_key=public_pem, scopes=["read"])
    reader = server.sdk(Key(uploaded.api_key_id, private_pem))
    assert reader.get_balance().balance == 100_000
    with pytest.raises(ForbiddenException):
        order(reader, ticker=GROUPS_MARKET, side="bid", count="1", price="0.10")
    with pytest.raises(ForbiddenException):  # a read-only key cannot mint keys
        reader.generate_api_key(name="escalate")

    ed_private, ed_public = generate_key_pair("ed25519")
    ed_id = alice.create_api_key(name="ed", public_key=ed_public).api_key_id
    assert server.sdk(Key(ed_id, ed_private)).get_balance().balance == 100_000

    generated = alice.generate_api_key(name="gen-ed", key_type="ed25519")
    assert generated.key_type == "ed25519"
    assert generated.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert (
        server.sdk(Key(generated.api_key_id, generated.private_key)).get_balance().balance
        == 100_000
    )
    rsa = alice.generate_api_key(name="gen-rsa", scopes=["read", "write"])
    assert rsa.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")

    listed = {k.api_key_id: (k.name, k.scopes) for k in alice.get_api_keys().api_keys}
    assert listed[uploaded.api_key_id] == ("reader", ["read"])
    assert listed[ed_id] == ("ed", ["read", "write"])
    assert listed[generated.api_key_id] == ("gen-ed", ["read", "write"])
    assert listed[rsa.api_key_id] == ("gen-rsa", ["read", "write"])
    assert not set(listed) & {k.api_key_id for k in bob.get_api_keys().api_keys}
    assert alice.get_api_keys(fcm_subtrader_id="alice_1").api_keys == []

    assert alice.delete_api_key(api_key=uploaded.api_key_id) is None
    with pytest.raises(UnauthorizedException):
        reader.get_balance()
    assert uploaded.api_key_id not in {k.api_key_id for k in alice.get_api_keys().api_keys}
    with pytest.raises(NotFoundException):
        alice.delete_api_key(api_key=uploaded.api_key_id)
    with pytest.raises(NotFoundException):  # someone else's key
        bob.delete_api_key(api_key=ed_id)


def test_api_key_requests_are_validated(alice: Any) -> None:
    _, public_pem = generate_key_pair("rsa")
    with pytest.raises(BadRequestException):  # write needs read
        alice.create_api_key(name="w", public_key=public_pem, scopes=["write"])
    with pytest.raises(BadRequestException):
        alice.create_api_key(name="bad", public_key="-----BEGIN PUBLIC KEY-----\nnope\n")
    with pytest.raises(BadRequestException):  # no such subaccount
        alice.generate_api_key(name="sub", subaccount=9)


# --- order groups ----------------------------------------------------------------------


def test_order_group_lifecycle(alice: Any, bob: Any) -> None:
    created = alice.create_order_group(contracts_limit=5)
    group_id = created.order_group_id
    assert (created.subaccount, created.exchange_index) == (0, 0)
    listed = {g.id: g for g in alice.get_order_groups().order_groups}
    assert listed[group_id].contracts_limit_fp == "5.00"
    assert listed[group_id].is_auto_cancel_enabled is True
    assert group_id not in {g.id for g in bob.get_order_groups().order_groups or []}

    resting = order(
        alice, ticker=GROUPS_MARKET, side="bid", count="2", price="0.20", order_group_id=group_id
    )
    group = alice.get_order_group(order_group_id=group_id)
    assert group.orders == [resting.order_id]
    assert group.contracts_limit_fp == "5.00"

    assert alice.update_order_group_limit(order_group_id=group_id, contracts_limit_fp="3") == {}
    assert alice.get_order_group(order_group_id=group_id).contracts_limit_fp == "3.00"

    assert alice.trigger_order_group(order_group_id=group_id, body={}) == {}
    group = alice.get_order_group(order_group_id=group_id)
    assert (group.orders, group.is_auto_cancel_enabled) == ([], False)
    with pytest.raises(ConflictException):  # a triggered group refuses orders
        order(
            alice,
            ticker=GROUPS_MARKET,
            side="bid",
            count="1",
            price="0.20",
            order_group_id=group_id,
        )

    assert alice.reset_order_group(order_group_id=group_id) == {}
    assert alice.get_order_group(order_group_id=group_id).is_auto_cancel_enabled is True
    again = order(
        alice, ticker=GROUPS_MARKET, side="bid", count="1", price="0.20", order_group_id=group_id
    )
    assert alice.get_order_group(order_group_id=group_id).orders == [again.order_id]

    with pytest.raises(NotFoundException):
        bob.get_order_group(order_group_id=group_id)
    with pytest.raises(NotFoundException):
        alice.get_order_group(order_group_id=group_id, subaccount=1)
    assert alice.delete_order_group(order_group_id=group_id) == {}
    with pytest.raises(NotFoundException):
        alice.get_order_group(order_group_id=group_id)
    with pytest.raises(NotFoundException):  # deleting the group cancelled its order
        alice.get_order_queue_position(order_id=again.order_id)


def test_order_group_triggers_when_fills_reach_the_limit(alice: Any, bob: Any) -> None:
    group_id = alice.create_order_group(contracts_limit_fp="3.00").order_group_id
    first = order(
        alice, ticker=GROUPS_MARKET, side="bid", count="5", price="0.40", order_group_id=group_id
    )
    second = order(
        alice, ticker=GROUPS_MARKET, side="bid", count="2", price="0.39", order_group_id=group_id
    )
    assert alice.get_order_group(order_group_id=group_id).orders == [
        first.order_id,
        second.order_id,
    ]
    sold = order(
        bob,
        ticker=GROUPS_MARKET,
        side="ask",
        count="3",
        price="0.40",
        time_in_force="immediate_or_cancel",
    )
    assert sold.fill_count == "3.00"
    group = alice.get_order_group(order_group_id=group_id)
    assert (group.orders, group.is_auto_cancel_enabled) == ([], False)
    alice.delete_order_group(order_group_id=group_id)


def test_order_group_requests_are_validated(alice: Any) -> None:
    with pytest.raises(BadRequestException):
        alice.create_order_group(contracts_limit=2, contracts_limit_fp="3.00")
    with pytest.raises(BadRequestException):
        alice.create_order_group(contracts_limit_fp="0")
    group_id = alice.create_order_group().order_group_id
    group = alice.get_order_group(order_group_id=group_id)
    assert (group.contracts_limit_fp, group.is_auto_cancel_enabled) == (None, False)
    with pytest.raises(BadRequestException):
        alice.update_order_group_limit(order_group_id=group_id)
    alice.delete_order_group(order_group_id=group_id)


# --- queue positions -------------------------------------------------------------------


def test_queue_positions(alice: Any, bob: Any) -> None:
    ahead = order(bob, ticker=QUEUE_MARKET, side="bid", count="4", price="0.30")
    a1 = order(alice, ticker=QUEUE_MARKET, side="bid", count="3", price="0.30")
    a2 = order(alice, ticker=QUEUE_MARKET, side="bid", count="2", price="0.30")
    top = order(alice, ticker=QUEUE_MARKET, side="bid", count="1", price="0.31")
    assert alice.get_order_queue_position(order_id=a1.order_id).queue_position_fp == "4.00"
    assert alice.get_order_queue_position(order_id=a2.order_id).queue_position_fp == "7.00"
    assert alice.get_order_queue_position(order_id=top.order_id).queue_position_fp == "0.00"

    expected = {a1.order_id: "4.00", a2.order_id: "7.00", top.order_id: "0.00"}
    by_market = alice.get_order_queue_positions(market_tickers=QUEUE_MARKET).queue_positions
    assert {q.order_id: q.queue_position_fp for q in by_market} == expected
    assert {q.market_ticker for q in by_market} == {QUEUE_MARKET}
    by_event = alice.get_order_queue_positions(event_ticker=EVENT).queue_positions
    assert {q.order_id: q.queue_position_fp for q in by_event if q.order_id in expected} == expected
    other = alice.get_order_queue_positions(market_tickers="KXMAKER-26DEC-B1").queue_positions
    assert other == []

    bob.cancel_order_v2(order_id=ahead.order_id)
    assert alice.get_order_queue_position(order_id=a2.order_id).queue_position_fp == "3.00"
    with pytest.raises(NotFoundException):  # someone else's order
        bob.get_order_queue_position(order_id=a1.order_id)
    with pytest.raises(NotFoundException):  # no longer resting
        alice.get_order_queue_position(order_id=ahead.order_id)


# --- subaccounts -----------------------------------------------------------------------


def test_subaccounts_transfers_and_balances(server: InProcessExchange) -> None:
    carol = server.sdk(server.user("carol", "100"))
    assert carol.create_subaccount().subaccount_number == 1
    assert carol.create_subaccount().subaccount_number == 2

    transfer_id = str(uuid.uuid4())
    assert (
        carol.apply_subaccount_transfer(
            client_transfer_id=transfer_id, from_subaccount=0, to_subaccount=1, amount_cents=2500
        )
        == {}
    )
    balances = carol.get_subaccount_balances().subaccount_balances
    assert [(b.subaccount_number, b.balance, b.exchange_index) for b in balances] == [
        (0, "75.0000", 0),
        (1, "25.0000", 0),
        (2, "0.0000", 0),
    ]
    assert carol.get_balance(subaccount=1).balance == 2500
    with pytest.raises(ConflictException):  # the same client_transfer_id again
        carol.apply_subaccount_transfer(
            client_transfer_id=transfer_id, from_subaccount=0, to_subaccount=1, amount_cents=1
        )
    with pytest.raises(BadRequestException):  # more than subaccount 1 holds
        carol.apply_subaccount_transfer(
            client_transfer_id=str(uuid.uuid4()),
            from_subaccount=1,
            to_subaccount=2,
            amount_cents=2501,
        )
    with pytest.raises(BadRequestException):  # subaccount 5 was never opened
        carol.apply_subaccount_transfer(
            client_transfer_id=str(uuid.uuid4()),
            from_subaccount=0,
            to_subaccount=5,
            amount_cents=1,
        )
    assert [b.balance for b in carol.get_subaccount_balances().subaccount_balances] == [
        "75.0000",
        "25.0000",
        "0.0000",
    ]
    for cents in (100, 200):
        carol.apply_subaccount_transfer(
            client_transfer_id=str(uuid.uuid4()),
            from_subaccount=1,
            to_subaccount=2,
            amount_cents=cents,
        )

    page = carol.get_subaccount_transfers(limit=2)
    assert [(t.from_subaccount, t.to_subaccount, t.amount_cents) for t in page.transfers] == [
        (1, 2, 200),
        (1, 2, 100),
    ]
    assert page.cursor
    rest = carol.get_subaccount_transfers(limit=2, cursor=page.cursor)
    assert [(t.transfer_id, t.amount_cents, t.exchange_index) for t in rest.transfers] == [
        (transfer_id, 2500, 0)
    ]
    assert rest.cursor == ""
    assert rest.transfers[0].created_ts > 1_700_000_000


def test_transfers_and_subaccounts_survive_a_restart(server: InProcessExchange) -> None:
    key = server.user("gina", "20")
    gina = server.sdk(key)
    gina.create_subaccount()
    transfer_id = str(uuid.uuid4())
    gina.apply_subaccount_transfer(
        client_transfer_id=transfer_id, from_subaccount=0, to_subaccount=1, amount_cents=700
    )
    server.restart()
    gina = server.sdk(key)
    listed = gina.get_subaccount_transfers().transfers
    assert [
        (t.transfer_id, t.from_subaccount, t.to_subaccount, t.amount_cents) for t in listed
    ] == [(transfer_id, 0, 1, 700)]
    assert [b.balance for b in gina.get_subaccount_balances().subaccount_balances] == [
        "13.0000",
        "7.0000",
    ]
    with pytest.raises(ConflictException):  # the id is still spent after the restart
        gina.apply_subaccount_transfer(
            client_transfer_id=transfer_id, from_subaccount=0, to_subaccount=1, amount_cents=700
        )


def test_subaccount_netting_is_reported_off_and_cannot_be_enabled(
    server: InProcessExchange,
) -> None:
    dave = server.sdk(server.user("dave", "10"))
    dave.create_subaccount()
    configs = dave.get_subaccount_netting().netting_configs
    assert [(c.subaccount_number, c.enabled, c.exchange_index) for c in configs] == [
        (0, False, 0),
        (1, False, 0),
    ]
    with pytest.raises(BadRequestException) as refused:
        dave.update_subaccount_netting(subaccount_number=1, enabled=True)
    assert "does not net" in (refused.value.body or "")
    assert dave.update_subaccount_netting(subaccount_number=1, enabled=False) is None
    with pytest.raises(BadRequestException):
        dave.update_subaccount_netting(subaccount_number=7, enabled=False)


def test_a_subaccount_restricted_key_stays_on_its_subaccount(server: InProcessExchange) -> None:
    erin = server.sdk(server.user("erin", "50"))
    erin.create_subaccount()
    erin.apply_subaccount_transfer(
        client_transfer_id=str(uuid.uuid4()), from_subaccount=0, to_subaccount=1, amount_cents=500
    )
    bound = erin.generate_api_key(name="sub1", subaccount=1)
    assert {k.api_key_id: k.subaccount for k in erin.get_api_keys().api_keys}[bound.api_key_id] == 1
    restricted = server.sdk(Key(bound.api_key_id, bound.private_key))
    balances = restricted.get_subaccount_balances().subaccount_balances
    assert [(b.subaccount_number, b.balance) for b in balances] == [(1, "5.0000")]
    with pytest.raises(ForbiddenException):
        restricted.create_subaccount()
    with pytest.raises(ForbiddenException):
        restricted.apply_subaccount_transfer(
            client_transfer_id=str(uuid.uuid4()),
            from_subaccount=1,
            to_subaccount=0,
            amount_cents=1,
        )
    with pytest.raises(ForbiddenException):
        restricted.generate_api_key(name="escape")
    group = restricted.create_order_group(contracts_limit=1)
    assert group.subaccount == 1


# --- account limits --------------------------------------------------------------------


def test_account_limits_and_endpoint_costs(server: InProcessExchange) -> None:
    frank = server.sdk(server.user("frank", "10"))
    limits = frank.get_account_api_limits()
    assert limits.usage_tier == "prestige"  # the server default for users never upgraded
    assert (limits.read.refill_rate, limits.read.bucket_capacity) == (10_000, 10_000)
    assert (limits.write.refill_rate, limits.write.bucket_capacity) == (8_000, 16_000)
    assert limits.grants == []
    server.admin("POST", "/users/frank/tier", {"tier": "advanced"})
    limits = frank.get_account_api_limits()
    assert limits.usage_tier == "advanced"
    assert (limits.read.refill_rate, limits.read.bucket_capacity) == (300, 600)
    assert (limits.write.refill_rate, limits.write.bucket_capacity) == (300, 600)

    costs = frank.get_account_endpoint_costs()
    assert costs.default_cost == 10
    table = {(e.method, e.path): e.cost for e in costs.endpoint_costs}
    assert table[("DELETE", "/trade-api/v2/portfolio/events/orders/batched")] == 2
    assert table[("DELETE", "/trade-api/v2/portfolio/events/orders/:order_id")] == 2
