"""The live index: per-user and per-market read models kept as the sequencer applies commands.

``LiveIndex.on_applied`` is a sequencer sink. It runs on the event loop right after each
command is durable and applied (and before any other sink, so the WebSocket hub and the
routes see it current), and folds the command's events into indexes keyed the way readers
ask: by user (balances, positions, resting orders, groups, keys), by market (listing,
lifecycle, book levels and queues, statistics) and by time (``due``: expiries and market
steps). A query therefore touches one user's or one market's entries, never all of them.

What it reads: the engine's **events**, plus the catalog and key commands for the data no
event carries (``AddSeries``/``AddEvent``/``AddMarket`` metadata, ``RegisterApiKey``'s
public key, ``CreateSubaccount``), plus an ``AmendOrder``'s resulting order state (an
amend that changes only metadata emits no ``OrderUpdate``). It never reads engine memory,
so a second engine implementation keeps it exact by emitting the same events. Only
``augury.queries.seed`` reads the Python engine, once, to start the index from a state
recovered from a snapshot.

Invariants (``tests/queries`` checks them against the engine after long random runs):
every view equals what the engine's own state says at the same command; the index only
changes inside ``on_applied``. It never answers wrongly: if folding a command fails (a
bug), ``failed`` is set, the index stops following, and every read of it raises
``ReadSideUnavailable`` (503) until a restart rebuilds it from the recovered state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from augury.domain.enums import FeeType
from augury.domain.event_fees import event_fee_override
from augury.domain.grid import grid_for
from augury.domain.limits import CLIENT_IDS_RETAINED
from augury.engine import commands as c
from augury.engine.events import (
    ApiKeyUpdate,
    BalanceUpdate,
    BookDelta,
    CashMovement,
    ExchangeUpdate,
    FillEvent,
    MarketUpdate,
    OrderGroupUpdate,
    OrderUpdate,
    PositionUpdate,
    SettlementEvent,
    TradeEvent,
    UserUpdate,
)
from augury.engine.exchange import Outcome
from augury.engine.results import Amended, batch_outcomes
from augury.queries.due import DueIndex
from augury.queries.markets import MarketState, due_ns
from augury.queries.views import ApiKeyView, SeriesView

__all__ = [
    "EventRecord",
    "GroupRecord",
    "LiveIndex",
    "PositionRecord",
    "ReadSideUnavailable",
    "UserRecord",
]

_RESTING = "resting"


class ReadSideUnavailable(RuntimeError):
    """The live index failed to follow a command: it answers nothing until a restart."""


class UserRecord:
    """A user as the index keeps it (resting orders are counted in ``LiveIndex``)."""

    __slots__ = ("created_ns", "name", "subaccounts", "tier", "user_id")

    def __init__(self, user_id: str, name: str, tier: str, created_ns: int) -> None:
        self.user_id = user_id
        self.name = name
        self.tier = tier
        self.subaccounts = 1
        self.created_ns = created_ns


class PositionRecord:
    """The last ``PositionUpdate`` of a position and when the ledger last moved it."""

    __slots__ = ("event", "updated_ns")

    def __init__(self, event: PositionUpdate, updated_ns: int) -> None:
        self.event = event
        self.updated_ns = updated_ns


class GroupRecord:
    """An order group and its live member orders, in the order they joined."""

    __slots__ = ("group_id", "limit_c", "orders", "subaccount", "triggered", "user_id")

    def __init__(self, group_id: str, user_id: str, subaccount: int, limit_c: int | None) -> None:
        self.group_id = group_id
        self.user_id = user_id
        self.subaccount = subaccount
        self.limit_c = limit_c
        self.triggered = False
        self.orders: dict[str, None] = {}


class EventRecord:
    """A catalog event and its markets in listing order."""

    __slots__ = (
        "created_ns",
        "event_ticker",
        "fee_changed_seq",
        "fee_since_ns",
        "markets",
        "meta",
        "mutually_exclusive",
        "series",
    )

    def __init__(
        self,
        event_ticker: str,
        series: str,
        mutually_exclusive: bool,
        meta: dict[str, object],
        created_ns: int,
    ) -> None:
        self.event_ticker = event_ticker
        self.series = series
        self.mutually_exclusive = mutually_exclusive
        self.meta = meta
        self.markets: list[str] = []
        self.created_ns = created_ns
        # Decision 0058: since when the event's fee override has been in force (None:
        # none), and the journal position of its last change (set, altered or cleared)
        # since the index began (None: none seen).
        self.fee_since_ns: int | None = None
        self.fee_changed_seq: int | None = None


class LiveIndex:
    """Everything the live read side knows; changed only by ``on_applied`` (or the seed)."""

    def __init__(self, instance_id: str) -> None:
        self.instance_id = instance_id
        self.now_ns = 0
        self.ts_ns = 0  # the time of the command being folded in
        self.seq = 0  # the journal position of the command being folded in
        self.trading_paused = False
        self.money_in_cc = 0  # deposits less withdrawals: the cash the exchange holds
        # (user, client order id) -> order id, kept as the engine keeps them: while the
        # order rests, then among the user's last CLIENT_IDS_RETAINED retired ones.
        self.client_ids: dict[tuple[str, str], str] = {}
        self.retired_client_ids: dict[str, dict[str, None]] = {}
        self.users: dict[str, UserRecord] = {}
        self.balances: dict[tuple[str, int], BalanceUpdate] = {}
        # user -> (subaccount, ticker) -> position
        self.positions: dict[str, dict[tuple[int, str], PositionRecord]] = {}
        self.orders: dict[str, OrderUpdate] = {}  # resting orders, latest state
        self.user_orders: dict[str, dict[str, None]] = {}  # user -> resting ids, oldest first
        self.groups: dict[str, GroupRecord] = {}
        self.user_groups: dict[str, dict[str, None]] = {}
        self.keys: dict[str, ApiKeyView] = {}
        self.user_keys: dict[str, dict[str, None]] = {}
        self.series: dict[str, SeriesView] = {}
        self.events: dict[str, EventRecord] = {}
        self.markets: dict[str, MarketState] = {}
        self.due = DueIndex()
        self.failed: BaseException | None = None

    # --- the sequencer sink -------------------------------------------------------------

    def on_applied(self, seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        """Fold one applied command into the indexes (sequencer sink; never blocks)."""
        if outcome.reject is not None or self.failed is not None:
            return
        self.seq = seq
        try:
            if type(command) is c.Batch:
                for item, result in zip(command.items, batch_outcomes(outcome), strict=True):
                    if result.reject is None:
                        self._leaf(item, result)
            else:
                self._leaf(command, outcome)
        except BaseException as error:
            self.failed = error
            raise

    def _leaf(self, command: c.Command, outcome: Outcome[object]) -> None:
        # Time comes with the command's envelope (``Outcome.ts_ns``), not the command.
        self.ts_ns = ts_ns = outcome.ts_ns
        if ts_ns > self.now_ns:
            self.now_ns = ts_ns
        before = _COMMANDS.get(type(command))
        if before is not None:
            before(self, command)
        handlers = _EVENTS
        for event in outcome.events:
            handler = handlers[type(event)]
            if handler is not None:
                handler(self, event)
        if type(command) is c.AmendOrder:
            # A metadata-only amend (client order id, expiry) emits no OrderUpdate; an
            # order the amend finished has had its final event already.
            amended = outcome.value
            assert isinstance(amended, Amended)
            new = amended.new
            if new.status == _RESTING:
                self._order(new)

    # --- commands (what no event carries) ---------------------------------------------------

    def _add_series(self, cmd: c.AddSeries) -> None:
        existing = self.series.get(cmd.ticker)
        if existing is not None:
            self.series[cmd.ticker] = SeriesView(
                existing.ticker,
                existing.fee_type,
                existing.fee_multiplier_e4,
                cmd.meta,
                existing.created_ns,
            )
            return
        self.series[cmd.ticker] = SeriesView(
            cmd.ticker, FeeType(cmd.fee_type), cmd.fee_multiplier_e4, cmd.meta, self.ts_ns
        )

    def _add_event(self, cmd: c.AddEvent) -> None:
        existing = self.events.get(cmd.event_ticker)
        # The engine accepted the command, so the override in its metadata is well formed.
        override = event_fee_override(cmd.meta)
        if existing is not None:
            if event_fee_override(existing.meta) != override:
                existing.fee_since_ns = self.ts_ns if override is not None else None
                existing.fee_changed_seq = self.seq
            existing.meta = cmd.meta
            return
        record = self.events[cmd.event_ticker] = EventRecord(
            cmd.event_ticker, cmd.series_ticker, cmd.mutually_exclusive, cmd.meta, self.ts_ns
        )
        if override is not None:
            record.fee_since_ns = self.ts_ns
            record.fee_changed_seq = self.seq

    def _add_market(self, cmd: c.AddMarket) -> None:
        existing = self.markets.get(cmd.ticker)
        if existing is not None:
            existing.meta = cmd.meta
            return
        grid = grid_for(cmd.price_level_structure)
        assert grid is not None, "the engine accepted a market on an unknown grid"
        self.markets[cmd.ticker] = MarketState(
            cmd.ticker,
            cmd.event_ticker,
            grid,
            fractional=cmd.fractional,
            open_ts_ns=cmd.open_ts_ns,
            close_ts_ns=cmd.close_ts_ns,
            settlement_timer_s=cmd.settlement_timer_s,
            market_type=cmd.market_type,
            meta=cmd.meta,
            created_ns=self.ts_ns,
        )
        self.events[cmd.event_ticker].markets.append(cmd.ticker)

    def _create_subaccount(self, cmd: c.CreateSubaccount) -> None:
        user = self.users[cmd.user_id]
        number = user.subaccounts
        user.subaccounts += 1
        self.balances[(cmd.user_id, number)] = BalanceUpdate(self.ts_ns, cmd.user_id, number, 0, 0)

    def _amend(self, cmd: c.AmendOrder) -> None:
        # A new client order id takes over before the amend's events, as in the engine.
        order = self.orders.get(cmd.order_id)
        new = cmd.updated_client_order_id
        if order is not None and new and new != order.client_order_id:
            self.client_ids[(cmd.user_id, new)] = cmd.order_id
            if order.client_order_id:
                self._retire_client_id(cmd.user_id, order.client_order_id)

    def _retire_client_id(self, user_id: str, client_order_id: str) -> None:
        retired = self.retired_client_ids.get(user_id)
        if retired is None:
            retired = self.retired_client_ids[user_id] = {}
        retired[client_order_id] = None
        if len(retired) > CLIENT_IDS_RETAINED:
            oldest = next(iter(retired))
            del retired[oldest]
            del self.client_ids[(user_id, oldest)]

    def _register_key(self, cmd: c.RegisterApiKey) -> None:
        self.keys[cmd.api_key_id] = ApiKeyView(
            cmd.api_key_id,
            cmd.user_id,
            cmd.name,
            cmd.public_key_pem,
            cmd.key_type,
            tuple(cmd.scopes),
            cmd.subaccount,
            self.ts_ns,
        )
        self.user_keys.setdefault(cmd.user_id, {})[cmd.api_key_id] = None

    # --- events --------------------------------------------------------------------------

    def _order(self, ev: OrderUpdate) -> None:
        previous = self.orders.get(ev.order_id)
        if previous is None and ev.client_order_id:
            key = (ev.user_id, ev.client_order_id)
            if key not in self.client_ids:  # a new order (its first event)
                self.client_ids[key] = ev.order_id
        if ev.status == _RESTING:
            self._resting(ev, previous)
            return
        if ev.client_order_id:
            self._retire_client_id(ev.user_id, ev.client_order_id)
        if previous is not None:
            self._finished(ev, previous)

    def _resting(self, ev: OrderUpdate, previous: OrderUpdate | None) -> None:
        order_id = ev.order_id
        market = self.markets[ev.ticker]
        self.orders[order_id] = ev
        if previous is None:
            self.user_orders.setdefault(ev.user_id, {})[order_id] = None
            market.enqueue(ev)
            if ev.order_group_id is not None:
                group = self.groups.get(ev.order_group_id)
                if group is not None:
                    group.orders[order_id] = None
        elif previous.queue_seq == ev.queue_seq and previous.price_cc == ev.price_cc:
            market.requeue_in_place(ev)
        else:  # re-priced or grown by an amend: it went to the back of a queue
            market.dequeue(previous)
            market.enqueue(ev)
        if previous is None or previous.expiration_ts_ns != ev.expiration_ts_ns:
            self.due.set(("order", order_id), ev.expiration_ts_ns)

    def _finished(self, ev: OrderUpdate, previous: OrderUpdate) -> None:
        order_id = ev.order_id
        del self.orders[order_id]
        mine = self.user_orders[ev.user_id]
        del mine[order_id]
        if not mine:
            del self.user_orders[ev.user_id]
        self.markets[ev.ticker].dequeue(previous)
        if previous.order_group_id is not None:
            group = self.groups.get(previous.order_group_id)
            if group is not None:
                group.orders.pop(order_id, None)
        if previous.expiration_ts_ns is not None:
            self.due.set(("order", order_id), None)

    def _book_delta(self, ev: BookDelta) -> None:
        self.markets[ev.ticker].apply_delta(ev.side == "bid", ev.price_cc, ev.delta_c)

    def _trade(self, ev: TradeEvent) -> None:
        market = self.markets[ev.ticker]
        market.volume_c += ev.count_c
        market.last_price_cc = ev.price_cc
        market.last_trade_ns = ev.ts_ns

    def _position(self, ev: PositionUpdate) -> None:
        mine = self.positions.get(ev.user_id)
        if mine is None:
            mine = self.positions[ev.user_id] = {}
        key = (ev.subaccount, ev.ticker)
        record = mine.get(key)
        held = ev.position_c
        if record is None:
            mine[key] = PositionRecord(ev, ev.ts_ns)
            if held > 0:
                self.markets[ev.ticker].open_interest_c += held
            return
        old = record.event
        # The ledger moves a position's time when it fills (``traded_c`` grows) or
        # settles, not when only its resting-order count changes.
        if ev.traded_c != old.traded_c or ev.settled != old.settled:
            record.updated_ns = ev.ts_ns
        # Open interest is the YES held: each position moves it by its change of max(., 0).
        # Settling flattens positions after the market's "settled" update zeroed it.
        before = old.position_c
        if held != before and (held > 0 or before > 0) and not ev.settled:
            self.markets[ev.ticker].open_interest_c += max(held, 0) - max(before, 0)
        record.event = ev

    def _balance(self, ev: BalanceUpdate) -> None:
        self.balances[(ev.user_id, ev.subaccount)] = ev

    def _cash(self, ev: CashMovement) -> None:
        if ev.kind == "deposit":
            self.money_in_cc += ev.amount_cc
        elif ev.kind == "withdrawal":
            self.money_in_cc -= ev.amount_cc

    def _market(self, ev: MarketUpdate) -> None:
        market = self.markets[ev.ticker]
        market.apply_lifecycle(ev.ts_ns, ev.kind, ev.status, ev.result, ev.settlement_value_cc)
        self.due.set(("market", ev.ticker), due_ns(market))

    def _group(self, ev: OrderGroupUpdate) -> None:
        kind = ev.kind
        if kind == "created":
            self.groups[ev.group_id] = GroupRecord(
                ev.group_id, ev.user_id, ev.subaccount, ev.contracts_limit_c
            )
            self.user_groups.setdefault(ev.user_id, {})[ev.group_id] = None
            return
        group = self.groups[ev.group_id]
        if kind == "triggered":
            group.triggered = True
        elif kind == "reset":
            group.triggered = False
        elif kind == "limit_updated":
            group.limit_c = ev.contracts_limit_c
        elif kind == "deleted":
            del self.groups[ev.group_id]
            mine = self.user_groups[ev.user_id]
            del mine[ev.group_id]
            if not mine:
                del self.user_groups[ev.user_id]

    def _exchange(self, ev: ExchangeUpdate) -> None:
        self.trading_paused = not ev.trading_active

    def _api_key(self, ev: ApiKeyUpdate) -> None:
        if ev.active:
            return  # registered from its command, which carries the key
        del self.keys[ev.api_key_id]
        mine = self.user_keys[ev.user_id]
        del mine[ev.api_key_id]
        if not mine:
            del self.user_keys[ev.user_id]

    def _user(self, ev: UserUpdate) -> None:
        user = self.users.get(ev.user_id)
        if user is None:
            self.users[ev.user_id] = UserRecord(ev.user_id, ev.name, ev.tier, ev.ts_ns)
            # Subaccount 0 opens with the user, empty (the ledger emits no balance for it).
            self.balances[(ev.user_id, 0)] = BalanceUpdate(ev.ts_ns, ev.user_id, 0, 0, 0)
        else:
            user.tier = ev.tier


_Handler = Callable[[LiveIndex, Any], None]

_COMMANDS: dict[type, _Handler] = {
    c.AddSeries: LiveIndex._add_series,
    c.AddEvent: LiveIndex._add_event,
    c.AddMarket: LiveIndex._add_market,
    c.CreateSubaccount: LiveIndex._create_subaccount,
    c.AmendOrder: LiveIndex._amend,
    c.RegisterApiKey: LiveIndex._register_key,
}

# Every event type has an entry, so an event the index does not know fails loudly.
_EVENTS: dict[type, _Handler | None] = {
    OrderUpdate: LiveIndex._order,
    BookDelta: LiveIndex._book_delta,
    TradeEvent: LiveIndex._trade,
    FillEvent: None,  # fills move positions and open interest through PositionUpdate
    PositionUpdate: LiveIndex._position,
    BalanceUpdate: LiveIndex._balance,
    MarketUpdate: LiveIndex._market,
    OrderGroupUpdate: LiveIndex._group,
    ExchangeUpdate: LiveIndex._exchange,
    ApiKeyUpdate: LiveIndex._api_key,
    UserUpdate: LiveIndex._user,
    CashMovement: LiveIndex._cash,
    SettlementEvent: None,  # history only; positions settle through PositionUpdate
}
