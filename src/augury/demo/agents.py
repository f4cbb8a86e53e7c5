"""Simulated takers: noise traders who keep trades flowing, informed traders who keep
prices honest. (The market makers they trade with live in ``augury.demo.maker``.)

``NoiseDesk`` runs a crowd of small accounts. Each round it sends a number of orders set by
``Activity``: mostly immediate-or-cancel orders that cross the spread (sometimes a tick or
two through it), sometimes reduce-only orders that close a position, and good-till-
cancelled limit orders that join or improve the touch and expire after a few minutes.
Taker orders accumulate at a steady rate (plus random bursts), so at every activity level
at least one crosses each second. Popular series and markets near 50% are picked more
often. Accounts that run low top up with an ordinary deposit.

``InformedDesk`` knows the truth's fair probability. Every few rounds each informed
trader scans some markets and takes any quote that is wrong by more than its edge plus
the taker fee: after a jump, before the makers' lagging beliefs catch up. Positions are
capped per market.

Both size every order to what the account can pay for (outcome price plus a fee bound),
so rejections are rare; the ones that still happen (a quote that went away earlier in the
same round) are simply counted by the runner.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

from augury.demo.view import Activity, MarketView
from augury.engine import commands as c
from augury.engine.book import Book
from augury.engine.exchange import Exchange, Outcome

__all__ = ["InformedDesk", "NoiseDesk"]

_LOT_C = 100
_ONE_CC = 10_000
_FEE_BOUND_CC = 200  # per contract: the quadratic fee never exceeds 1.75c, plus rounding
_SIZES = (1, 1, 2, 2, 3, 5, 5, 10, 10, 15, 20, 25, 50, 100)
_TOP_UP_BELOW_CC = 500_000  # $50
_TOP_UP_CC = 5_000_000  # $500
_TOP_UPS_MAX = 20


def affordable(count_c: int, outcome_cc: int, available_cc: int) -> int:
    """Cap a size (whole contracts) at what ``available_cc`` pays for, fees included."""
    budget = available_cc - 200  # one cent per order and some slack
    if budget <= 0:
        return 0
    most = budget * _LOT_C // (outcome_cc + _FEE_BOUND_CC)
    return min(count_c, most) // _LOT_C * _LOT_C


def _own_head(book: Book, is_bid: bool, idx: int, user_id: str) -> bool:
    head = next(book.orders_at(is_bid, idx), None)
    return head is not None and head.key[0] == user_id


class NoiseDesk:
    """Many small traders with no view: they provide the flow."""

    def __init__(
        self,
        users: list[str],
        activity: Activity,
        round_s: float,
        exchange: Exchange,
        rng: random.Random,
    ) -> None:
        self.users = users
        self.activity = activity
        self.round_s = round_s
        self.exchange = exchange
        self.rng = rng
        self._take = 0.0
        self._rest = 0.0
        self._rounds = 0
        self.top_ups: dict[str, int] = {}

    def plan(self, t_ns: int, views: list[MarketView]) -> list[c.Single]:
        """Return this round's orders (and any top-up deposits)."""
        rng = self.rng
        self._rounds += 1
        self._take += self.activity.takers_per_s * self.round_s
        self._rest += self.activity.passive_per_s * self.round_s
        takers, resters = int(self._take), int(self._rest)
        self._take -= takers
        self._rest -= resters
        if rng.random() < 0.1:
            takers += 1 + rng.randrange(3)
        items: list[c.Single] = []
        if views:
            weights = list(
                accumulate(v.popularity * (0.25 + 4 * v.fair * (1 - v.fair)) for v in views)
            )
            for count, make in ((takers, self._taker), (resters, self._rester)):
                for _ in range(count):
                    for _attempt in range(4):
                        view = rng.choices(views, cum_weights=weights)[0]
                        item = make(t_ns, view)
                        if item is not None:
                            items.append(item)
                            break
        if self._rounds % 40 == 0:
            items += self._top_ups()
        return items

    def settle(self, items: list[c.Single], outcomes: Sequence[Outcome[object]]) -> None:
        """Nothing to remember: the desk reads positions from the exchange each time."""

    def _size(self) -> int:
        contracts = max(1, round(self.rng.choice(_SIZES) * self.activity.size_scale))
        return contracts * _LOT_C

    def _taker(self, t_ns: int, view: MarketView) -> c.Single | None:
        del t_ns
        rng = self.rng
        market = view.market
        book, prices = market.book, market.grid.prices_cc
        user = rng.choice(self.users)
        account = self.exchange.ledger.accounts.get((user, 0))
        if account is None:
            return None
        position = self.exchange.ledger.peek_position((user, 0), view.ticker)
        held = position.position_c if position is not None else 0
        count = self._size()
        reduce_only = bool(held) and rng.random() < 0.3
        is_bid = held < 0 if reduce_only else rng.random() < 0.5
        slip = rng.choice((0, 0, 0, 1, 2))
        if is_bid:
            if book.best_ask >= book.size or _own_head(book, False, book.best_ask, user):
                return None
            idx = min(book.best_ask + slip, book.size - 1)
            outcome_cc = prices[idx]
        else:
            if book.best_bid < 0 or _own_head(book, True, book.best_bid, user):
                return None
            idx = max(book.best_bid - slip, 0)
            outcome_cc = _ONE_CC - prices[idx]
        if reduce_only:
            count = min(count, abs(held) // _LOT_C * _LOT_C)
        else:
            count = affordable(count, outcome_cc, account.available_cc)
        if count <= 0:
            return None
        return c.PlaceOrder(
            user_id=user,
            ticker=view.ticker,
            side="bid" if is_bid else "ask",
            price_cc=prices[idx],
            count_c=count,
            time_in_force="immediate_or_cancel",
            reduce_only=reduce_only,
        )

    def _rester(self, t_ns: int, view: MarketView) -> c.Single | None:
        rng = self.rng
        market = view.market
        book, prices = market.book, market.grid.prices_cc
        user = rng.choice(self.users)
        info = self.exchange.users.get(user)
        account = self.exchange.ledger.accounts.get((user, 0))
        if info is None or account is None or info.resting >= 4:
            return None
        bid, ask, size = book.best_bid, book.best_ask, book.size
        improve = ask - bid > 1 and rng.random() < 0.5
        is_bid = rng.random() < 0.5
        if is_bid:
            idx = (bid + 1 if improve else bid) if bid >= 0 else ask - 1 - rng.randrange(3)
            if idx < 0 or idx >= ask:
                return None
            outcome_cc = prices[idx]
        else:
            idx = (ask - 1 if improve else ask) if ask < size else bid + 1 + rng.randrange(3)
            if idx >= size or idx <= bid:
                return None
            outcome_cc = _ONE_CC - prices[idx]
        count = affordable(self._size(), outcome_cc, account.available_cc)
        if count <= 0:
            return None
        return c.PlaceOrder(
            user_id=user,
            ticker=view.ticker,
            side="bid" if is_bid else "ask",
            price_cc=prices[idx],
            count_c=count,
            time_in_force="good_till_canceled",
            expiration_ts_ns=t_ns + rng.randrange(20, 240) * 1_000_000_000,
        )

    def _top_ups(self) -> list[c.Single]:
        items: list[c.Single] = []
        for user in self.users:
            account = self.exchange.ledger.accounts.get((user, 0))
            done = self.top_ups.get(user, 0)
            low = account is not None and account.available_cc < _TOP_UP_BELOW_CC
            if low and done < _TOP_UPS_MAX:
                self.top_ups[user] = done + 1
                items.append(c.Deposit(user_id=user, amount_cc=_TOP_UP_CC))
        return items


class InformedDesk:
    """A few traders who know the fair value and take mispriced quotes."""

    def __init__(
        self,
        users: list[str],
        activity: Activity,
        exchange: Exchange,
        rng: random.Random,
        *,
        edge_cc: int = 300,
        max_position_c: int = 40_000,
    ) -> None:
        self.users = users
        self.activity = activity
        self.exchange = exchange
        self.rng = rng
        self.edge_cc = edge_cc
        self.max_position_c = max_position_c
        self._rounds = 0

    def plan(self, t_ns: int, views: list[MarketView]) -> list[c.Single]:
        """Return the orders that pick off this round's mispriced quotes."""
        del t_ns
        self._rounds += 1
        items: list[c.Single] = []
        if not views:
            return items
        for i, user in enumerate(self.users):
            if (self._rounds + i) % self.activity.informed_every:
                continue
            taken = 0
            for view in self.rng.sample(views, min(len(views), 16)):
                item = self._pick_off(user, view)
                if item is not None:
                    items.append(item)
                    taken += 1
                    if taken == 2:
                        break
        return items

    def settle(self, items: list[c.Single], outcomes: Sequence[Outcome[object]]) -> None:
        """Nothing to remember: positions are read from the exchange."""

    def _pick_off(self, user: str, view: MarketView) -> c.Single | None:
        market = view.market
        book, prices = market.book, market.grid.prices_cc
        account = self.exchange.ledger.accounts.get((user, 0))
        if account is None:
            return None
        position = self.exchange.ledger.peek_position((user, 0), view.ticker)
        held = position.position_c if position is not None else 0
        fair_cc = view.fair * _ONE_CC
        edge = self.edge_cc + 700 * view.fair * (1 - view.fair) + 100
        size = round(self.rng.choice((10, 20, 30, 50)) * self.activity.size_scale) * _LOT_C
        if book.best_ask < book.size and prices[book.best_ask] < fair_cc - edge:
            if held >= self.max_position_c:
                return None
            idx = bisect_right(prices, fair_cc - edge) - 1
            count = affordable(
                min(size, self.max_position_c - held), prices[idx], account.available_cc
            )
            is_bid = True
        elif book.best_bid >= 0 and prices[book.best_bid] > fair_cc + edge:
            if held <= -self.max_position_c:
                return None
            idx = bisect_left(prices, fair_cc + edge)
            outcome_cc = _ONE_CC - prices[idx]
            count = affordable(
                min(size, self.max_position_c + held), outcome_cc, account.available_cc
            )
            is_bid = False
        else:
            return None
        if count <= 0:
            return None
        return c.PlaceOrder(
            user_id=user,
            ticker=view.ticker,
            side="bid" if is_bid else "ask",
            price_cc=prices[idx],
            count_c=count,
            time_in_force="immediate_or_cancel",
        )
