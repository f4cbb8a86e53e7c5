"""Seeded random simulation: millions of commands through the engine, audited and replayed.

    python -m augury.sim --commands 2000000 [--seed S] [--audit-every K]

A ``Workload`` (the generator) produces a realistic command stream over about 20 markets
and 50 users: resting limits near the touch, crossing orders, immediate-or-cancel,
fill-or-kill, post-only, reduce-only and market orders, cancels, amends, decreases,
cancel-all, batches, order groups, pauses and resumes of markets and of the exchange,
market closes (by command and by time) and settlements (yes, no, scalar, void, with and
without a settlement timer, sometimes disputed) with new markets replacing settled ones,
deposits, withdrawals, subaccount transfers, ticks, and a trickle of deliberately invalid
commands. It sees the engine only as a client does: through the events of each outcome
(which orders rest, balances, positions, market states, order groups).

``run`` applies the stream to an ``Exchange`` and checks, every ``audit_every`` commands
and at the end:

- ``augury.engine.audit.audit`` finds no broken invariant;
- the client's view built from events agrees with the state (resting orders, available
  balances, positions): every change the engine made was announced;
- about 20 times per run (at most once per audit interval), a deliberately invalid
  command is applied between two ``state_digest`` calls, which must be equal (a rejected
  command changes nothing, not even the clock).

Every command is encoded with ``encode_command`` into an in-memory log as it is issued,
beside its time (the sequencer's order: journal, then apply). At the end the log is
decoded and replayed, each command at its logged time, into a fresh ``Exchange``; each
replayed outcome must match the original (accepted or the same reject reason, same
number of events), the digests taken at about 10 of the audit points must match, and
the final ``state_digest`` must match byte for byte. Any
exception, violation or mismatch stops the run with the 0-based index of the command at
fault (an audit failure is re-run from the seed with an audit after every command of the
failing interval to find the exact command) and the CLI prints
``FAILED seed=... at command ...`` and exits 1.

Why this module may use ``random``: the rule against randomness binds the engine and the
ledger, whose state must be a pure function of the command log. The simulation is a
*client* of the engine. Its draws only decide which commands to issue; the commands are
what the engine sees and what the log records, so replay never consults the generator.
The generator is itself deterministic: its only inputs are a ``random.Random`` seeded
from ``--seed`` and the (deterministic) outcomes of its own earlier commands, so a seed
reproduces a run exactly and a failing seed is a reproduction.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from augury.domain.grid import GRIDS
from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.events import (
    BalanceUpdate,
    ExchangeUpdate,
    MarketUpdate,
    OrderGroupUpdate,
    OrderUpdate,
    PositionUpdate,
    TradeEvent,
)
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest

__all__ = ["DEFAULT_AUDIT_EVERY", "DEFAULT_SEED", "SimReport", "Workload", "main", "run"]

DEFAULT_SEED = 20_260_314
DEFAULT_AUDIT_EVERY = 20_000
INSTANCE_ID = "augury-sim"
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
RESULTS: tuple[Literal["yes", "no", "scalar", "void"], ...] = ("yes", "no", "scalar", "void")
SIZES_CONTRACTS = (1, 1, 1, 2, 2, 3, 5, 5, 10, 20, 50)
_REJECT_CODES = {reason: n for n, reason in enumerate(RejectReason, start=1)}

Side = Literal["bid", "ask"]


# --- the client's view of the exchange ----------------------------------------------------


class _Live:
    """An order the workload believes is resting (from its last OrderUpdate)."""

    __slots__ = ("fill_c", "is_bid", "order_id", "price_cc", "remaining_c", "sub", "ticker", "user")

    def __init__(self, e: OrderUpdate) -> None:
        self.order_id = e.order_id
        self.user = e.user_id
        self.sub = e.subaccount
        self.ticker = e.ticker
        self.is_bid = e.side == "bid"
        self.price_cc = e.price_cc
        self.fill_c = e.fill_c
        self.remaining_c = e.remaining_c


class _Mkt:
    """A market as the workload sees it, with a drifting fair price (a grid index)."""

    __slots__ = ("fair", "lot_c", "prices", "status", "step", "ticker", "timer_s")

    def __init__(self, ticker: str, structure: str, fractional: bool, fair: int) -> None:
        self.ticker = ticker
        self.prices = GRIDS[structure].prices_cc
        self.lot_c = 1 if fractional else 100
        self.step = 3 if structure == "deci_cent" else 1
        self.fair = fair
        self.status = "initialized"
        self.timer_s = 0


class _LiveSet:
    """Resting orders by id, with O(1) uniform random choice (list + position map)."""

    __slots__ = ("ids", "orders", "pos")

    def __init__(self) -> None:
        self.orders: dict[str, _Live] = {}
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def put(self, live: _Live) -> None:
        if live.order_id not in self.orders:
            self.pos[live.order_id] = len(self.ids)
            self.ids.append(live.order_id)
        self.orders[live.order_id] = live

    def drop(self, order_id: str) -> None:
        if self.orders.pop(order_id, None) is None:
            return
        at = self.pos.pop(order_id)
        last = self.ids.pop()
        if last != order_id:
            self.ids[at] = last
            self.pos[last] = at

    def pick(self, rng: random.Random) -> _Live | None:
        if not self.ids:
            return None
        return self.orders[self.ids[rng.randrange(len(self.ids))]]


# --- the generator ---------------------------------------------------------------------


class Workload:
    """A pure, seeded command generator that learns the outcome of each command it issued.

    ``next_command()`` returns the next command, to be applied at time ``ts``;
    ``observe(outcome)`` must be called with its outcome before the next call. ``probe``
    is true when the last command was issued to be rejected (off-grid price, unaffordable
    size, ...).
    """

    def __init__(self, rng: random.Random, *, markets: int = MARKETS, users: int = USERS) -> None:
        self.rng = rng
        self.ts = START_TS_NS
        self.n_markets = markets
        self.users = [f"u{n:03d}" for n in range(users)]
        self.subs: dict[str, int] = dict.fromkeys(self.users, 1)
        self.live = _LiveSet()
        self.markets: dict[str, _Mkt] = {}
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
        market = _Mkt(ticker, structure, fractional, rng.randint(size // 10, size - 1 - size // 10))
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
                        live.put(_Live(e))
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
        """Return the next command of the stream."""
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
            return self._group_op()
        if r < 0.945:
            return self._invalid()
        if r < 0.947:
            user = rng.choice(self.users)
            ticker = rng.choice(self.active) if self.active and rng.random() < 0.7 else None
            return c.CancelAll(user_id=user, ticker=ticker)
        return self._lifecycle(rng.random())

    def _trading(self, r: float) -> c.Command:
        if r < 0.60:
            if len(self.live) > LIVE_TARGET and self.rng.random() < 0.5:
                return self._cancel()  # keep the books from growing without bound
            return self._order("rest")
        if r < 0.77:
            return self._order("cross")
        if r < 0.84:
            return self._order("ioc")
        if r < 0.89:
            return self._order("fok")
        if r < 0.96:
            return self._order("post")
        if r < 0.98:
            return self._reduce_only()
        return self._market_order()

    def _pick_market(self) -> _Mkt:
        rng = self.rng
        if self.active and rng.random() < 0.99:
            return self.markets[rng.choice(self.active)]
        return self.markets[rng.choice(list(self.markets))]  # maybe paused, closed or unopened

    def _pick_account(self) -> tuple[str, int]:
        rng = self.rng
        user = rng.choice(self.users)
        subs = self.subs[user]
        sub = rng.randrange(1, subs) if subs > 1 and rng.random() < 0.3 else 0
        return user, sub

    def _count(self, market: _Mkt) -> int:
        if market.lot_c == 1:
            return self.rng.randint(1, 3_000)
        return 100 * self.rng.choice(SIZES_CONTRACTS)

    def _price(self, market: _Mkt, is_bid: bool, cross: bool) -> int:
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

    def _order(self, style: str) -> c.Command:
        rng = self.rng
        market = self._pick_market()
        user, sub = self._pick_account()
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
        market = self._pick_market()
        user, sub = self._pick_account()
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
        market = self._pick_market()
        user, sub = self._pick_account()
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
            return self._order("rest")
        sub = order.sub if self.rng.random() < 0.5 else None
        return c.CancelOrder(user_id=order.user, order_id=order.order_id, subaccount=sub)

    def _amend(self) -> c.Command:
        rng = self.rng
        order = self.live.pick(rng)
        if order is None or order.ticker not in self.markets:
            return self._order("rest")
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
            return self._order("rest")
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
            item = self._cancel() if r < 0.3 else self._order("cross" if r < 0.5 else "rest")
            assert not isinstance(item, c.Batch)
            items.append(item)
        return c.Batch.of(items)

    def _cash(self) -> c.Command:
        rng = self.rng
        user, sub = self._pick_account()
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

    def _group_op(self) -> c.Command:
        rng = self.rng
        if len(self.group_ids) < 6 or rng.random() < 0.1:
            limit = None if rng.random() < 0.2 else 100 * rng.randint(5, 60)
            return c.CreateOrderGroup(user_id=rng.choice(self.users), contracts_limit_c=limit)
        group_id = rng.choice(self.group_ids)
        user, triggered = self.groups[group_id]
        r = rng.random()
        if triggered and r < 0.8:
            return c.OrderGroupAction(user_id=user, group_id=group_id, action="reset")
        if r < 0.4:
            return c.UpdateOrderGroupLimit(
                user_id=user,
                group_id=group_id,
                contracts_limit_c=100 * rng.randint(1, 80),
            )
        if r < 0.8:
            return c.OrderGroupAction(user_id=user, group_id=group_id, action="trigger")
        return c.OrderGroupAction(user_id=user, group_id=group_id, action="delete")

    def _lifecycle(self, r: float) -> c.Command:
        rng = self.rng
        if self.exchange_paused:
            if r < 0.5:
                return c.SetExchangeState(paused=False)
            return self._order("rest")  # refused while paused
        by_status: dict[str, list[str]] = {}
        for ticker, market in self.markets.items():
            by_status.setdefault(market.status, []).append(ticker)
        # Per command these are about: exchange pause 1/9,000, market pause 1/1,500, close
        # 1/3,000 (plus closes by time), determine-while-open 1/6,000; the rest are ticks.
        active = by_status.get("active", [])
        waiting = by_status.get("determined", []) + by_status.get("amended", [])
        closed = by_status.get("closed", []) + waiting
        if r < 0.002:
            return c.SetExchangeState(paused=True)
        if r < 0.014:
            if active:
                return c.SetMarketState(ticker=rng.choice(active), action="pause")
        elif r < 0.2:
            if by_status.get("inactive"):
                ticker = rng.choice(by_status["inactive"])
                return c.SetMarketState(ticker=ticker, action="resume")
        elif r < 0.206:
            if active:
                return c.SetMarketState(ticker=rng.choice(active), action="close")
        else:
            return self._settlement(r, active, closed, waiting)
        return c.Tick()

    def _settlement(
        self, r: float, active: list[str], closed: list[str], waiting: list[str]
    ) -> c.Command:
        rng = self.rng
        if r < 0.6:
            if closed:
                return self._determine(rng.choice(closed))
        elif r < 0.7:
            if waiting:
                return c.FinalizeMarket(ticker=rng.choice(waiting))
        elif r < 0.703 and active:
            # Determining an open market closes it first.
            return self._determine(rng.choice(active))
        return c.Tick()

    def _determine(self, ticker: str) -> c.Command:
        rng = self.rng
        result = rng.choice(RESULTS)
        if self.markets[ticker].status != "closed" and rng.random() < 0.5:
            return c.FinalizeMarket(ticker=ticker)
        return c.DetermineMarket(
            ticker=ticker,
            result=result,
            value_cc=rng.randint(0, 10_000) if result == "scalar" else None,
            settle_now=rng.random() < 0.2,
        )

    def _invalid(self) -> c.Command:
        """A command that must be refused (and so must change nothing)."""
        rng = self.rng
        self.probe = True
        market = self._pick_market()
        user, sub = self._pick_account()
        r = rng.random()
        if r < 0.2:  # off the grid
            return c.PlaceOrder(
                user_id=user,
                ticker=market.ticker,
                side="bid",
                price_cc=market.prices[0] + 1,
                count_c=100,
                time_in_force="good_till_canceled",
            )
        if r < 0.4:  # far more than any account holds
            return c.PlaceOrder(
                user_id=user,
                subaccount=sub,
                ticker=market.ticker,
                side="ask",
                price_cc=market.prices[len(market.prices) // 2],
                count_c=10_000_000_000,
                time_in_force="good_till_canceled",
            )
        order = self.live.pick(rng)
        if r < 0.6 and order is not None:  # an unaffordable amend
            return c.AmendOrder(
                user_id=order.user,
                order_id=order.order_id,
                ticker=order.ticker,
                side="bid" if order.is_bid else "ask",
                price_cc=order.price_cc,
                count_c=order.fill_c + 10_000_000_000,
            )
        if r < 0.7 and order is not None:  # someone else's order
            other = self.users[(self.users.index(order.user) + 1) % len(self.users)]
            return c.CancelOrder(user_id=other, order_id=order.order_id)
        if r < 0.8:
            available = self.available.get((user, sub), 0)
            return c.Withdraw(user_id=user, subaccount=sub, amount_cc=available + 100)
        if r < 0.9:
            return c.PlaceOrder(
                user_id=user,
                ticker=market.ticker,
                side="bid",
                price_cc=market.prices[0],
                count_c=100,
                time_in_force="fill_or_kill",
                post_only=True,
            )
        return c.CancelOrder(user_id=user, order_id="no-such-order")


# --- running ---------------------------------------------------------------------------


@dataclass
class SimReport:
    """What a run did and whether it failed (``failure`` is None when it passed)."""

    seed: int
    commands: int
    audit_every: int
    applied: int = 0
    digest: str = ""
    replay_digest: str = ""
    failure: str | None = None
    failure_index: int | None = None
    failure_command: str | None = None
    audits: int = 0
    probes: int = 0
    trades: int = 0
    settled_markets: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    log_bytes: int = 0
    run_s: float = 0.0
    replay_s: float = 0.0
    cpu_s: float = 0.0  # process CPU time of run + replay (the machine may be shared)

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def commands_per_s(self) -> float:
        """Throughput of the live run (generation, apply, journal encoding, observing)."""
        return self.applied / self.run_s if self.run_s else 0.0

    @property
    def replay_commands_per_s(self) -> float:
        return self.applied / self.replay_s if self.replay_s else 0.0


class _Failure(Exception):
    def __init__(
        self, index: int, message: str, command: c.Command | None, *, audit: bool = False
    ) -> None:
        super().__init__(message)
        self.index = index
        self.message = message
        self.command = command
        self.audit = audit  # found by a periodic check: the fault may be earlier


def _outcome_code(outcome: Outcome[object]) -> int:
    return 0 if outcome.reject is None else _REJECT_CODES[outcome.reject.reason]


def _view_problems(workload: Workload, exchange: Exchange) -> list[str]:
    """Compare the client's view, built only from events, with the exchange's state."""
    problems = []
    live = workload.live.orders
    resting = exchange.orders
    if live.keys() != resting.keys():
        extra = sorted(live.keys() - resting.keys())[:3]
        missing = sorted(resting.keys() - live.keys())[:3]
        problems.append(f"events disagree on resting orders: gone {extra}, unannounced {missing}")
    for order_id, seen in live.items():
        order = resting.get(order_id)
        if order is not None and (order.remaining_c, order.price_cc) != (
            seen.remaining_c,
            seen.price_cc,
        ):
            problems.append(f"events disagree on order {order_id}")
            break
    for key, account in exchange.ledger.accounts.items():
        if workload.available.get(key, 0) != account.available_cc:
            problems.append(f"events disagree on available cash of {key}")
            break
    for pkey, position in exchange.ledger.positions.items():
        if workload.positions.get(pkey, 0) != position.position_c:
            problems.append(f"events disagree on position {pkey}")
            break
    return problems


class _Run:
    """One live run: generator, exchange, journal log, checks."""

    def __init__(self, seed: int, audit_every: int, commands: int) -> None:
        self.workload = Workload(random.Random(seed))
        self.exchange = Exchange(INSTANCE_ID)
        self.audit_every = audit_every
        # The digest grows with everything the exchange remembers (client ids, closed
        # orders), so checkpoints and refused-command probes are spaced to about 10 and
        # 20 per run; the audit itself runs every ``audit_every`` commands.
        self.digest_every = max(audit_every, commands // 10)
        self.probe_every = max(audit_every, commands // 20)
        self.next_digest = self.digest_every - 1
        self.next_probe = 0
        self.log = bytearray()
        self.ends = array("Q")
        self.times = array("q")  # each logged command's time (its journal envelope)
        self.codes = bytearray()
        self.event_counts = bytearray()
        self.checkpoints: dict[int, str] = {}  # command index -> digest after it
        self.index = -1
        self.last_good_audit = -1
        self.probes = 0
        self.audits = 0
        self.rejects: dict[str, int] = {}

    def step(self, *, audit_now: bool = False, digest: bool = True) -> None:
        """Issue, journal and apply one command, then run the checks that are due."""
        self.index += 1
        index = self.index
        workload = self.workload
        command = workload.next_command()
        ts_ns = workload.ts
        self.log += c.encode_command(command)
        self.ends.append(len(self.log))
        self.times.append(ts_ns)
        probing = digest and workload.probe and index >= self.next_probe
        before = state_digest(self.exchange) if probing else ""
        try:
            outcome = self.exchange.apply(command, ts_ns)
        except Exception as exc:
            detail = traceback.format_exception_only(exc)[-1].strip()
            raise _Failure(index, f"exception while applying: {detail}", command) from exc
        if outcome.reject is not None:
            reason = outcome.reject.reason.value
            self.rejects[reason] = self.rejects.get(reason, 0) + 1
        if probing:
            self.next_probe = index + self.probe_every
            self.probes += 1
            if outcome.reject is None:
                raise _Failure(index, "a command built to be invalid was accepted", command)
            if state_digest(self.exchange) != before:
                raise _Failure(index, "a rejected command changed the state", command)
        self.codes.append(_outcome_code(outcome))
        self.event_counts.append(len(outcome.events) & 0xFF)
        workload.observe(outcome)
        if audit_now or (index + 1) % self.audit_every == 0:
            self.check(index, command, digest=digest and (audit_now or index >= self.next_digest))

    def check(self, index: int, command: c.Command, *, digest: bool) -> None:
        self.audits += 1
        problems = audit(self.exchange) + _view_problems(self.workload, self.exchange)
        if problems:
            raise _Failure(index, "; ".join(problems[:5]), command, audit=True)
        self.last_good_audit = index
        if digest:
            self.checkpoints[index] = state_digest(self.exchange)
            self.next_digest = index + self.digest_every

    def payload(self, index: int) -> bytes:
        start = self.ends[index - 1] if index else 0
        return bytes(memoryview(self.log)[start : self.ends[index]])


def _pinpoint(seed: int, audit_every: int, first: int, last: int) -> _Failure | None:
    """Re-run from the seed, auditing after every command in ``first..last``."""
    again = _Run(seed, audit_every, last + 1)
    try:
        while again.index + 1 < first:
            again.step(digest=False)
        while again.index < last:
            again.step(audit_now=True, digest=False)
    except _Failure as failure:
        return failure
    return None


def _replay(
    live: _Run,
    report: SimReport,
    progress: Callable[[str], None] | None,
    progress_every: int,
) -> None:
    """Decode the log into a fresh exchange and compare outcomes, checkpoints and digest."""
    fresh = Exchange(INSTANCE_ID)
    mark_t = time.perf_counter()
    decode = c.decode_command
    codes, counts, checkpoints = live.codes, live.event_counts, live.checkpoints
    times = live.times
    for index in range(live.index + 1):
        command = decode(live.payload(index))
        try:
            outcome: Outcome[object] = fresh.apply(command, times[index])
        except Exception as exc:
            detail = traceback.format_exception_only(exc)[-1].strip()
            raise _Failure(index, f"exception during replay: {detail}", command) from exc
        if _outcome_code(outcome) != codes[index] or len(outcome.events) & 0xFF != counts[index]:
            raise _Failure(index, "replay outcome differs from the live run", command)
        expected = checkpoints.get(index)
        if expected is not None and state_digest(fresh) != expected:
            raise _Failure(index, "replay digest differs from the live run's", command)
        if progress is not None and (index + 1) % progress_every == 0:
            now = time.perf_counter()
            progress(
                f"{index + 1:>12,} replayed {progress_every / (now - mark_t):>10,.0f} commands/s"
            )
            mark_t = now
    report.replay_digest = state_digest(fresh)
    if report.replay_digest != report.digest:
        raise _Failure(live.index, "final replay digest differs", None)


def run(
    commands: int,
    seed: int = DEFAULT_SEED,
    audit_every: int = DEFAULT_AUDIT_EVERY,
    *,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 100_000,
) -> SimReport:
    """Run ``commands`` generated commands from ``seed``; see the module docstring."""
    if commands <= 0 or audit_every <= 0:
        raise ValueError("commands and audit_every must be positive")
    report = SimReport(seed=seed, commands=commands, audit_every=audit_every)
    live = _Run(seed, audit_every, commands)
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        try:
            mark, mark_t = 0, started
            while live.index + 1 < commands:
                live.step(audit_now=live.index + 2 == commands)
                done = live.index + 1
                if progress is not None and done % progress_every == 0:
                    now = time.perf_counter()
                    progress(
                        f"{done:>12,} commands {(done - mark) / (now - mark_t):>10,.0f} commands/s"
                        f"  resting={len(live.exchange.orders):,} trades={live.workload.trades:,}"
                        f" settled={live.workload.settled}"
                    )
                    mark, mark_t = done, now
        except _Failure as failure:
            if failure.audit and live.last_good_audit < failure.index - 1:
                exact = _pinpoint(seed, audit_every, live.last_good_audit + 1, failure.index)
                if exact is not None:
                    raise exact from None
            raise
        report.run_s = time.perf_counter() - started
        report.digest = live.checkpoints[live.index]
        if progress is not None:
            progress(f"applied {commands:,} commands; replaying the log ({len(live.log):,} bytes)")
        replay_started = time.perf_counter()
        _replay(live, report, progress, progress_every)
        report.replay_s = time.perf_counter() - replay_started
    except _Failure as failure:
        report.failure = failure.message
        report.failure_index = failure.index
        report.failure_command = repr(failure.command) if failure.command is not None else None
        report.run_s = report.run_s or time.perf_counter() - started
    report.applied = live.index + 1
    report.cpu_s = time.process_time() - cpu_started
    report.audits = live.audits
    report.probes = live.probes
    report.trades = live.workload.trades
    report.settled_markets = live.workload.settled
    report.rejects = dict(sorted(live.rejects.items(), key=lambda kv: -kv[1]))
    report.log_bytes = len(live.log)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m augury.sim", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--commands", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--audit-every", type=int, default=DEFAULT_AUDIT_EVERY)
    args = parser.parse_args(argv)
    print(
        f"augury sim: seed={args.seed} commands={args.commands:,} audit_every={args.audit_every:,}",
        flush=True,
    )
    report = run(
        args.commands, args.seed, args.audit_every, progress=lambda s: print(s, flush=True)
    )
    if report.failure is not None:
        print(f"FAILED seed={report.seed} at command {report.failure_index}: {report.failure}")
        if report.failure_command is not None:
            print(f"  command {report.failure_index}: {report.failure_command}")
        print(
            f"  reproduce: python -m augury.sim --seed {report.seed} --commands "
            f"{report.failure_index + 1 if report.failure_index is not None else args.commands}"
            f" --audit-every {args.audit_every}"
        )
        return 1
    print(
        f"run: {report.applied:,} commands in {report.run_s:.1f} s "
        f"({report.commands_per_s:,.0f} commands/s incl. generation, audits every "
        f"{report.audit_every:,}: {report.audits})"
    )
    print(
        f"replay: {report.replay_s:.1f} s ({report.replay_commands_per_s:,.0f} commands/s), "
        f"log {report.log_bytes:,} bytes"
    )
    print(
        f"cpu: {report.cpu_s:.1f} s for run + replay "
        f"(wall {report.run_s + report.replay_s:.1f} s; less CPU than wall means a busy machine)"
    )
    print(
        f"trades={report.trades:,} settled_markets={report.settled_markets} "
        f"rejected-command probes={report.probes}"
    )
    print("rejects: " + ", ".join(f"{k}={v:,}" for k, v in report.rejects.items()))
    print(f"final digest {report.digest} (replay identical)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
