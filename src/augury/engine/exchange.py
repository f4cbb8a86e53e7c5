"""The exchange state machine: one pure, deterministic function of its command log.

``Exchange`` holds the whole state; ``Exchange.apply(command, ts_ns)`` is the only way to
change it. It checks the command against the current state, then either refuses it with a
``Reject`` and changes nothing at all (not even the clock), or applies it completely and
returns the events it caused and its typed result (``engine/results.py``). Time comes
with the command's envelope (``ts_ns``, stamped by the sequencer and journaled beside
the command); the engine never reads a clock, never draws a random number and mints every
id from its own ``IdAllocator``, so replaying a journal rebuilds the same state byte for
byte (``augury.engine.state.state_digest``).

``now_ns`` is the latest command time seen: it only moves forward (a command stamped
earlier applies at its own time but does not move it back), and events are stamped with
it.

The work is split by command family, one module each; each module's docstring is that
family's contract (commands handled and their results, rejects in precedence order,
events emitted, state touched), and a second implementation of the engine follows the
same split:

=================  =====================================================================
``accounts``       CreateUser, RegisterApiKey, RevokeApiKey, SetUserTier, Deposit,
                   Withdraw, CreateSubaccount, TransferCash
``catalog``        AddSeries, AddEvent, AddMarket
``lifecycle``      SetMarketState, DetermineMarket, FinalizeMarket, SetExchangeState, Tick
``placement``      PlaceOrder (and the matching core)
``amend``          AmendOrder, DecreaseOrder
``cancel``         CancelOrder, CancelAll
``groups``         CreateOrderGroup, OrderGroupAction, UpdateOrderGroupLimit
=================  =====================================================================

They share ``checks`` (look-ups that refuse), ``reserves`` (collateral), ``retire``
(cancelling and retiring orders) and ``emit`` (building events). Before any family sees
a command, ``engine/domain_check.py`` checks each of its fields against its bound: an
out-of-range value is refused with ``out_of_domain``, which therefore leads every
family's precedence (and is left out of the lists in the family modules). A ``Batch``
applies its items one by one at the batch's time; each is accepted or refused on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from augury.domain.rejects import Reject
from augury.engine import accounts, amend, cancel, catalog, groups, lifecycle, placement
from augury.engine import commands as c
from augury.engine.accounts import MAX_SUBACCOUNTS, ApiKeyInfo, UserInfo
from augury.engine.domain_check import domain_reject
from augury.engine.due import DueQueue
from augury.engine.emit import flush
from augury.engine.events import Event
from augury.engine.groups import OrderGroup
from augury.engine.ids import IdAllocator
from augury.engine.market import EventInfo, Market, SeriesInfo
from augury.engine.orders import Order
from augury.engine.placement import MAX_RESTING_ORDERS
from augury.engine.results import Outcome, refused
from augury.ledger.accounts import Ledger
from augury.ledger.collateral import OrderGroupSide

__all__ = [
    "HANDLERS",
    "MAX_RESTING_ORDERS",
    "MAX_SUBACCOUNTS",
    "ApiKeyInfo",
    "Exchange",
    "Outcome",
    "UserInfo",
]

R = TypeVar("R")


class Exchange:
    """All exchange state; ``apply`` is the only way to change it."""

    __slots__ = (
        "api_keys",
        "client_ids",
        "closed_orders",
        "collateral",
        "events",
        "expiring",
        "groups",
        "ids",
        "instance_id",
        "ledger",
        "market_due",
        "markets",
        "now_ns",
        "orders",
        "out",
        "queue_counter",
        "retired_client_ids",
        "series",
        "trading_paused",
        "transfer_ids",
        "users",
    )

    def __init__(self, instance_id: str = "augury") -> None:
        self.instance_id = instance_id
        self.ids = IdAllocator(instance_id)
        self.ledger = Ledger()
        self.users: dict[str, UserInfo] = {}
        self.api_keys: dict[str, ApiKeyInfo] = {}
        self.series: dict[str, SeriesInfo] = {}
        self.events: dict[str, EventInfo] = {}
        self.markets: dict[str, Market] = {}
        self.orders: dict[str, Order] = {}  # resting orders only
        self.client_ids: dict[tuple[str, str], str] = {}  # (user, client id) -> order id
        # Client ids of finished orders still reserved, per user, oldest first; beyond
        # CLIENT_IDS_RETAINED the oldest is released (decision 0016, engine/retire.py).
        self.retired_client_ids: dict[str, dict[str, None]] = {}
        self.groups: dict[str, OrderGroup] = {}
        self.collateral: dict[tuple[str, int, str, bool], OrderGroupSide] = {}
        # The due index (engine/due.py; derived, rebuilt on snapshot load): resting orders
        # with an expiration, order id -> expiration ts; and markets with a lifecycle step
        # ahead, ticker -> its time. A Tick takes only what is due from them.
        self.expiring: DueQueue[str] = DueQueue()
        self.market_due: DueQueue[str] = DueQueue()
        # Orders cancelled by their market's close, until it settles: id -> (ticker, owner key).
        self.closed_orders: dict[str, tuple[str, tuple[str, int]]] = {}
        self.transfer_ids: set[str] = set()
        self.trading_paused = False
        self.queue_counter = 0  # time priority: the last queue_seq given to a resting order
        self.now_ns = 0
        self.out: list[Event] = []  # the events of the command being applied

    # The engine-neutral view of the id allocator, which the native engine offers too
    # (``state.canonical_state`` and ``snapshot.dump_state`` read either engine).
    @property
    def id_counter(self) -> int:
        return self.ids.counter

    @property
    def id_prefix(self) -> str:
        return self.ids.prefix

    def __getstate__(self) -> dict[str, object]:
        # ``out`` belongs to one command being applied, not to the state.
        return {name: getattr(self, name) for name in self.__slots__ if name != "out"}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self.out = []

    def apply(self, command: c.Cmd[R], ts_ns: int) -> Outcome[R]:
        """Apply one command at time ``ts_ns``; return its events and typed result."""
        if type(command) is c.Batch:
            return cast(Outcome[R], self._apply_batch(command, ts_ns))
        out_of_domain = domain_reject(cast(c.Command, command))
        if out_of_domain is not None:
            return refused(out_of_domain, ts_ns)
        previous_now = self.now_ns
        if ts_ns > previous_now:
            self.now_ns = ts_ns
        out: list[Event] = []
        self.out = out
        ledger = self.ledger
        ledger.dirty_accounts.clear()
        ledger.dirty_positions.clear()
        try:
            value = HANDLERS[type(command)](self, command, ts_ns)
        except Reject as reject:
            assert not ledger.dirty_accounts, "a rejected command changed a balance"
            self.now_ns = previous_now  # a refusal leaves no trace, not even the clock
            return refused(reject, ts_ns)
        flush(self)
        # HANDLERS pairs each command type with the handler returning its declared result
        # (checked by tests/engine/test_handlers.py), so ``value`` is an R.
        return Outcome(out, None, cast(R, value), ts_ns)

    def _apply_batch(self, batch: c.Batch[object], ts_ns: int) -> Outcome[list[Outcome[object]]]:
        outcomes: list[Outcome[object]] = [self.apply(item, ts_ns) for item in batch.items]
        events = [event for outcome in outcomes for event in outcome.events]
        return Outcome(events, None, outcomes, ts_ns)


# Every command type but Batch, with the function of its family that applies it. A
# handler takes the exchange, the command and the command's time, returns the command's
# result and raises Reject before changing anything.
HANDLERS: dict[type, Callable[[Exchange, Any, int], object]] = {
    c.CreateUser: accounts.create_user,
    c.RegisterApiKey: accounts.register_key,
    c.RevokeApiKey: accounts.revoke_key,
    c.SetUserTier: accounts.set_tier,
    c.Deposit: accounts.deposit,
    c.Withdraw: accounts.withdraw,
    c.CreateSubaccount: accounts.create_subaccount,
    c.TransferCash: accounts.transfer,
    c.AddSeries: catalog.add_series,
    c.AddEvent: catalog.add_event,
    c.AddMarket: catalog.add_market,
    c.SetMarketState: lifecycle.set_market_state,
    c.DetermineMarket: lifecycle.determine,
    c.FinalizeMarket: lifecycle.finalize,
    c.SetExchangeState: lifecycle.set_exchange_state,
    c.Tick: lifecycle.tick,
    c.PlaceOrder: placement.place,
    c.CancelOrder: cancel.cancel,
    c.AmendOrder: amend.amend,
    c.DecreaseOrder: amend.decrease,
    c.CancelAll: cancel.cancel_all,
    c.CreateOrderGroup: groups.create_group,
    c.OrderGroupAction: groups.group_action,
    c.UpdateOrderGroupLimit: groups.update_limit,
}
