"""The exchange state machine: one pure, deterministic function of its command log.

``Exchange.apply(command)`` checks a command against the current state, then either
rejects it with a ``RejectReason`` and changes nothing, or applies it completely and
returns the events it caused. It never reads a clock (time is ``command.ts_ns``), never
draws a random number and builds every id from its own counter, so replaying a journal
rebuilds the same state byte for byte (``augury.engine.state.state_digest``).

Matching (``_match``): price-time priority on one YES-priced book; the maker's price is
the trade price, so a taker crossing several levels gets price improvement. Each fill is
booked on both accounts by the ledger as a mint (both sides open), a transfer (one opens,
one closes) or a merge (both close), and collateral is re-balanced on both sides.

Order options follow Kalshi (CONTRACT.md §5): fill-or-kill checks the whole size can
fill before touching anything (and, as on Kalshi, a fill-or-kill that would meet the
user's own order behaves as immediate-or-cancel); post-only cancels instead of crossing;
reduce-only (immediate-or-cancel only) caps the size at what the position can close;
self-trade prevention ``taker_at_cross`` cancels the incoming remainder, ``maker`` cancels
the resting order and keeps matching; order groups enforce a rolling contracts limit.

Known limits: a market order's ``buy_max_cost`` bounds the cost before fees; queue
position is computed by walking the level.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from augury.domain.enums import FeeType, MarketStatus, OrderStatus
from augury.domain.grid import grid_for
from augury.domain.limits import CLIENT_IDS_RETAINED
from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import CC_PER_CENT, ONE_DOLLAR_CC
from augury.engine import commands as c
from augury.engine.domain_check import domain_reject
from augury.engine.events import (
    ApiKeyUpdate,
    BalanceUpdate,
    BookDelta,
    CashMovement,
    Event,
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
from augury.engine.groups import OrderGroup
from augury.engine.market import EventInfo, Market, SeriesInfo
from augury.engine.orders import Order
from augury.ledger.accounts import Account, AccountKey, FillSide, Ledger
from augury.ledger.collateral import OrderGroupSide, reserve_cc
from augury.ledger.fees import FeeSchedule, fill_fee_cc, max_fee_cc_per_lot

__all__ = ["MAX_RESTING_ORDERS", "MAX_SUBACCOUNTS", "Exchange", "Outcome", "UserInfo"]

MAX_RESTING_ORDERS = 200_000  # per user, as on Kalshi
MAX_SUBACCOUNTS = 63


# ``status.value`` goes through the enum's descriptor, which costs more than a dict lookup.
_STATUS_TEXT: dict[OrderStatus, str] = {status: status.value for status in OrderStatus}

TIERS = ("basic", "advanced", "expert", "premier", "paragon", "prime", "prestige", "unlimited")
DEFAULT_TIER = "default"  # SetUserTier's word for "back to the server's default" (tier "")


class ApiKeyInfo:
    """The public half of an API key; the server builds its verifier cache from these."""

    __slots__ = (
        "api_key_id",
        "created_ns",
        "key_type",
        "name",
        "public_key_pem",
        "scopes",
        "subaccount",
        "user_id",
    )

    def __init__(self, cmd: c.RegisterApiKey) -> None:
        self.api_key_id = cmd.api_key_id
        self.user_id = cmd.user_id
        self.name = cmd.name
        self.public_key_pem = cmd.public_key_pem
        self.key_type = cmd.key_type
        self.scopes = tuple(cmd.scopes)
        self.subaccount = cmd.subaccount
        self.created_ns = cmd.ts_ns


class UserInfo:
    __slots__ = ("created_ns", "name", "resting", "subaccounts", "tier", "user_id")

    def __init__(self, user_id: str, name: str, ts_ns: int) -> None:
        self.user_id = user_id
        self.name = name
        self.tier = ""  # none set: the server's default tier applies (api.ratelimit)
        self.subaccounts = 1  # subaccount 0 always exists
        self.resting = 0
        self.created_ns = ts_ns


class Outcome:
    """The result of one command: its events, or the reason it was refused."""

    __slots__ = ("events", "reject", "value")

    def __init__(self, events: list[Event], reject: Reject | None, value: Any) -> None:
        self.events = events
        self.reject = reject
        self.value = value

    @property
    def ok(self) -> bool:
        return self.reject is None


class Exchange:
    """All exchange state; ``apply`` is the only way to change it."""

    def __init__(self, instance_id: str = "augury") -> None:
        self.instance_id = instance_id
        self.id_prefix = hashlib.sha256(instance_id.encode()).hexdigest()[:8]
        self.ledger = Ledger()
        self.users: dict[str, UserInfo] = {}
        self.api_keys: dict[str, ApiKeyInfo] = {}
        self.series: dict[str, SeriesInfo] = {}
        self.events: dict[str, EventInfo] = {}
        self.markets: dict[str, Market] = {}
        self.orders: dict[str, Order] = {}  # resting orders only
        self.client_ids: dict[tuple[str, str], str] = {}  # (user, client id) -> order id
        # Client ids of finished orders still reserved, per user, oldest first; beyond
        # CLIENT_IDS_RETAINED the oldest is released (decision 0016).
        self.retired_client_ids: dict[str, dict[str, None]] = {}
        self.groups: dict[str, OrderGroup] = {}
        self.collateral: dict[tuple[str, int, str, bool], OrderGroupSide] = {}
        self.expiring: dict[str, int] = {}  # order id -> expiration ts
        # Orders cancelled by their market's close, until it settles: id -> (ticker, owner key).
        self.closed_orders: dict[str, tuple[str, tuple[str, int]]] = {}
        self.transfer_ids: set[str] = set()
        self.trading_paused = False
        self.id_counter = 0
        self.queue_counter = 0
        self.now_ns = 0
        self._out: list[Event] = []

    # --- entry point ----------------------------------------------------------------------

    def apply(self, command: c.Command) -> Outcome:
        """Apply one command; a ``Batch`` yields one ``Outcome`` per item as its value."""
        if isinstance(command, c.Batch):
            outcomes = [self.apply(item) for item in command.items]
            events = [event for outcome in outcomes for event in outcome.events]
            return Outcome(events, None, outcomes)
        out_of_domain = domain_reject(command)
        if out_of_domain is not None:
            return Outcome([], out_of_domain, None)
        previous_now = self.now_ns
        if command.ts_ns > previous_now:
            self.now_ns = command.ts_ns
        self._out = []
        ledger = self.ledger
        ledger.dirty_accounts.clear()
        ledger.dirty_positions.clear()
        try:
            value = _HANDLERS[type(command)](self, command)
        except Reject as reject:
            assert not ledger.dirty_accounts, "a rejected command changed a balance"
            self.now_ns = previous_now  # a refusal leaves no trace, not even the clock
            return Outcome([], reject, None)
        self._flush()
        return Outcome(self._out, None, value)

    def _flush(self) -> None:
        ts = self.now_ns
        out = self._out
        # Events in this module are built with positional arguments in their field order
        # (about 9x faster than keywords; see engine/events.py, pinned by its tests).
        for (user, sub), account in self.ledger.dirty_accounts.items():
            # BalanceUpdate: ts_ns, user_id, subaccount, available_cc, reserved_cc
            out.append(BalanceUpdate(ts, user, sub, account.available_cc, account.reserved_cc))
        for (user, sub, ticker), pos in self.ledger.dirty_positions.items():
            out.append(
                PositionUpdate(
                    ts,
                    user,
                    sub,
                    ticker,
                    pos.position_c,
                    pos.exposure_fine // 100,  # exposure_cc
                    pos.realized_fine // 100,  # realized_pnl_cc
                    pos.fees_paid_cc,
                    pos.total_traded_fine // 100,  # total_traded_cc
                    pos.resting_orders,
                    pos.settled,
                    pos.traded_c,
                )
            )

    def _new_id(self, kind: int) -> str:
        self.id_counter += 1
        return f"{self.id_prefix}-{kind:04x}-4000-8000-{self.id_counter:012x}"

    def _peek_id(self, kind: int) -> str:
        """Return the id ``_new_id(kind)`` would return next, without using it up."""
        return f"{self.id_prefix}-{kind:04x}-4000-8000-{self.id_counter + 1:012x}"

    # --- accounts ---------------------------------------------------------------------------

    def _create_user(self, cmd: c.CreateUser) -> str:
        if not cmd.user_id or cmd.user_id in self.users:
            raise Reject(RejectReason.ALREADY_EXISTS, f"user {cmd.user_id!r} already exists")
        user = self.users[cmd.user_id] = UserInfo(cmd.user_id, cmd.name, cmd.ts_ns)
        self.ledger.open_account((cmd.user_id, 0), cmd.ts_ns)
        self._out.append(
            UserUpdate(ts_ns=cmd.ts_ns, user_id=user.user_id, name=user.name, tier=user.tier)
        )
        return cmd.user_id

    def _register_key(self, cmd: c.RegisterApiKey) -> str:
        if cmd.user_id not in self.users:
            raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {cmd.user_id!r}")
        if cmd.api_key_id in self.api_keys:
            raise Reject(RejectReason.ALREADY_EXISTS, "api key id already exists")
        self.api_keys[cmd.api_key_id] = ApiKeyInfo(cmd)
        self._out.append(
            ApiKeyUpdate(
                ts_ns=cmd.ts_ns, api_key_id=cmd.api_key_id, user_id=cmd.user_id, active=True
            )
        )
        return cmd.api_key_id

    def _revoke_key(self, cmd: c.RevokeApiKey) -> str:
        key = self.api_keys.get(cmd.api_key_id)
        if key is None or key.user_id != cmd.user_id:
            raise Reject(RejectReason.INVALID_PARAMETERS, "api key not found")
        del self.api_keys[cmd.api_key_id]
        self._out.append(
            ApiKeyUpdate(
                ts_ns=cmd.ts_ns, api_key_id=cmd.api_key_id, user_id=cmd.user_id, active=False
            )
        )
        return cmd.api_key_id

    def _set_tier(self, cmd: c.SetUserTier) -> str:
        user = self.users.get(cmd.user_id)
        if user is None:
            raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {cmd.user_id!r}")
        if cmd.tier not in TIERS and cmd.tier != DEFAULT_TIER:
            raise Reject(RejectReason.INVALID_PARAMETERS, f"unknown tier {cmd.tier!r}")
        user.tier = "" if cmd.tier == DEFAULT_TIER else cmd.tier
        self._out.append(
            UserUpdate(ts_ns=cmd.ts_ns, user_id=user.user_id, name=user.name, tier=user.tier)
        )
        return cmd.tier

    def _account(self, user_id: str, subaccount: int) -> Account:
        user = self.users.get(user_id)
        if user is None:
            raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {user_id!r}")
        if not 0 <= subaccount < user.subaccounts:
            raise Reject(RejectReason.INVALID_PARAMETERS, f"subaccount {subaccount} does not exist")
        return self.ledger.open_account((user_id, subaccount), self.now_ns)

    def _deposit(self, cmd: c.Deposit) -> int:
        account = self._account(cmd.user_id, cmd.subaccount)
        self._check_transfer_id(cmd.transfer_id)
        self.ledger.deposit(account, cmd.amount_cc, cmd.ts_ns)
        self._record_cash(cmd, "deposit")
        return account.available_cc

    def _withdraw(self, cmd: c.Withdraw) -> int:
        account = self._account(cmd.user_id, cmd.subaccount)
        self._check_transfer_id(cmd.transfer_id)
        self.ledger.withdraw(account, cmd.amount_cc, cmd.ts_ns)
        self._record_cash(cmd, "withdrawal")
        return account.available_cc

    def _check_transfer_id(self, transfer_id: str | None) -> None:
        # Deposits and withdrawals share TransferCash's id space: an operator approval
        # retried after a crash is refused instead of moving the money twice.
        if transfer_id and transfer_id in self.transfer_ids:
            raise Reject(RejectReason.ALREADY_EXISTS, "transfer id already used")

    def _record_cash(self, cmd: c.Deposit | c.Withdraw, kind: str) -> None:
        if cmd.transfer_id:
            self.transfer_ids.add(cmd.transfer_id)
        self._out.append(
            CashMovement(
                ts_ns=cmd.ts_ns,
                kind=kind,
                user_id=cmd.user_id,
                subaccount=cmd.subaccount,
                amount_cc=cmd.amount_cc,
                transfer_id=cmd.transfer_id,
            )
        )

    def _create_subaccount(self, cmd: c.CreateSubaccount) -> int:
        self._account(cmd.user_id, 0)
        user = self.users[cmd.user_id]
        if user.subaccounts > MAX_SUBACCOUNTS:
            raise Reject(RejectReason.INVALID_PARAMETERS, "subaccount limit reached")
        number = user.subaccounts
        user.subaccounts += 1
        self.ledger.open_account((cmd.user_id, number), cmd.ts_ns)
        return number

    def _transfer(self, cmd: c.TransferCash) -> str:
        source = self._account(cmd.user_id, cmd.from_subaccount)
        target = self._account(cmd.user_id, cmd.to_subaccount)
        if cmd.transfer_id in self.transfer_ids:
            raise Reject(RejectReason.ALREADY_EXISTS, "transfer id already used")
        if source is target:
            raise Reject(RejectReason.INVALID_PARAMETERS, "cannot transfer to the same subaccount")
        self.ledger.transfer(source, target, cmd.amount_cc, cmd.ts_ns)
        self.transfer_ids.add(cmd.transfer_id)
        self._out.append(
            CashMovement(
                ts_ns=cmd.ts_ns,
                kind="transfer",
                user_id=cmd.user_id,
                subaccount=cmd.from_subaccount,
                amount_cc=cmd.amount_cc,
                to_subaccount=cmd.to_subaccount,
                transfer_id=cmd.transfer_id,
            )
        )
        return cmd.transfer_id

    # --- catalog ---------------------------------------------------------------------------

    def _add_series(self, cmd: c.AddSeries) -> bool:
        try:
            fee_type = FeeType(cmd.fee_type)
        except ValueError:
            raise Reject(
                RejectReason.INVALID_PARAMETERS, f"unknown fee_type {cmd.fee_type!r}"
            ) from None
        if cmd.fee_multiplier_e4 < 0:
            raise Reject(RejectReason.INVALID_PARAMETERS, "fee_multiplier must not be negative")
        existing = self.series.get(cmd.ticker)
        if existing is not None:
            # Loading a catalog twice is harmless: metadata is refreshed, rules are kept.
            existing.meta = cmd.meta
            return False
        self.series[cmd.ticker] = SeriesInfo(
            cmd.ticker, fee_type, cmd.fee_multiplier_e4, cmd.meta, cmd.ts_ns
        )
        return True

    def _add_event(self, cmd: c.AddEvent) -> bool:
        if cmd.series_ticker not in self.series:
            raise Reject(RejectReason.INVALID_PARAMETERS, f"unknown series {cmd.series_ticker!r}")
        existing = self.events.get(cmd.event_ticker)
        if existing is not None:
            existing.meta = cmd.meta
            return False
        self.events[cmd.event_ticker] = EventInfo(
            cmd.event_ticker, cmd.series_ticker, cmd.mutually_exclusive, cmd.meta, cmd.ts_ns
        )
        return True

    def _add_market(self, cmd: c.AddMarket) -> bool:
        event = self.events.get(cmd.event_ticker)
        if event is None:
            raise Reject(RejectReason.INVALID_PARAMETERS, f"unknown event {cmd.event_ticker!r}")
        grid = grid_for(cmd.price_level_structure)
        if grid is None:
            raise Reject(
                RejectReason.INVALID_PARAMETERS,
                f"unsupported price_level_structure {cmd.price_level_structure!r}",
            )
        if cmd.close_ts_ns <= cmd.open_ts_ns:
            raise Reject(RejectReason.INVALID_PARAMETERS, "close_time must be after open_time")
        existing = self.markets.get(cmd.ticker)
        if existing is not None:
            existing.meta = cmd.meta
            return False
        series = self.series[event.series_ticker]
        override = cmd.meta.get("fee_multiplier_e4")
        fees = FeeSchedule(
            series.fee_type,
            override if isinstance(override, int) else series.fee_multiplier_e4,
        )
        market = Market(
            cmd.ticker,
            cmd.event_ticker,
            grid,
            fees,
            fractional=cmd.fractional,
            open_ts_ns=cmd.open_ts_ns,
            close_ts_ns=cmd.close_ts_ns,
            settlement_timer_s=cmd.settlement_timer_s,
            market_type=cmd.market_type,
            meta=cmd.meta,
            ts_ns=cmd.ts_ns,
        )
        self.markets[cmd.ticker] = market
        event.markets.append(cmd.ticker)
        self._market_update(market, "created")
        self._advance_market(market)
        return True

    # --- lifecycle --------------------------------------------------------------------------

    def _market(self, ticker: str) -> Market:
        market = self.markets.get(ticker)
        if market is None:
            raise Reject(RejectReason.MARKET_NOT_FOUND, f"market {ticker!r} not found")
        return market

    def _market_update(self, market: Market, kind: str) -> None:
        market.updated_ns = self.now_ns
        self._out.append(
            MarketUpdate(
                ts_ns=self.now_ns,
                ticker=market.ticker,
                kind=kind,
                status=market.status.value,
                result=market.result,
                settlement_value_cc=market.settlement_value_cc,
            )
        )

    def _advance_market(self, market: Market) -> None:
        """Apply the transitions that time alone causes."""
        now = self.now_ns
        if market.status is MarketStatus.INITIALIZED and now >= market.open_ts_ns:
            market.status = MarketStatus.ACTIVE
            self._market_update(market, "opened")
        if market.before_close and now >= market.close_ts_ns:
            self._close(market)
        if (
            market.status in (MarketStatus.DETERMINED, MarketStatus.AMENDED)
            and market.determined_ns is not None
            and now >= market.determined_ns + market.settlement_timer_s * 1_000_000_000
        ):
            self._finalize(market)

    def _close(self, market: Market) -> None:
        for order in list(market.book.resting()):
            self._cancel(order, "market_closed")
            # Later operations on these orders are refused as market_closed, not "unknown".
            self.closed_orders[order.order_id] = (market.ticker, order.key)
        market.status = MarketStatus.CLOSED
        self._market_update(market, "closed")

    def _set_market_state(self, cmd: c.SetMarketState) -> str:
        market = self._market(cmd.ticker)
        if not market.before_close:
            raise Reject(RejectReason.MARKET_CLOSED, f"market {cmd.ticker} is closed")
        if cmd.action == "close":
            self._close(market)
        elif cmd.action == "pause":
            if market.status is not MarketStatus.ACTIVE:
                raise Reject(RejectReason.INVALID_TRANSITION, "only an active market can pause")
            market.status = MarketStatus.INACTIVE
            for order in list(market.book.resting()):
                if order.cancel_on_pause:
                    self._cancel(order, "trading_paused")
            self._market_update(market, "deactivated")
        else:
            if market.status is not MarketStatus.INACTIVE:
                raise Reject(RejectReason.INVALID_TRANSITION, "only a paused market can resume")
            # Kalshi cancels every resting order when a market is reactivated.
            for order in list(market.book.resting()):
                self._cancel(order, "market_reactivated")
            market.status = MarketStatus.ACTIVE
            self._market_update(market, "activated")
        return market.status.value

    def _determine(self, cmd: c.DetermineMarket) -> str:
        market = self._market(cmd.ticker)
        if cmd.result == "scalar":
            if cmd.value_cc is None or not 0 <= cmd.value_cc <= ONE_DOLLAR_CC:
                raise Reject(
                    RejectReason.INVALID_PARAMETERS, "scalar result needs a value in [0, 1]"
                )
            value: int | None = cmd.value_cc
        else:
            value = {"yes": ONE_DOLLAR_CC, "no": 0, "void": None}[cmd.result]
        if market.status is MarketStatus.FINALIZED:
            raise Reject(RejectReason.INVALID_TRANSITION, "market is already settled")
        if market.before_close:
            self._close(market)
        amending = market.status in (MarketStatus.DETERMINED, MarketStatus.AMENDED)
        if amending:
            market.status = MarketStatus.DISPUTED
            self._market_update(market, "disputed")
        market.result = cmd.result
        market.settlement_value_cc = value
        market.determined_ns = cmd.ts_ns
        market.status = MarketStatus.AMENDED if amending else MarketStatus.DETERMINED
        self._market_update(market, "determined")
        if cmd.settle_now or market.settlement_timer_s == 0:
            self._finalize(market)
        return market.status.value

    def _finalize_cmd(self, cmd: c.FinalizeMarket) -> str:
        market = self._market(cmd.ticker)
        if market.status not in (MarketStatus.DETERMINED, MarketStatus.AMENDED):
            raise Reject(RejectReason.INVALID_TRANSITION, "market is not determined")
        self._finalize(market)
        return market.status.value

    def _finalize(self, market: Market) -> None:
        ts = self.now_ns
        value = market.settlement_value_cc
        lines = self.ledger.settle_market(market.ticker, value, ts)
        result = market.result
        for line in lines:
            self._out.append(
                SettlementEvent(
                    ts_ns=ts,
                    user_id=line.key[0],
                    subaccount=line.key[1],
                    ticker=market.ticker,
                    result=result,
                    yes_c=line.yes_c,
                    no_c=line.no_c,
                    yes_cost_cc=line.yes_cost_cc,
                    no_cost_cc=line.no_cost_cc,
                    revenue_cc=line.revenue_cc,
                    fee_cost_cc=line.fee_cost_cc,
                    value_cc=value,
                )
            )
        market.open_interest_c = 0
        for order_id in [o for o, (t, _) in self.closed_orders.items() if t == market.ticker]:
            del self.closed_orders[order_id]
        market.status = MarketStatus.FINALIZED
        market.settled_ns = ts
        self._market_update(market, "settled")

    def _set_exchange_state(self, cmd: c.SetExchangeState) -> bool:
        if cmd.paused == self.trading_paused:
            raise Reject(RejectReason.INVALID_TRANSITION, "exchange is already in that state")
        self.trading_paused = cmd.paused
        if cmd.paused:
            for order in [o for o in self.orders.values() if o.cancel_on_pause]:
                self._cancel(order, "exchange_paused")
        self._out.append(ExchangeUpdate(ts_ns=cmd.ts_ns, trading_active=not cmd.paused))
        return not cmd.paused

    def _tick(self, cmd: c.Tick) -> int:
        for market in self.markets.values():
            if market.status is not MarketStatus.FINALIZED:
                self._advance_market(market)
        expired = sorted(oid for oid, ts in self.expiring.items() if ts <= cmd.ts_ns)
        for order_id in expired:
            order = self.orders.get(order_id)
            if order is not None:
                self._cancel(order, "expired")
        return len(expired)

    # --- order entry ------------------------------------------------------------------------

    def _check_trading(self, market: Market) -> None:
        if self.trading_paused:
            raise Reject(RejectReason.EXCHANGE_PAUSED, "exchange is paused")
        status = market.status
        if status is MarketStatus.ACTIVE:
            return
        if status is MarketStatus.INITIALIZED:
            raise Reject(RejectReason.MARKET_NOT_OPEN, f"market {market.ticker} is not open yet")
        if status is MarketStatus.INACTIVE:
            raise Reject(RejectReason.TRADING_PAUSED, f"trading is paused on {market.ticker}")
        raise Reject(RejectReason.MARKET_CLOSED, f"market {market.ticker} is closed")

    def _check_size(self, market: Market, count_c: int) -> None:
        if count_c <= 0 or count_c % market.lot_c:
            what = "a positive number of" if market.fractional else "a positive whole number of"
            raise Reject(RejectReason.INVALID_COUNT, f"count must be {what} contracts")

    def _price_index(self, market: Market, price_cc: int) -> int:
        idx = market.grid.index_of(price_cc)
        if idx < 0:
            raise Reject(
                RejectReason.INVALID_PRICE,
                f"price {price_cc / ONE_DOLLAR_CC:.4f} is not on the {market.grid.name} grid",
            )
        return idx

    def _group_side(self, key: AccountKey, ticker: str, is_bid: bool) -> OrderGroupSide:
        gkey = (key[0], key[1], ticker, is_bid)
        group = self.collateral.get(gkey)
        if group is None:
            group = self.collateral[gkey] = OrderGroupSide()
        return group

    def closable(self, key: AccountKey, ticker: str, is_bid: bool) -> int:
        """Return how much of the account's position a bid (or ask) order would close."""
        position = self.ledger.peek_position(key, ticker)
        held = position.position_c if position is not None else 0
        closable = -held if is_bid else held
        return closable if closable > 0 else 0

    def _required_reserve(
        self, key: AccountKey, ticker: str, is_bid: bool, group: OrderGroupSide
    ) -> int:
        return reserve_cc(group.target_fine(self.closable(key, ticker, is_bid)))

    def _rebalance(self, key: AccountKey, ticker: str) -> None:
        """Set both of an account's reserves in a market to what their live orders now
        require. After a fill or a cancel this only ever lowers them (ledger.collateral);
        a fill on one side can also free the other, whose closable position grew."""
        position = self.ledger.peek_position(key, ticker)
        held = position.position_c if position is not None else 0
        self._rebalance_held(self.ledger.accounts[key], ticker, held)

    def _rebalance_held(self, account: Account, ticker: str, held_c: int) -> None:
        """``_rebalance`` for a caller that already knows the position (``held_c``, YES
        positive): a fill has it at hand, which saves looking it up again."""
        user_id, subaccount = account.key
        collateral = self.collateral
        set_reserve = self.ledger.set_reserve
        for is_bid in (True, False):
            group = collateral.get((user_id, subaccount, ticker, is_bid))
            if group is not None:
                closable = -held_c if is_bid else held_c  # as in ``closable``
                target = reserve_cc(group.target_fine(closable if closable > 0 else 0))
                assert (
                    target <= group.reserve_cc or target - group.reserve_cc <= account.available_cc
                )
                set_reserve(account, group, target, self.now_ns)

    def _place(self, cmd: c.PlaceOrder) -> OrderUpdate:
        # Option combinations are wrong whatever the market, so they are answered first
        # (INVALID_PARAMETERS leads the validation stage in rejects.py).
        if cmd.post_only and cmd.time_in_force != "good_till_canceled":
            raise Reject(RejectReason.INVALID_PARAMETERS, "post_only needs good_till_canceled")
        if cmd.buy_max_cost_cc is not None and cmd.buy_max_cost_cc <= 0:
            raise Reject(RejectReason.INVALID_PARAMETERS, "buy_max_cost must be positive")
        market = self._market(cmd.ticker)
        idx = self._validate_order(cmd, market)
        account = self._account(cmd.user_id, cmd.subaccount)
        # The order shares its account's key tuple and its market's ticker string instead of
        # holding copies built from the command: equal values, less memory per resting order.
        key = account.key
        ticker = market.ticker
        if cmd.client_order_id and (cmd.user_id, cmd.client_order_id) in self.client_ids:
            raise Reject(RejectReason.ORDER_ALREADY_EXISTS, "order already exists")
        group = self._order_group(cmd.order_group_id, cmd.user_id) if cmd.order_group_id else None
        self._check_trading(market)
        is_bid = cmd.side == "bid"
        count_c = cmd.count_c
        # What this order could close: reduce-only caps at it, and the reserve needs it.
        closable_c = self.closable(key, ticker, is_bid)
        if cmd.reduce_only:
            count_c = min(count_c, closable_c)
            count_c -= count_c % market.lot_c
            if count_c <= 0:
                raise Reject(
                    RejectReason.REDUCE_ONLY_NO_POSITION,
                    "reduce-only order has no position to reduce",
                )
        if self.users[cmd.user_id].resting >= MAX_RESTING_ORDERS:
            raise Reject(RejectReason.TOO_MANY_ORDERS, "too many resting orders")

        # The order carries the id it gets if accepted, so it is counted in its collateral
        # group once, under its final key; the counter only moves once it is accepted.
        order = Order(
            self._peek_id(1),
            key,
            ticker,
            is_bid,
            cmd.price_cc,
            idx,
            count_c,
            market.lot_c,
            cmd.ts_ns,
        )
        order.fee_lot_cc = max_fee_cc_per_lot(market.fees, order.outcome_limit_cc, market.lot_c)
        side_group = self._group_side(key, ticker, is_bid)
        side_group.add(order)
        needed = reserve_cc(side_group.target_fine(closable_c))  # _required_reserve, inlined
        if not self.ledger.can_reserve(account, side_group, needed):
            side_group.remove(order)
            raise Reject(RejectReason.INSUFFICIENT_BALANCE, "insufficient balance")
        # Accepted: from here on nothing may reject.
        self.id_counter += 1
        self.ledger.set_reserve(account, side_group, needed, cmd.ts_ns)
        self._fill_in(order, cmd, group)
        self._execute_new(order, market, cmd.buy_max_cost_cc)
        return self._last_snapshot(order)

    def _validate_order(self, cmd: c.PlaceOrder, market: Market) -> int:
        idx = self._price_index(market, cmd.price_cc)
        self._check_size(market, cmd.count_c)
        tif = cmd.time_in_force
        if cmd.reduce_only and tif != "immediate_or_cancel":
            raise Reject(
                RejectReason.REDUCE_ONLY_REQUIRES_IOC, "reduce_only requires immediate_or_cancel"
            )
        if cmd.expiration_ts_ns is not None:
            if tif != "good_till_canceled":
                raise Reject(
                    RejectReason.INVALID_EXPIRATION, "expiration_time needs good_till_canceled"
                )
            if cmd.expiration_ts_ns <= cmd.ts_ns:
                raise Reject(RejectReason.INVALID_EXPIRATION, "expiration_time is in the past")
        return idx

    def _fill_in(self, order: Order, cmd: c.PlaceOrder, group: OrderGroup | None) -> None:
        order.time_in_force = cmd.time_in_force
        order.order_type = cmd.order_type
        order.self_trade_prevention = cmd.self_trade_prevention
        order.post_only = cmd.post_only
        order.reduce_only = cmd.reduce_only
        order.cancel_on_pause = cmd.cancel_order_on_pause
        order.expiration_ts_ns = cmd.expiration_ts_ns
        order.client_order_id = cmd.client_order_id or ""
        if cmd.legacy_side is not None and cmd.legacy_action is not None:
            order.legacy_side = cmd.legacy_side
            order.legacy_action = cmd.legacy_action
        if cmd.client_order_id:
            self.client_ids[(cmd.user_id, cmd.client_order_id)] = order.order_id
        if group is not None:
            order.order_group_id = group.group_id
            group.orders[order.order_id] = None
        self.orders[order.order_id] = order
        self.users[cmd.user_id].resting += 1
        self._count_resting(order, 1, cmd.ts_ns)

    def _count_resting(self, order: Order, change: int, ts_ns: int) -> None:
        """Add ``change`` to the resting-order count of the order's position (and report
        the position as changed), creating the position on the order's first use."""
        pkey = (order.key[0], order.key[1], order.ticker)
        ledger = self.ledger
        position = ledger.positions.get(pkey)
        if position is None:
            position = ledger.position(order.key, order.ticker, ts_ns)
        position.resting_orders += change
        ledger.dirty_positions[pkey] = position

    def _execute_new(self, order: Order, market: Market, max_cost_cc: int | None) -> None:
        """Match a new (or re-priced) order as taker, then rest or cancel what is left."""
        # Only post-only and fill-or-kill orders have a pre-match check, and only an order
        # that reaches the opposite touch can match; most orders just rest, so both calls
        # are skipped when they would return None at once.
        reason = None
        if order.post_only or order.time_in_force == "fill_or_kill":
            reason = self._pre_match_check(order, market, max_cost_cc)
        book = market.book
        if reason is None and (
            book.best_ask <= order.price_idx if order.is_bid else book.best_bid >= order.price_idx
        ):
            reason = self._match(order, market)
        if order.remaining_c == 0:
            if order.status is OrderStatus.RESTING:
                self._finish(order, OrderStatus.EXECUTED, "executed")
            return
        if reason is None and order.time_in_force != "good_till_canceled":
            reason = (
                "fill_or_kill" if order.time_in_force == "fill_or_kill" else "immediate_or_cancel"
            )
        if reason is not None:
            self._cancel(order, reason)
            return
        self.queue_counter += 1
        order.queue_seq = self.queue_counter
        market.book.rest(order)
        if order.expiration_ts_ns is not None:
            self.expiring[order.order_id] = order.expiration_ts_ns
        self._delta(market, order, order.remaining_c)
        self._out.append(self._snapshot(order, "resting"))

    def _pre_match_check(self, order: Order, market: Market, max_cost_cc: int | None) -> str | None:
        """Return why the order must be cancelled before matching, or None to match."""
        book = market.book
        crosses = (
            book.best_ask <= order.price_idx if order.is_bid else book.best_bid >= order.price_idx
        )
        if order.post_only:
            return "post_only_cross" if crosses else None
        if order.time_in_force != "fill_or_kill":
            return None
        need = order.remaining_c
        cost_fine = 0
        for idx, _ in book.levels(not order.is_bid):
            if (idx > order.price_idx) if order.is_bid else (idx < order.price_idx):
                break
            price_cc = market.grid.prices_cc[idx]
            outcome_cc = price_cc if order.is_bid else ONE_DOLLAR_CC - price_cc
            for maker in book.orders_at(not order.is_bid, idx):
                if maker.key[0] == order.key[0]:
                    return None  # Kalshi: a fill-or-kill that meets its own order acts as IOC
                take = min(need, maker.remaining_c)
                need -= take
                cost_fine += take * outcome_cc
                if need == 0:
                    break
            if need == 0:
                break
        if need > 0:
            return "fill_or_kill"
        if max_cost_cc is not None and cost_fine > max_cost_cc * 100:
            return "fill_or_kill"
        return None

    def _match(self, taker: Order, market: Market) -> str | None:
        """Cross the taker against the book; return a cancel reason if matching must stop."""
        book = market.book
        is_bid = taker.is_bid
        levels = book.asks if is_bid else book.bids
        limit = taker.price_idx
        while taker.remaining_c:
            idx = book.best_ask if is_bid else book.best_bid
            if (idx > limit or idx >= book.size) if is_bid else (idx < limit or idx < 0):
                return None
            maker = levels[idx].head()
            assert maker is not None, "best level has no live order"
            if maker.key[0] == taker.key[0]:
                if taker.self_trade_prevention == "taker_at_cross":
                    return "self_trade_taker"
                self._cancel(maker, "self_trade_maker")
                continue
            self._trade(market, taker, maker, min(taker.remaining_c, maker.remaining_c))
            if taker.status is not OrderStatus.RESTING:
                return None  # cancelled by its order group's trigger
        return None

    def _trade(self, market: Market, taker: Order, maker: Order, count_c: int) -> None:
        ts = self.now_ns
        price_cc = maker.price_cc
        ticker = market.ticker
        ledger = self.ledger
        trade_id = self._new_id(2)
        taker_fee = fill_fee_cc(market.fees, price_cc, count_c, True)
        maker_fee = fill_fee_cc(market.fees, price_cc, count_c, False)
        taker_side = self._fill_order(market, taker, False, price_cc, count_c, taker_fee)
        maker_side = self._fill_order(market, maker, True, price_cc, count_c, maker_fee)
        ledger.post_fill(ticker, count_c, taker_side, maker_side, ts)
        self._rebalance_held(taker_side.account, ticker, taker_side.position.position_c)
        self._rebalance_held(maker_side.account, ticker, maker_side.position.position_c)
        market.volume_c += count_c
        market.open_interest_c = ledger.escrow_cc.get(ticker, 0) // CC_PER_CENT
        market.last_price_cc = price_cc
        market.last_trade_ns = ts
        out = self._out
        for order, fee, side in ((taker, taker_fee, taker_side), (maker, maker_fee, maker_side)):
            out.append(
                FillEvent(  # positional, in field order (see _flush)
                    ts,
                    self._new_id(3),  # fill_id
                    trade_id,
                    order.order_id,
                    order.key[0],  # user_id
                    order.key[1],  # subaccount
                    ticker,
                    order.side,
                    order.legacy_side,
                    order.legacy_action,
                    price_cc,
                    count_c,
                    order is taker,  # is_taker
                    fee,  # fee_cc
                    side.position.position_c,  # post_position_c
                    order.client_order_id,
                )
            )
        # TradeEvent: ts_ns, trade_id, ticker, price_cc, count_c, taker_side
        out.append(TradeEvent(ts, trade_id, ticker, price_cc, count_c, taker.side))
        self._delta(market, maker, -count_c)
        if maker.remaining_c == 0:
            self._finish(maker, OrderStatus.EXECUTED, "executed")
        else:
            out.append(self._snapshot(maker, "filled"))
        if taker.order_group_id is not None:
            self._group_fill(taker.order_group_id, count_c)
        if maker.order_group_id is not None:
            self._group_fill(maker.order_group_id, count_c)

    def _fill_order(
        self, market: Market, order: Order, is_maker: bool, price_cc: int, count_c: int, fee: int
    ) -> FillSide:
        """Book one order's side of a fill: its position, its counters and its collateral
        group (re-counted with the new remaining size). Cash moves in ``post_fill``."""
        ts = self.now_ns
        ticker = market.ticker
        ledger = self.ledger
        group = self._group_side(order.key, ticker, order.is_bid)
        group.remove(order)
        position = ledger.position(order.key, ticker, ts)
        outcome_cc = price_cc if order.is_bid else ONE_DOLLAR_CC - price_cc
        side = ledger.fill_side(
            ledger.accounts[order.key],
            position,
            group,
            order,
            order.is_bid,
            outcome_cc,
            count_c,
            fee,
            ts,
        )
        if is_maker:
            market.book.shrink(order, count_c)
            order.maker_fill_cost_fine += outcome_cc * count_c
            order.maker_fees_cc += fee
        else:
            order.remaining_c -= count_c
            order.taker_fill_cost_fine += outcome_cc * count_c
            order.taker_fees_cc += fee
        order.fill_c += count_c
        order.updated_ns = ts
        if order.remaining_c:
            group.add(order)
        return side

    def _delta(self, market: Market, order: Order, delta_c: int) -> None:
        market.book_seq += 1
        self._out.append(
            BookDelta(  # positional, in field order (see _flush)
                self.now_ns,
                market.ticker,
                market.book_seq,  # seq
                order.side,
                order.price_cc,
                delta_c,
                order.key[0],  # user_id
                order.key[1],  # subaccount
                order.client_order_id,
            )
        )

    def _finish(self, order: Order, status: OrderStatus, reason: str) -> None:
        """Retire an order that left the book (filled or cancelled)."""
        order.status = status
        order.updated_ns = self.now_ns
        self.orders.pop(order.order_id, None)
        self.expiring.pop(order.order_id, None)
        self.users[order.key[0]].resting -= 1
        self._count_resting(order, -1, self.now_ns)
        if order.order_group_id is not None:
            group = self.groups.get(order.order_group_id)
            if group is not None:
                group.orders.pop(order.order_id, None)
        if order.client_order_id:
            self._retire_client_id(order.key[0], order.client_order_id)
        self._out.append(self._snapshot(order, reason))

    def _retire_client_id(self, user_id: str, client_order_id: str) -> None:
        """Keep a client id no open order uses any more reserved for a while: while it
        is among the user's last ``CLIENT_IDS_RETAINED`` retired ones (decision 0016)."""
        retired = self.retired_client_ids.get(user_id)
        if retired is None:
            retired = self.retired_client_ids[user_id] = {}
        retired[client_order_id] = None
        if len(retired) > CLIENT_IDS_RETAINED:
            oldest = next(iter(retired))
            del retired[oldest]
            del self.client_ids[(user_id, oldest)]

    def _cancel(self, order: Order, reason: str) -> int:
        """Cancel whatever remains of a live order; return the size cancelled."""
        market = self.markets[order.ticker]
        remaining = order.remaining_c
        group = self._group_side(order.key, order.ticker, order.is_bid)
        group.remove(order)
        if order.live:
            market.book.remove(order)
            self._delta(market, order, -remaining)
        order.remaining_c = 0
        self._rebalance(order.key, order.ticker)
        self._finish(order, OrderStatus.CANCELED, reason)
        return remaining

    def _last_snapshot(self, order: Order) -> OrderUpdate:
        """Return the order's latest state, reusing the event just emitted when there is one."""
        for event in reversed(self._out):
            if isinstance(event, OrderUpdate) and event.order_id == order.order_id:
                if event.remaining_c == order.remaining_c and event.status == order.status:
                    return event
                break
        return self._snapshot(order, "placed")

    def _snapshot(self, order: Order, reason: str) -> OrderUpdate:
        # Positional, in OrderUpdate's field order (see _flush); each line names its field.
        return OrderUpdate(
            self.now_ns,  # ts_ns
            order.order_id,  # order_id
            order.key[0],  # user_id
            order.key[1],  # subaccount
            order.ticker,  # ticker
            order.side,  # side
            order.price_cc,  # price_cc
            order.initial_c,  # initial_c
            order.fill_c,  # fill_c
            order.remaining_c,  # remaining_c
            _STATUS_TEXT[order.status],  # status
            reason,  # reason
            order.time_in_force,  # time_in_force
            order.order_type,  # order_type
            order.legacy_side,  # legacy_side
            order.legacy_action,  # legacy_action
            order.client_order_id,  # client_order_id
            order.order_group_id,  # order_group_id
            order.self_trade_prevention,  # self_trade_prevention
            order.post_only,  # post_only
            order.cancel_on_pause,  # cancel_order_on_pause
            order.expiration_ts_ns,  # expiration_ts_ns
            order.created_ns,  # created_ns
            order.taker_fill_cost_fine // 100,  # taker_fill_cost_cc
            order.maker_fill_cost_fine // 100,  # maker_fill_cost_cc
            order.taker_fees_cc,  # taker_fees_cc
            order.maker_fees_cc,  # maker_fees_cc
            order.queue_seq,  # queue_seq
        )

    # --- order maintenance ---------------------------------------------------------------

    def _own_order(self, user_id: str, order_id: str, subaccount: int | None) -> Order:
        order = self.orders.get(order_id)
        if (
            order is None
            or order.key[0] != user_id
            or (subaccount is not None and order.key[1] != subaccount)
        ):
            # Only the owner learns that the order existed and its market closed.
            closed = self.closed_orders.get(order_id)
            if (
                closed is not None
                and closed[1][0] == user_id
                and (subaccount is None or closed[1][1] == subaccount)
            ):
                raise Reject(RejectReason.MARKET_CLOSED, f"market {closed[0]} is closed")
            raise Reject(RejectReason.ORDER_NOT_FOUND, f"order {order_id} not found")
        return order

    def _check_maintenance(self, order: Order) -> Market:
        market = self.markets[order.ticker]
        if not market.before_close:
            raise Reject(RejectReason.MARKET_CLOSED, f"market {market.ticker} is closed")
        return market

    def _cancel_cmd(self, cmd: c.CancelOrder) -> OrderUpdate:
        order = self._own_order(cmd.user_id, cmd.order_id, cmd.subaccount)
        self._check_maintenance(order)
        self._cancel(order, "canceled")
        # The cancel's last event is the order's final state with this very reason; it is
        # equal to a fresh snapshot, so it is returned instead of building another.
        final = self._out[-1]
        assert isinstance(final, OrderUpdate)
        assert final.order_id == order.order_id
        return final

    def _cancel_all(self, cmd: c.CancelAll) -> list[str]:
        if cmd.user_id not in self.users:
            raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {cmd.user_id!r}")
        doomed = sorted(
            order_id
            for order_id, order in self.orders.items()
            if order.key[0] == cmd.user_id
            and (cmd.subaccount is None or order.key[1] == cmd.subaccount)
            and (cmd.ticker is None or order.ticker == cmd.ticker)
        )
        for order_id in doomed:
            self._cancel(self.orders[order_id], "canceled")
        return doomed

    def _decrease(self, cmd: c.DecreaseOrder) -> OrderUpdate:
        order = self._own_order(cmd.user_id, cmd.order_id, cmd.subaccount)
        market = self._check_maintenance(order)
        if (cmd.reduce_by_c is None) == (cmd.reduce_to_c is None):
            raise Reject(
                RejectReason.INVALID_PARAMETERS, "give exactly one of reduce_by and reduce_to"
            )
        if cmd.reduce_by_c is not None:
            if cmd.reduce_by_c <= 0 or cmd.reduce_by_c % market.lot_c:
                raise Reject(
                    RejectReason.INVALID_COUNT, "reduce_by must be a positive lot multiple"
                )
            new_remaining = max(0, order.remaining_c - cmd.reduce_by_c)
        else:
            assert cmd.reduce_to_c is not None
            if cmd.reduce_to_c < 0 or cmd.reduce_to_c % market.lot_c:
                raise Reject(RejectReason.INVALID_COUNT, "reduce_to must be a lot multiple")
            if cmd.reduce_to_c > order.remaining_c:
                raise Reject(RejectReason.INVALID_AMEND, "reduce_to exceeds the remaining size")
            new_remaining = cmd.reduce_to_c
        if new_remaining == 0:
            self._cancel(order, "canceled")
            return self._snapshot(order, "canceled")
        self._shrink_resting(order, market, order.remaining_c - new_remaining)
        return self._snapshot(order, "decreased")

    def _shrink_resting(self, order: Order, market: Market, by_c: int) -> None:
        if by_c == 0:
            return
        group = self._group_side(order.key, order.ticker, order.is_bid)
        group.remove(order)
        market.book.shrink(order, by_c)
        group.add(order)
        order.updated_ns = self.now_ns
        self._rebalance(order.key, order.ticker)
        self._delta(market, order, -by_c)
        self._out.append(self._snapshot(order, "decreased"))

    def _amend(self, cmd: c.AmendOrder) -> dict[str, OrderUpdate]:
        order = self._own_order(cmd.user_id, cmd.order_id, cmd.subaccount)
        if cmd.ticker != order.ticker:
            raise Reject(RejectReason.ORDER_TICKER_MISMATCH, "ticker does not match the order")
        if cmd.side != order.side:
            raise Reject(RejectReason.ORDER_SIDE_MISMATCH, "side does not match the order")
        if cmd.client_order_id and cmd.client_order_id != order.client_order_id:
            raise Reject(
                RejectReason.ORDER_ID_CLIENT_ORDER_ID_MISMATCH, "client_order_id does not match"
            )
        market = self._market(order.ticker)
        idx = self._price_index(market, cmd.price_cc)
        self._check_size(market, cmd.count_c)
        new_coid = cmd.updated_client_order_id
        if (
            new_coid
            and new_coid != order.client_order_id
            and (cmd.user_id, new_coid) in self.client_ids
        ):
            raise Reject(RejectReason.ORDER_ALREADY_EXISTS, "updated_client_order_id already used")
        expiration = order.expiration_ts_ns
        if cmd.expiration_ts_ns is not None:
            expiration = cmd.expiration_ts_ns or None
            if expiration is not None and expiration <= cmd.ts_ns:
                raise Reject(RejectReason.INVALID_EXPIRATION, "expiration_time is in the past")
        # Checks run validation, identity, market state, then risk (as for new orders), so a
        # paused market answers trading_is_paused whatever the requested size.
        self._check_trading(market)
        new_remaining = cmd.count_c - order.fill_c
        if new_remaining <= 0:
            raise Reject(RejectReason.INVALID_AMEND, "count must exceed the filled size")
        self._reserve_amend(order, market, cmd.price_cc, idx, new_remaining)
        # Accepted.
        old = self._snapshot(order, "amended")
        if new_coid and new_coid != order.client_order_id:
            self.client_ids[(cmd.user_id, new_coid)] = order.order_id
            if order.client_order_id:
                self._retire_client_id(cmd.user_id, order.client_order_id)
            order.client_order_id = new_coid
        order.expiration_ts_ns = expiration
        self.expiring.pop(order.order_id, None)
        keeps_place = cmd.price_cc == order.price_cc and new_remaining <= order.remaining_c
        order.initial_c = cmd.count_c
        if keeps_place:
            if expiration is not None:
                self.expiring[order.order_id] = expiration
            self._shrink_resting(order, market, order.remaining_c - new_remaining)
            return {"old": old, "new": self._snapshot(order, "amended")}
        group = self._group_side(order.key, order.ticker, order.is_bid)
        group.remove(order)
        market.book.unqueue(order)
        self._delta(market, order, -order.remaining_c)
        order.set_price(cmd.price_cc, idx)
        order.remaining_c = new_remaining
        order.fee_lot_cc = max_fee_cc_per_lot(market.fees, order.outcome_limit_cc, market.lot_c)
        order.updated_ns = cmd.ts_ns
        group.add(order)
        self._execute_new(order, market, None)
        self._rebalance(order.key, order.ticker)
        return {"old": old, "new": self._snapshot(order, "amended")}

    def _reserve_amend(
        self, order: Order, market: Market, price_cc: int, idx: int, remaining_c: int
    ) -> None:
        """Check the account can carry the amended order; change nothing if not."""
        group = self._group_side(order.key, order.ticker, order.is_bid)
        saved = (order.price_cc, order.price_idx, order.remaining_c, order.fee_lot_cc)
        group.remove(order)
        order.set_price(price_cc, idx)
        order.remaining_c = remaining_c
        order.fee_lot_cc = max_fee_cc_per_lot(market.fees, order.outcome_limit_cc, market.lot_c)
        group.add(order)
        needed = self._required_reserve(order.key, order.ticker, order.is_bid, group)
        account = self.ledger.accounts[order.key]
        ok = self.ledger.can_reserve(account, group, needed)
        group.remove(order)
        order.set_price(saved[0], saved[1])
        order.remaining_c = saved[2]
        order.fee_lot_cc = saved[3]
        group.add(order)
        if not ok:
            raise Reject(
                RejectReason.INSUFFICIENT_BALANCE, "insufficient balance for the amendment"
            )
        if needed > group.reserve_cc:
            self.ledger.set_reserve(account, group, needed, self.now_ns)

    # --- order groups ---------------------------------------------------------------------

    def _order_group(self, group_id: str, user_id: str) -> OrderGroup:
        group = self.groups.get(group_id)
        if group is None or group.key[0] != user_id:
            raise Reject(RejectReason.ORDER_GROUP_NOT_FOUND, f"order group {group_id} not found")
        if group.triggered:
            raise Reject(
                RejectReason.ORDER_GROUP_TRIGGERED, "order group is triggered; reset it first"
            )
        return group

    def _create_group(self, cmd: c.CreateOrderGroup) -> str:
        self._account(cmd.user_id, cmd.subaccount)
        if cmd.contracts_limit_c is not None and cmd.contracts_limit_c <= 0:
            raise Reject(RejectReason.INVALID_PARAMETERS, "contracts_limit must be positive")
        group_id = self._new_id(4)
        self.groups[group_id] = OrderGroup(
            group_id, (cmd.user_id, cmd.subaccount), cmd.contracts_limit_c, cmd.ts_ns
        )
        self._group_event(self.groups[group_id], "created")
        return group_id

    def _group_event(self, group: OrderGroup, kind: str) -> None:
        self._out.append(
            OrderGroupUpdate(
                ts_ns=self.now_ns,
                group_id=group.group_id,
                user_id=group.key[0],
                subaccount=group.key[1],
                kind=kind,
                contracts_limit_c=group.limit_c,
            )
        )

    def _cancel_group_orders(self, group: OrderGroup) -> None:
        for order_id in list(group.orders):
            order = self.orders.get(order_id)
            # A taker whose last fill tripped the limit has nothing left to cancel.
            if order is not None and order.remaining_c > 0:
                self._cancel(order, "order_group_triggered")

    def _group_fill(self, group_id: str, count_c: int) -> None:
        group = self.groups.get(group_id)
        if group is None or group.triggered:
            return
        if group.record_fill(count_c, self.now_ns):
            group.triggered = True
            self._cancel_group_orders(group)
            self._group_event(group, "triggered")

    def _group_action(self, cmd: c.OrderGroupAction) -> str:
        group = self.groups.get(cmd.group_id)
        if group is None or group.key[0] != cmd.user_id:
            raise Reject(
                RejectReason.ORDER_GROUP_NOT_FOUND, f"order group {cmd.group_id} not found"
            )
        if cmd.action == "reset":
            group.reset()
            self._group_event(group, "reset")
        elif cmd.action == "trigger":
            group.triggered = True
            self._cancel_group_orders(group)
            self._group_event(group, "triggered")
        else:
            self._cancel_group_orders(group)
            del self.groups[cmd.group_id]
            self._group_event(group, "deleted")
        return cmd.group_id

    def _group_limit(self, cmd: c.UpdateOrderGroupLimit) -> str:
        group = self.groups.get(cmd.group_id)
        if group is None or group.key[0] != cmd.user_id:
            raise Reject(
                RejectReason.ORDER_GROUP_NOT_FOUND, f"order group {cmd.group_id} not found"
            )
        if cmd.contracts_limit_c <= 0:
            raise Reject(RejectReason.INVALID_PARAMETERS, "contracts_limit must be positive")
        group.limit_c = cmd.contracts_limit_c
        self._group_event(group, "limit_updated")
        if not group.triggered and group.window_c >= group.limit_c:
            group.triggered = True
            self._cancel_group_orders(group)
            self._group_event(group, "triggered")
        return cmd.group_id


_HANDLERS: dict[type, Callable[[Exchange, Any], Any]] = {
    c.CreateUser: Exchange._create_user,
    c.RegisterApiKey: Exchange._register_key,
    c.RevokeApiKey: Exchange._revoke_key,
    c.SetUserTier: Exchange._set_tier,
    c.Deposit: Exchange._deposit,
    c.Withdraw: Exchange._withdraw,
    c.CreateSubaccount: Exchange._create_subaccount,
    c.TransferCash: Exchange._transfer,
    c.AddSeries: Exchange._add_series,
    c.AddEvent: Exchange._add_event,
    c.AddMarket: Exchange._add_market,
    c.SetMarketState: Exchange._set_market_state,
    c.DetermineMarket: Exchange._determine,
    c.FinalizeMarket: Exchange._finalize_cmd,
    c.SetExchangeState: Exchange._set_exchange_state,
    c.Tick: Exchange._tick,
    c.PlaceOrder: Exchange._place,
    c.CancelOrder: Exchange._cancel_cmd,
    c.AmendOrder: Exchange._amend,
    c.DecreaseOrder: Exchange._decrease,
    c.CancelAll: Exchange._cancel_all,
    c.CreateOrderGroup: Exchange._create_group,
    c.OrderGroupAction: Exchange._group_action,
    c.UpdateOrderGroupLimit: Exchange._group_limit,
}
