"""The seeded command generator: a realistic stream over about 20 markets and 50 users.

Invariants: the stream is a pure function of the seed and of the outcomes of the
generator's own earlier commands (``observe`` must see each outcome before the next
``next_command``), so a seed reproduces a run exactly. The generator sees the engine only
as a client does, through the events of each outcome (``augury.sim.view``).

Why this module may use ``random``: the rule against randomness binds the engine and the
ledger, whose state must be a pure function of the command log. The generator is a
*client* of the engine: its draws only decide which commands to issue, and the commands
are what the engine sees and what the log records, so replay never consults it.

The common commands (orders of every kind, cancels, amends, decreases, batches, cash) are
drawn here; the rare ones (order groups, lifecycle and settlement, deliberately invalid
probes) in ``augury.sim.rare``.
"""

from __future__ import annotations

import random
from typing import Literal

from augury.domain.grid import GRIDS
from augury.engine import commands as c
from augury.engine.events import (
    BalanceUpdate,
    ExchangeUpdate,
    MarketUpdate,
    OrderGroupUpdate,
    OrderUpdate,
    PositionUpdate,
    TradeEvent,
)
from augury.engine.exchange import Outcome
from augury.sim import rare
from augury.sim.view import LiveOrder, LiveSet, SimMarket

__all__ = ["SECOND_NS", "SERIES", "Workload"]

START_TS_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
SECOND_NS = 1_000_000_000

MARKETS = 20
USERS = 50
POOR_USERS = 4  # accounts with little cash, so insufficient-balance paths run too
LIVE_TARGET = 3_000  # above this many resting orders, new resting orders turn into cancels

SERIES = (
    ("SIMQ", "quadratic", 10_000),
    ("SIMM", "quadratic_with_maker_fees", 10_000),
    ("SIMC", "quadratic_with_combo_maker_fees", 5_000),
    ("SIMF", "flat", 20_000),
    ("SIMH", "quadratic", 15_000),
)
STRUCTURES = ("linear_cent", "linear_cent", "deci_cent", "tapered_deci_cent")
SIZES_CONTRACTS = (1, 1, 1, 2, 2, 3, 5, 5, 10, 20, 50)

Side = Literal["bid", "ask"]


class Workload:
    """A pure, seeded command generator that learns the outcome of each command it issued.

    ``next_command()`` returns the next command, to be applied at time ``ts`` (what the
    sequencer's envelope would carry); ``observe(outcome)`` must be called with its
    outcome before the next call. ``probe`` is true when the last command was issued to be
    rejected (off-grid price, unaffordable size, ...).
    """

    def __init__(self, rng: random.Random, *, markets: int = MARKETS, users: int = USERS) -> None:
        self.rng = rng
        self.ts = START_TS_NS
        self.n_markets = markets
        self.users = [f"u{n:03d}" for n in range(users)]
        self.subs: dict[str, int] = dict.fromkeys(self.users, 1)
        self.live = LiveSet()
        self.markets: dict[str, SimMarket] = {}
        self.active: list[str] = []
        self.active_dirty = True
        self.available: dict[tuple[str, int], int] = {}
        self.positions: dict[tuple[str, int, str], int] = {}
        self.groups: dict[str, tuple[str, bool]] = {}  # group id -> (user, triggered)
        self.group_ids: list[str] = []
        self.exchange_paused = False
        self.market_seq = 0
        self.event_seq = 0
        self.counter = 0  # client order ids, transfer ids
        self.trades = 0
        self.settled = 0
        self.probe = False
        self.pending: list[c.Command] = self._setup()

    # --- setup ---------------------------------------------------------------------------

    def _setup(self) -> list[c.Command]:
        rng = self.rng
        out: list[c.Command] = [
            c.AddSeries(ticker=t, fee_type=f, fee_multiplier_e4=m) for t, f, m in SERIES
        ]
        for n, user in enumerate(self.users):
            out.append(c.CreateUser(user_id=user, name=f"sim user {n}"))
            dollars = rng.randint(20, 200) if n < POOR_USERS else rng.randint(20_000, 500_000)
            out.append(c.Deposit(user_id=user, amount_cc=dollars * 10_000))
            if n % 5 == 1:
                extra = 2 if n % 15 == 1 else 1
                for sub in range(1, extra + 1):
                    out.append(c.CreateSubaccount(user_id=user))
                    out.append(self._transfer(user, 0, sub, dollars * 2_000))
                self.subs[user] = extra + 1
        for _ in range(self.n_markets):
            out.extend(self._new_market())
        return out

    def _new_market(self) -> list[c.Command]:
        rng = self.rng
        self.market_seq += 1
        ticker = f"SIM-{self.market_seq:05d}"
        cmds: list[c.Command] = []
        if self.event_seq == 0 or rng.random() < 0.5:
            self.event_seq += 1
            series = rng.choice(SERIES)[0]
            cmds.append(c.AddEvent(event_ticker=f"EV-{self.event_seq:05d}", series_ticker=series))
        structure = rng.choice(STRUCTURES)
        fractional = rng.random() < 0.25
        opens = self.ts if rng.random() < 0.8 else self.ts + rng.randint(1, 3) * SECOND_NS
        lifetime_s = rng.randint(2, 20) if rng.random() < 0.2 else rng.randint(60, 1_200)
        timer_s = 0 if rng.random() < 0.6 else rng.randint(1, 5)
        meta: dict[str, object] = {}
        if rng.random() < 0.1:
            meta["fee_multiplier_e4"] = rng.choice((0, 5_000, 30_000))
        cmds.append(
            c.AddMarket(
                ticker=ticker,
                event_ticker=f"EV-{self.event_seq:05d}",
                open_ts_ns=opens,
                close_ts_ns=opens + lifetime_s * SECOND_NS,
                price_level_structure=structure,
                fractional=fractional,
                settlement_timer_s=timer_s,
                meta=meta,
            )
        )
        size = len(GRIDS[structure].prices_cc)
        market = SimMarket(
            ticker, structure, fractional, rng.randint(size // 10, size - 1 - size // 10)
        )
        market.timer_s = timer_s
        self.markets[ticker] = market
        return cmds

    def _transfer(self, user: str, source: int, target: int, amount_cc: int) -> c.TransferCash:
        self.counter += 1
        return c.TransferCash(
            user_id=user,
            from_subaccount=source,
            to_subaccount=target,
            amount_cc=amount_cc,
            transfer_id=f"tr-{self.counter}",
        )

    # --- observing outcomes ----------------------------------------------------------------

    def observe(self, outcome: Outcome[object]) -> None:
        """Update the client's view from the events of the last command."""
        live = self.live
        for e in outcome.events:
            kind = type(e)
            if kind is OrderUpdate:
                assert isinstance(e, OrderUpdate)
                if e.status == "resting":
                    known = live.orders.get(e.order_id)
                    if known is None:
                        live.put(LiveOrder(e))
                    else:
                        known.price_cc = e.price_cc
                        known.fill_c = e.fill_c
                        known.remaining_c = e.remaining_c
                else:
                    live.drop(e.order_id)
            elif kind is BalanceUpdate:
                assert isinstance(e, BalanceUpdate)
                self.available[(e.user_id, e.subaccount)] = e.available_cc
            elif kind is PositionUpdate:
                assert isinstance(e, PositionUpdate)
                self.positions[(e.user_id, e.subaccount, e.ticker)] = e.position_c
            elif kind is TradeEvent:
                self.trades += 1
            elif kind is MarketUpdate:
                assert isinstance(e, MarketUpdate)
                self._market_event(e)
            elif kind is OrderGroupUpdate:
                assert isinstance(e, OrderGroupUpdate)
                self._group_event(e)
            elif kind is ExchangeUpdate:
                assert isinstance(e, ExchangeUpdate)
                self.exchange_paused = not e.trading_active

    def _market_event(self, e: MarketUpdate) -> None:
        market = self.markets.get(e.ticker)
        if market is None:
            return
        market.status = e.status
        self.active_dirty = True
        if e.status == "finalized":
            del self.markets[e.ticker]
            self.settled += 1
            self.pending.extend(self._new_market())

    def _group_event(self, e: OrderGroupUpdate) -> None:
        if e.kind == "deleted":
            del self.groups[e.group_id]
            self.group_ids.remove(e.group_id)
            return
        if e.kind == "created":
            self.group_ids.append(e.group_id)
        triggered = e.kind == "triggered" or (
            e.kind != "reset" and e.group_id in self.groups and self.groups[e.group_id][1]
        )
        self.groups[e.group_id] = (e.user_id, triggered)

    # --- issuing commands ------------------------------------------------------------------

    def next_command(self) -> c.Command:
        """Return the next command of the stream (its time is ``ts`` afterwards)."""
        self.probe = False
        if self.pending:
            return self.pending.pop(0)
        rng = self.rng
        self.ts += rng.randrange(1_000_000)
        if self.active_dirty:
            self.active = [t for t, m in self.markets.items() if m.status == "active"]
            self.active_dirty = False
        r = rng.random()
        if r < 0.65:
            return self._trading(rng.random())
        if r < 0.80:
            return self._cancel()
        if r < 0.86:
            return self._amend()
        if r < 0.90:
            return self._decrease()
        if r < 0.91:
            return self._batch()
        if r < 0.925:
            return self._cash()
        return self._rare(r)

    def _rare(self, r: float) -> c.Command:
        rng = self.rng
        if r < 0.935:
            return c.Tick()
        if r < 0.94:
            return rare.group_op(self)
        if r < 0.945:
            return rare.invalid(self)
        if r < 0.947:
            user = rng.choice(self.users)
            ticker = rng.choice(self.active) if self.active and rng.random() < 0.7 else None
            return c.CancelAll(user_id=user, ticker=ticker)
        return rare.lifecycle(self, rng.random())

    def _trading(self, r: float) -> c.Command:
        if r < 0.60:
            if len(self.live) > LIVE_TARGET and self.rng.random() < 0.5:
                return self._cancel()  # keep the books from growing without bound
            return self.order("rest")
        if r < 0.77:
            return self.order("cross")
        if r < 0.84:
            return self.order("ioc")
        if r < 0.89:
            return self.order("fok")
        if r < 0.96:
            return self.order("post")
        if r < 0.98:
            return self._reduce_only()
        return self._market_order()

    def pick_market(self) -> SimMarket:
        rng = self.rng
        if self.active and rng.random() < 0.99:
            return self.markets[rng.choice(self.active)]
        return self.markets[rng.choice(list(self.markets))]  # maybe paused, closed or unopened

    def pick_account(self) -> tuple[str, int]:
        rng = self.rng
        user = rng.choice(self.users)
        subs = self.subs[user]
        sub = rng.randrange(1, subs) if subs > 1 and rng.random() < 0.3 else 0
        return user, sub

    def _count(self, market: SimMarket) -> int:
        if market.lot_c == 1:
            return self.rng.randint(1, 3_000)
        return 100 * self.rng.choice(SIZES_CONTRACTS)

    def _price(self, market: SimMarket, is_bid: bool, cross: bool) -> int:
        rng = self.rng
        if rng.random() < 0.1:  # the fair price drifts
            market.fair += market.step if rng.random() < 0.5 else -market.step
            top = len(market.prices) - 1
            market.fair = max(top // 20, min(top - top // 20, market.fair))
        offset = 0 if cross else market.step
        while rng.random() < 0.55:
            offset += market.step
        idx = market.fair + offset if is_bid == cross else market.fair - offset
        return market.prices[max(0, min(len(market.prices) - 1, idx))]

    def order(self, style: str) -> c.Command:
        rng = self.rng
        market = self.pick_market()
        user, sub = self.pick_account()
        is_bid = rng.random() < 0.5
        side: Side = "bid" if is_bid else "ask"
        cross = style in ("cross", "ioc", "fok") or (style == "post" and rng.random() < 0.3)
        price = self._price(market, is_bid, cross)
        tif: Literal["good_till_canceled", "immediate_or_cancel", "fill_or_kill"]
        if style == "fok":
            tif = "fill_or_kill"
        elif style == "ioc" or (style == "cross" and rng.random() < 0.3):
            tif = "immediate_or_cancel"
        else:
            tif = "good_till_canceled"
        gtc = tif == "good_till_canceled"
        expiration = None
        if gtc and rng.random() < 0.05:
            expiration = self.ts + rng.randint(1, 20) * SECOND_NS
        client_order_id = None
        if rng.random() < 0.3:
            self.counter += 1
            client_order_id = f"co-{self.counter}"
        group_id = None
        if self.group_ids and rng.random() < 0.05:
            group_id = rng.choice(self.group_ids)
            user, triggered = self.groups[group_id]
            sub = 0
            if triggered and rng.random() < 0.8:
                group_id = None  # mostly, clients do not send orders to a tripped group
        legacy = rng.random() < 0.1
        return c.PlaceOrder(
            user_id=user,
            subaccount=sub,
            ticker=market.ticker,
            side=side,
            price_cc=price,
            count_c=self._count(market) * (3 if style == "fok" and rng.random() < 0.3 else 1),
            time_in_force=tif,
            self_trade_prevention="maker" if rng.random() < 0.25 else "taker_at_cross",
            client_order_id=client_order_id,
            post_only=style == "post",
            cancel_order_on_pause=gtc and rng.random() < 0.1,
            order_group_id=group_id,
            expiration_ts_ns=expiration,
            legacy_side=("yes" if is_bid else "no") if legacy else None,
            legacy_action="buy" if legacy else None,
        )

    def _reduce_only(self) -> c.Command:
        market = self.pick_market()
        user, sub = self.pick_account()
        held = self.positions.get((user, sub, market.ticker), 0)
        is_bid = held < 0 if held else self.rng.random() < 0.5
        return c.PlaceOrder(
            user_id=user,
            subaccount=sub,
            ticker=market.ticker,
            side="bid" if is_bid else "ask",
            price_cc=self._price(market, is_bid, cross=True),
            count_c=self._count(market) * 2,
            time_in_force="immediate_or_cancel",
            reduce_only=True,
        )

    def _market_order(self) -> c.Command:
        rng = self.rng
        market = self.pick_market()
        user, sub = self.pick_account()
        is_bid = rng.random() < 0.5
        fok = rng.random() < 0.5
        return c.PlaceOrder(
            user_id=user,
            subaccount=sub,
            ticker=market.ticker,
            side="bid" if is_bid else "ask",
            price_cc=market.prices[-1] if is_bid else market.prices[0],
            count_c=self._count(market),
            time_in_force="fill_or_kill" if fok else "immediate_or_cancel",
            order_type="market",
            buy_max_cost_cc=rng.randint(1, 60) * 10_000 if fok and rng.random() < 0.5 else None,
        )

    def _cancel(self) -> c.Command:
        order = self.live.pick(self.rng)
        if order is None:
            return self.order("rest")
        sub = order.sub if self.rng.random() < 0.5 else None
        return c.CancelOrder(user_id=order.user, order_id=order.order_id, subaccount=sub)

    def _amend(self) -> c.Command:
        rng = self.rng
        order = self.live.pick(rng)
        if order is None or order.ticker not in self.markets:
            return self.order("rest")
        market = self.markets[order.ticker]
        idx = market.prices.index(order.price_cc)
        if rng.random() < 0.6:
            idx += rng.randint(-3, 3) * market.step
            idx = max(0, min(len(market.prices) - 1, idx))
        lot = market.lot_c
        remaining = order.remaining_c + rng.randint(-3, 3) * (lot if lot > 1 else 100)
        if remaining <= 0:
            remaining = lot
        updated = None
        if rng.random() < 0.1:
            self.counter += 1
            updated = f"co-{self.counter}"
        return c.AmendOrder(
            user_id=order.user,
            order_id=order.order_id,
            ticker=order.ticker,
            side="bid" if order.is_bid else "ask",
            price_cc=market.prices[idx],
            count_c=order.fill_c + remaining,
            subaccount=order.sub if rng.random() < 0.5 else None,
            updated_client_order_id=updated,
            expiration_ts_ns=self.ts + rng.randint(1, 30) * SECOND_NS
            if rng.random() < 0.03
            else None,
        )

    def _decrease(self) -> c.Command:
        rng = self.rng
        order = self.live.pick(rng)
        if order is None or order.ticker not in self.markets:
            return self.order("rest")
        lot = self.markets[order.ticker].lot_c
        lots = order.remaining_c // lot
        if rng.random() < 0.5:
            return c.DecreaseOrder(
                user_id=order.user,
                order_id=order.order_id,
                reduce_by_c=lot * rng.randint(1, max(1, lots)),
            )
        return c.DecreaseOrder(
            user_id=order.user,
            order_id=order.order_id,
            reduce_to_c=lot * rng.randint(0, max(0, lots - 1)),
        )

    def _batch(self) -> c.Command:
        items: list[c.Single] = []
        for _ in range(self.rng.randint(2, 5)):
            r = self.rng.random()
            item = self._cancel() if r < 0.3 else self.order("cross" if r < 0.5 else "rest")
            assert not isinstance(item, c.Batch)
            items.append(item)
        return c.Batch.of(items)

    def _cash(self) -> c.Command:
        rng = self.rng
        user, sub = self.pick_account()
        available = self.available.get((user, sub), 0)
        r = rng.random()
        if r < 0.4:
            return c.Deposit(
                user_id=user,
                subaccount=sub,
                amount_cc=rng.randint(1, 1_000_000) * 100,
            )
        if r < 0.8 and available >= 100:
            amount = max(100, available // rng.randint(5, 50) // 100 * 100)
            return c.Withdraw(user_id=user, subaccount=sub, amount_cc=amount)
        if self.subs[user] > 1 and available >= 100:
            target = rng.choice([s for s in range(self.subs[user]) if s != sub])
            return self._transfer(user, sub, target, max(100, available // 10 // 100 * 100))
        return c.Deposit(user_id=user, amount_cc=rng.randint(1, 10_000) * 100)
