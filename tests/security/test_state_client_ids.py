"""``client_order_id`` dedupe has a bounded retention (issue 10, "Medium"; decision 0016).

Before, the engine kept every client id ever used, so its memory and its snapshots grew
with every order ever placed. Kalshi's FIX spec says a ClOrdID "must not match any open
orders"; Augury reserves an id while its order is open and afterwards while it is among
its user's last ``CLIENT_IDS_RETAINED`` (1,000) retired ids, so a retry soon after an
immediate-or-cancel or a fill still answers ``order_already_exists`` and the reservation
costs at most 1,000 ids per user beyond the open orders.
"""

from __future__ import annotations

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.state import state_digest
from tests.engine.market_setup import one_market

DOLLAR = 10_000
CLIENT_IDS_RETAINED = 1_000  # decision 0016


Timed = tuple[int, c.Command]  # a command and the time it is applied at


def _setup() -> list[Timed]:
    return [(0, command) for command in one_market({"alice": 1_000 * DOLLAR})]


def _order(coid: str, tif: str = "immediate_or_cancel", ts_ns: int = 1) -> Timed:
    return ts_ns, c.PlaceOrder(
        user_id="alice",
        ticker="M",
        side="bid",
        price_cc=1_000,
        count_c=100,
        time_in_force=tif,  # type: ignore[arg-type]
        client_order_id=coid,
    )


def _run(commands: list[Timed]) -> tuple[Exchange, list[RejectReason | None]]:
    exchange = Exchange()
    reasons = []
    for ts_ns, command in commands:
        reject = exchange.apply(command, ts_ns).reject
        reasons.append(reject.reason if reject is not None else None)
    return exchange, reasons


def test_an_id_is_reserved_while_open_and_for_the_next_retired_ids() -> None:
    setup = _setup()
    flood = [_order(f"flood-{i}") for i in range(CLIENT_IDS_RETAINED)]
    commands: list[Timed] = [
        *setup,
        _order("open", "good_till_canceled"),
        _order("open"),  # the order is open: refused
        _order("ioc"),  # cancelled at once (nothing to fill), its id retired
        _order("ioc"),  # a retry soon after: still refused
        *flood[:-1],
        _order("ioc"),  # 999 more retired: still reserved
        flood[-1],
        _order("ioc"),  # the 1,000th more retired releases it
        _order("open"),  # an open order's id is never released
    ]
    _, reasons = _run(commands)
    tail = reasons[len(setup) :]
    exists = RejectReason.ORDER_ALREADY_EXISTS
    assert tail[:4] == [None, exists, None, exists]
    assert tail[-4:] == [exists, None, None, exists]


def test_memory_is_bounded_by_the_retention_not_by_history() -> None:
    orders = [_order(f"c{i}") for i in range(3 * CLIENT_IDS_RETAINED)]
    exchange, reasons = _run([*_setup(), *orders])
    assert all(reason is None for reason in reasons)
    assert len(exchange.client_ids) == CLIENT_IDS_RETAINED
    assert next(iter(exchange.retired_client_ids["alice"])) == f"c{2 * CLIENT_IDS_RETAINED}"


def test_amended_away_ids_are_retired_and_replay_is_deterministic() -> None:
    commands: list[Timed] = [*_setup(), _order("first", "good_till_canceled")]
    exchange, _ = _run(commands)
    (order_id,) = exchange.orders
    amend = (
        2,
        c.AmendOrder(
            user_id="alice",
            order_id=order_id,
            ticker="M",
            side="bid",
            price_cc=1_000,
            count_c=100,
            updated_client_order_id="second",
        ),
    )
    commands += [amend, _order("first"), _order("second")]
    exchange, reasons = _run(commands)
    exists = RejectReason.ORDER_ALREADY_EXISTS
    assert reasons[-3:] == [None, exists, exists]
    assert list(exchange.retired_client_ids["alice"]) == ["first"]
    again, _ = _run(commands)
    assert state_digest(again) == state_digest(exchange)
