"""Seeded random command streams for the differential test of the two engines.

``CommandStream`` draws every command type with adversarial values (off-grid and negative
prices, zero, odd and huge sizes, unknown users, markets, orders and groups, reused client
and transfer ids, expiries in the past, time running backwards, many users and markets,
settlements and new listings mid-stream). It learns order and group ids from the outcomes
it is shown (``observe``), so cancels, amends and group actions mostly hit live things.

``compare`` drives the Python engine (the specification) and the native engine with one
stream and returns the first difference: the reject (reason and message), the value, the
events field by field, or the canonical state (the bytes the digest hashes) after every
command. Both take a seed, so a failure names the stream that reproduces it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, Literal

import msgspec

from augury.engine import commands as c
from augury.engine.events import ExchangeUpdate, MarketUpdate, OrderUpdate
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import canonical_state

__all__ = ["CommandStream", "compare"]

TS0 = 1_767_225_600_000_000_000
SECOND = 1_000_000_000
FEE_TYPES = ["quadratic", "quadratic_with_maker_fees", "quadratic_with_combo_maker_fees", "flat"]
GRIDS = ["linear_cent", "deci_cent", "tapered_deci_cent"]
ODD_USERS = ["it's", 'say "hi"', "é\u00a0x", "tab\tuser", "\\slash"]
_encoder = msgspec.msgpack.Encoder()


class CommandStream:
    """An endless, seeded stream of commands over a growing exchange."""

    def __init__(self, seed: int, users: int = 12, markets: int = 6) -> None:
        self.rng = random.Random(seed)
        # Event fee overrides (decision 0058) draw from their own generator, so the rest
        # of a seed's stream (which other tests pin by seed) is drawn as before they came.
        self.fee_rng = random.Random(seed * 7_919 + 1)
        self.ts = TS0
        self.users = [f"u{i}" for i in range(users)] + ODD_USERS[: max(0, users // 4)]
        self.subaccounts: dict[str, int] = {}
        self.markets: list[str] = []
        self.events: list[str] = []
        self.live: list[tuple[str, str, str]] = []  # (order id, user, ticker)
        self.sides: dict[str, str] = {}
        self.dead: list[str] = []
        self.groups: list[tuple[str, str]] = []
        self.coids: list[str] = []
        self.transfers: list[str] = []
        self.keys: list[tuple[str, str]] = []
        self.n_markets = markets
        self.listed = 0
        self.status: dict[str, str] = {}
        self.paused = False

    # --- time and picks ---------------------------------------------------------------

    def next_ts(self) -> int:
        r = self.rng.random()
        if r < 0.03:
            return self.ts - self.rng.randint(1, 5 * SECOND)  # a stale stamp: now stays
        if r < 0.08:
            self.ts += self.rng.randint(1, 20) * SECOND
        else:
            self.ts += self.rng.randint(0, 50_000_000)
        return self.ts

    def user(self) -> str:
        if self.rng.random() < 0.02:
            return self.rng.choice(["nobody", ""])
        return self.rng.choice(self.users)

    def ticker(self) -> str:
        r = self.rng.random()
        if r < 0.01 or not self.markets:
            return "NO-SUCH-MARKET"
        active = [t for t in self.markets if self.status.get(t) == "active"]
        if active and r < 0.9:
            return self.rng.choice(active)
        return self.rng.choice(self.markets[-self.n_markets * 2 :])

    def sub(self, user: str) -> int:
        r = self.rng.random()
        if r < 0.02:
            return self.rng.choice([-1, 64, 1_000])
        return self.rng.randrange(self.subaccounts.get(user, 1)) if r < 0.3 else 0

    def price(self) -> int:
        r = self.rng.random()
        if r < 0.03:
            return self.rng.choice([0, 10_000, -100, 150, 55, 99_999, 2**40])
        if r < 0.6:
            return self.rng.randint(44, 56) * 100
        if r < 0.8:
            return self.rng.randint(1, 99) * 100
        return self.rng.randint(1, 999) * 10

    def count(self) -> int:
        r = self.rng.random()
        if r < 0.03:
            return self.rng.choice([0, -100, 50, 1, 37, 10**12])
        if r < 0.2:
            return self.rng.randint(1, 500)
        return self.rng.randint(1, 8) * 100

    def order_id(self) -> tuple[str, str, str] | None:
        r = self.rng.random()
        if r < 0.08 and self.dead:
            return (self.rng.choice(self.dead), self.user(), self.ticker())
        if r < 0.1:
            return ("not-an-order", self.user(), self.ticker())
        if not self.live:
            return None
        return self.rng.choice(self.live)

    # --- observing outcomes ---------------------------------------------------------------

    def observe(self, command: c.Command, outcome: Outcome[object]) -> None:
        """Learn ids from an outcome (orders that rest or die, groups created)."""
        for event in outcome.events:
            if isinstance(event, MarketUpdate):
                self.status[event.ticker] = event.status
            elif isinstance(event, ExchangeUpdate):
                self.paused = not event.trading_active
            elif isinstance(event, OrderUpdate):
                entry = (event.order_id, event.user_id, event.ticker)
                if event.status == "resting":
                    self.sides[event.order_id] = event.side
                    if entry not in self.live:
                        self.live.append(entry)
                elif entry in self.live:
                    self.live.remove(entry)
                    self.sides.pop(event.order_id, None)
                    self.dead.append(event.order_id)
                else:
                    self.dead.append(event.order_id)
        if outcome.reject is None and isinstance(command, c.CreateOrderGroup):
            self.groups.append((str(outcome.value), command.user_id))
        if outcome.reject is None and isinstance(command, c.CreateSubaccount):
            number = outcome.value
            assert isinstance(number, int)
            self.subaccounts[command.user_id] = number + 1
        if len(self.dead) > 2_000:
            del self.dead[:1_000]

    # --- the stream -------------------------------------------------------------------

    def setup(self) -> Iterator[c.Command]:
        for user in self.users:
            yield c.CreateUser(user_id=user, name=user.upper())
            yield c.Deposit(user_id=user, amount_cc=self.rng.randint(1, 5_000) * 10_000)
        for i, fee_type in enumerate(FEE_TYPES):
            mult = self.rng.choice([10_000, 5_000, 0, 25_000, 1])
            yield c.AddSeries(ticker=f"S{i}", fee_type=fee_type, fee_multiplier_e4=mult)
            yield c.AddEvent(event_ticker=f"E{i}", series_ticker=f"S{i}", meta=self.event_meta(i))
            self.events.append(f"E{i}")
        for _ in range(self.n_markets):
            yield self.add_market()

    def add_market(self) -> c.AddMarket:
        self.listed += 1
        ticker = f"M{self.listed}"
        self.markets.append(ticker)
        grid = self.rng.choice(GRIDS)
        meta: dict[str, object] = {"title": ticker}
        r = self.rng.random()
        if r < 0.1:
            meta["fee_multiplier_e4"] = self.rng.choice([0, 7_000, 30_000, True, 1.5, "x"])
        opens = self.ts + (self.rng.randint(1, 30) * SECOND if self.rng.random() < 0.15 else -1)
        return c.AddMarket(
            ticker=ticker,
            event_ticker=self.rng.choice(self.events),
            open_ts_ns=opens,
            close_ts_ns=self.ts + self.rng.randint(600, 20_000) * SECOND,
            price_level_structure=grid,
            fractional=grid != "linear_cent" and self.rng.random() < 0.7,
            settlement_timer_s=self.rng.choice([0, 0, 5, 60]),
            meta=meta,
        )

    def event_meta(self, i: int) -> dict[str, object]:
        """An event's metadata: often a fee override (decision 0058), valid or malformed,
        sometimes only the display-only type that overrides nothing."""
        rng = self.fee_rng
        meta: dict[str, object] = {"title": f"E{i}"}
        r = rng.random()
        if r < 0.6:
            valid: list[object] = [None, 0, 1, 5_000, 10_000, 30_000, 1_000_000]
            malformed: list[object] = [1_000_001, -1, True, 1.5, "2", 2**64 - 1]
            meta["fee_multiplier_override_e4"] = rng.choice([*valid, *malformed])
            if rng.random() < 0.7:
                meta["fee_type_override"] = rng.choice([*FEE_TYPES, None, "steep", 3])
        elif r < 0.7:
            meta["fee_type_override"] = rng.choice(FEE_TYPES)
        return meta

    def event_fees(self) -> c.AddEvent:
        """Refresh an event's metadata: its fee override set, changed, removed or
        malformed while its markets trade (resting orders may be cancelled)."""
        i = self.fee_rng.randrange(len(FEE_TYPES))
        return c.AddEvent(event_ticker=f"E{i}", series_ticker=f"S{i}", meta=self.event_meta(i))

    def __iter__(self) -> Iterator[tuple[c.Command, int]]:
        """Yield each command with the time it is applied at (now and then a stale one)."""
        for setup in self.setup():
            yield setup, self.ts
        table = [
            (40, self.place),
            (9, self.cancel),
            (9, self.amend),
            (5, self.decrease),
            (2, self.cancel_all),
            (6, self.cash),
            (4, self.groups_cmd),
            (2, self.lifecycle),
            (4, self.tick),
            (1, self.settle),
            (3, self.accounts),
            (2, self.batch),
        ]
        weights = [w for w, _ in table]
        makers = [m for _, m in table]
        while True:
            if self.fee_rng.random() < 0.012:
                # At the current time, drawing nothing from ``rng`` (see ``fee_rng``).
                yield self.event_fees(), self.ts
                continue
            ts_ns = self.next_ts()
            command = self.rng.choices(makers, weights)[0]()
            if command is not None:
                yield command, ts_ns

    def place(self) -> c.PlaceOrder:
        rng = self.rng
        user = self.user()
        tif = rng.choices(["good_till_canceled", "immediate_or_cancel", "fill_or_kill"], [6, 3, 1])[
            0
        ]
        coid = None
        if rng.random() < 0.3:
            coid = (
                rng.choice(self.coids)
                if self.coids and rng.random() < 0.2
                else f"c{rng.randrange(10**9)}"
            )
            self.coids.append(coid)
        group = None
        own = [g for g, owner in self.groups if owner == user]
        if own and rng.random() < 0.2:
            group = rng.choice(own)
        elif self.groups and rng.random() < 0.01:
            group = rng.choice(self.groups)[0]
        return c.PlaceOrder(
            user_id=user,
            ticker=self.ticker(),
            side=rng.choice(["bid", "ask"]),
            price_cc=self.price(),
            count_c=self.count(),
            time_in_force=tif,  # type: ignore[arg-type]
            self_trade_prevention=rng.choice(["taker_at_cross", "maker"]),
            subaccount=self.sub(user),
            client_order_id=coid,
            post_only=rng.random() < (0.1 if tif == "good_till_canceled" else 0.01),
            reduce_only=rng.random() < 0.05,
            cancel_order_on_pause=rng.random() < 0.3,
            order_group_id=group,
            expiration_ts_ns=(self.ts + rng.randint(-2, 60) * SECOND)
            if rng.random() < 0.1
            else None,
            legacy_side=rng.choice([None, "yes", "no"]),
            legacy_action=rng.choice([None, "buy", "sell"]),
            order_type=rng.choice(["limit", "market"]),
            buy_max_cost_cc=rng.choice([None] * 12 + [0, rng.randint(1, 10**7)]),
        )

    def cancel(self) -> c.Command | None:
        picked = self.order_id()
        if picked is None:
            return None
        order_id, user, _ = picked
        if self.rng.random() < 0.05:
            user = self.user()
        return c.CancelOrder(
            user_id=user,
            order_id=order_id,
            subaccount=self.rng.choice([None, None, 0, 1]),
        )

    def amend(self) -> c.Command | None:
        picked = self.order_id()
        if picked is None:
            return None
        order_id, user, ticker = picked
        rng = self.rng
        return c.AmendOrder(
            user_id=user,
            order_id=order_id,
            ticker=ticker if rng.random() > 0.03 else self.ticker(),
            side=self.sides.get(order_id, "bid") if rng.random() < 0.95 else "ask",  # type: ignore[arg-type]
            price_cc=self.price(),
            count_c=self.count() + rng.choice([0, 0, 100, 1_000]),
            subaccount=rng.choice([None, None, 0]),
            client_order_id=rng.choice([None, None, "", "c1"]),
            updated_client_order_id=rng.choice([None, None, f"u{rng.randrange(10**6)}"]),
            expiration_ts_ns=rng.choice([None, None, 0, self.ts + rng.randint(-1, 90) * SECOND]),
        )

    def decrease(self) -> c.Command | None:
        picked = self.order_id()
        if picked is None:
            return None
        order_id, user, _ = picked
        rng = self.rng
        by, to = rng.choice([(True, False), (False, True), (True, True), (False, False)])
        return c.DecreaseOrder(
            user_id=user,
            order_id=order_id,
            reduce_by_c=self.count() if by else None,
            reduce_to_c=rng.choice([0, 100, 37, -1, 500, 10**6]) if to else None,
            subaccount=rng.choice([None, 0]),
        )

    def cancel_all(self) -> c.CancelAll:
        return c.CancelAll(
            user_id=self.user(),
            subaccount=self.rng.choice([None, 0, 1]),
            ticker=self.rng.choice([None, self.ticker()]),
        )

    def cash(self) -> c.Command:
        rng = self.rng
        user = self.user()
        amount = rng.choice([rng.randint(1, 10**5) * 100, rng.randint(1, 10**7) * 100, 37, 0, -100])
        kind = rng.random()
        if kind < 0.45:
            return c.Deposit(user_id=user, amount_cc=amount, subaccount=self.sub(user))
        if kind < 0.8:
            return c.Withdraw(user_id=user, amount_cc=amount, subaccount=self.sub(user))
        tid = (
            rng.choice(self.transfers)
            if self.transfers and rng.random() < 0.2
            else f"t{rng.randrange(10**9)}"
        )
        self.transfers.append(tid)
        return c.TransferCash(
            user_id=user,
            from_subaccount=self.sub(user),
            to_subaccount=self.sub(user),
            amount_cc=amount,
            transfer_id=tid,
        )

    def groups_cmd(self) -> c.Command:
        rng = self.rng
        r = rng.random()
        if r < 0.35 or not self.groups:
            user = self.user()
            return c.CreateOrderGroup(
                user_id=user,
                subaccount=self.sub(user),
                contracts_limit_c=rng.choice([None, 100, 500, 2_000, 0, -5]),
            )
        group, owner = rng.choice(self.groups)
        if rng.random() < 0.05:
            owner = self.user()
        if rng.random() < 0.05:
            group = "no-such-group"
        if r < 0.75:
            actions: list[Literal["reset", "trigger", "delete"]] = ["reset", "trigger", "delete"]
            action = rng.choices(actions, [5, 3, 1])[0]
            return c.OrderGroupAction(user_id=owner, group_id=group, action=action)
        return c.UpdateOrderGroupLimit(
            user_id=owner,
            group_id=group,
            contracts_limit_c=rng.choice([100, 300, 1_000, 0]),
        )

    def lifecycle(self) -> c.Command:
        rng = self.rng
        r = rng.random()
        if self.paused:
            return c.SetExchangeState(paused=rng.random() < 0.1)
        if r < 0.1:
            return c.SetExchangeState(paused=rng.random() < 0.7)
        action = rng.choices(["pause", "resume", "close"], [3, 5, 1])[0]
        return c.SetMarketState(ticker=self.ticker(), action=action)  # type: ignore[arg-type]

    def tick(self) -> c.Tick:
        return c.Tick()

    def settle(self) -> c.Command:
        rng = self.rng
        r = rng.random()
        active = sum(1 for t in self.markets if self.status.get(t) in ("active", "initialized"))
        if r < 0.3 or active < self.n_markets:
            return self.add_market()
        if r < 0.4:
            return c.FinalizeMarket(ticker=self.ticker())
        result = rng.choice(["yes", "no", "scalar", "void"])
        return c.DetermineMarket(
            ticker=self.ticker(),
            result=result,  # type: ignore[arg-type]
            value_cc=rng.choice([None, 0, 2_500, 10_000, 10_001, -1])
            if result == "scalar"
            else None,
            settle_now=rng.random() < 0.5,
        )

    def accounts(self) -> c.Command:
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            return c.CreateSubaccount(user_id=self.user())
        if r < 0.35:
            name = f"n{rng.randrange(50)}"
            self.users.append(name) if rng.random() < 0.5 and name not in self.users else None
            return c.CreateUser(user_id=name, name="New")
        if r < 0.55:
            tier = rng.choice(["basic", "prime", "default", "bogus", "unlimited"])
            return c.SetUserTier(user_id=self.user(), tier=tier)
        if r < 0.8 or not self.keys:
            key_id = f"k{rng.randrange(40)}"
            user = self.user()
            self.keys.append((key_id, user))
            return c.RegisterApiKey(
                api_key_id=key_id,
                user_id=user,
                name="key",
                public_key_pem="-----BEGIN PUBLIC KEY-----\nxyz\n-----END PUBLIC KEY-----",
                key_type="ed25519",
                scopes=rng.choice([["read"], ["read", "write"], [], ["admin", "read", "write"]]),
                subaccount=rng.choice([None, 0, 1]),
            )
        key_id, user = rng.choice(self.keys)
        return c.RevokeApiKey(api_key_id=key_id, user_id=rng.choice([user, self.user()]))

    def batch(self) -> c.Batch[object]:
        items: list[Any] = [self.place() for _ in range(self.rng.randint(1, 4))]
        picked = self.cancel()
        if picked is not None:
            items.append(picked)
        return c.Batch.of(items)


def _reject(outcome: Outcome[object]) -> tuple[str, str] | None:
    if outcome.reject is None:
        return None
    return (outcome.reject.reason.value, outcome.reject.message)


def _plain(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], Outcome):
        return [(_reject(o), o.events, _plain(o.value) if o.ok else None) for o in value]
    return value


def compare(
    python: Exchange,
    native: Any,
    command: c.Command,
    ts_ns: int,
    stream: CommandStream | None = None,
) -> tuple[str, Any, Any] | None:
    """Apply one command at ``ts_ns`` to both engines; return the first difference, or None.

    The stream, when given, observes the Python engine's outcome (to learn ids).
    """
    a: Outcome[object] = python.apply(command, ts_ns)
    b: Outcome[object] = native.apply(command, ts_ns)
    if stream is not None:
        stream.observe(command, a)
    if _reject(a) != _reject(b):
        return ("reject", _reject(a), _reject(b))
    if a.events != b.events:
        for i, (x, y) in enumerate(zip(a.events, b.events, strict=False)):
            if x != y:
                return (f"event {i}", x, y)
        return ("event count", len(a.events), len(b.events))
    if a.ok and _plain(a.value) != _plain(b.value):
        return ("value", a.value, b.value)
    expected = _encoder.encode(canonical_state(python))
    got = native.canonical_bytes()
    if expected != got:
        return ("state", msgspec.msgpack.decode(expected), msgspec.msgpack.decode(got))
    return None
