"""A tiny text DSL for engine scenarios (``tests/engine/scenarios/*.book``).

A ``.book`` file holds one or more scenarios. ``#`` starts a comment. A statement starts
at column 0; the indented lines below it are its block (book levels, fills, batch items).
Amounts are written as Kalshi writes them (dollars ``0.5600`` or ``0.56``, counts ``10``
or ``1.50``) and parsed with ``augury.domain.units``. Prices are always YES prices, except
on ``no`` book levels, which show NO bids at their NO price as Kalshi's orderbook does.

Setup::

    scenario NAME                       # starts a scenario (its pytest id)
    market M [linear_cent|deci_cent|tapered_deci_cent] [quadratic|flat|
             quadratic_with_maker_fees|quadratic_with_combo_maker_fees]
             [mult 0.5] [fractional] [opens 10s] [closes 60s] [timer 30s]
    user alice [100.00]                 # create the user and deposit that much
    at 20s                              # set the clock (seconds since the start)
    repeat 100                          # run the block 100 times
      bob ask M 1 @ 0.50 ioc -> executed

Commands: an actor, a verb, and optionally ``-> outcome``. Without an outcome the command
must simply succeed::

    a1: alice bid M 10 @ 0.56 gtc       -> resting        # `a1:` labels the order
    bob ask M 4 @ 0.50 ioc              -> canceled immediate_or_cancel filled 2
        order options: gtc|ioc|fok post_only reduce_only cancel_on_pause stp=maker
                       coid=ID group=LABEL expires=30s
    alice cancel a1 | alice cancel-all [M] | alice decrease a1 by|to N
    alice amend a1 M bid 8 @ 0.56       # count = the new total, filled part included
    alice group-create g1 [limit 5] | group-reset g1 | group-trigger g1 | group-delete g1
    alice group-limit g1 4 | alice deposit 5.00 | alice withdraw 5.00
    alice batch -> ok                   # block: one command a line, without the actor
    admin pause|resume M | admin pause|resume exchange | admin close M | admin tick
    admin settle M yes|no|void|scalar 0.30  (determine and pay out at once)
    admin determine M yes|...           (determine; payout after the market's timer)
    admin finalize M                    (pay out a determined market now)
    outcomes: ok | resting | executed | canceled [reason] [filled N] | rejected REASON

After every command the runner calls ``audit`` and fails with its violations. A rejected
command must also emit no event and leave ``state_digest`` unchanged; for a batch, the
accepted items applied alone must give the same digest. Assertions::

    book M                              # both sides, best level first (or `book M empty`)
      yes 0.56 x 6                      # YES bids at their YES price
      no 0.44 x 4                       # NO bids (asks) at their NO price
    queue M yes 0.56: a1 x 5, b1 x 10   # one level's orders in time order
    fills                               # all fills of the last command, in order
      bob taker ask 4 @ 0.56 fee 0.0690 # (or `fills none`)
    balance alice 94.28 reserved 3.48   # available, and reserved (0 when omitted)
    position alice M +4 [cost 2.24] [fees 0.069] [realized 0.50]
    escrow M 4.00 | revenue 0.07 | status M closed
    order a1 resting|executed|canceled [reason] [remaining N] [filled N]
             [taker_cost $] [taker_fees $] [maker_cost $] [maker_fees $]
    settlements                         # the settlement lines of the last command
      alice yes 4 cost 2.24 revenue 4.00 fees 0
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from augury.domain.units import (
    ONE_DOLLAR_CC,
    count_c_from_str,
    count_c_to_str,
    dollars_cc_from_str,
    dollars_cc_to_str,
)
from augury.engine import commands as c
from augury.engine.events import Event, FillEvent, OrderUpdate, SettlementEvent
from augury.engine.exchange import Outcome
from augury.engine.results import Amended
from augury.engine.state import make_snapshot, state_digest
from tests.engine.native_engine import audit_any as audit
from tests.engine.native_engine import load_any, new_exchange

__all__ = ["Scenario", "ScenarioError", "load_scenarios", "parse_book", "run_scenario"]

T0_NS = 1_700_000_000 * 1_000_000_000  # the clock reading of `at 0s`
NS_PER_S = 1_000_000_000
DEFAULT_CLOSE_S = 86_400

_TIF = {"gtc": "good_till_canceled", "ioc": "immediate_or_cancel", "fok": "fill_or_kill"}
_ORDER_OPTIONS = {*_TIF, "post_only", "reduce_only", "cancel_on_pause", "stp", "coid"}
_ORDER_OPTIONS |= {"group", "expires"}
_STRUCTURES = ("linear_cent", "deci_cent", "tapered_deci_cent")
_FEE_TYPES = ("quadratic", "quadratic_with_maker_fees", "quadratic_with_combo_maker_fees", "flat")
_OUTCOMES = ("ok", "resting", "executed", "canceled", "rejected")
_GROUP_ACTIONS = {"group-reset": "reset", "group-trigger": "trigger", "group-delete": "delete"}
_ORDER_KEYS = ("remaining", "filled", "taker_cost", "taker_fees", "maker_cost", "maker_fees")


class ScenarioError(AssertionError):
    """A scenario line did not hold, or could not be read."""


@dataclass
class Stmt:
    """One statement and the indented block under it."""

    line: int
    text: str
    block: list[Stmt] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The words before ``->``."""
        return self.text.split("->", 1)[0].split()


@dataclass
class Scenario:
    name: str
    path: Path
    line: int
    body: list[Stmt] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------


def load_scenarios(directory: Path) -> list[Scenario]:
    """Return every scenario of every ``*.book`` file in ``directory``, in file order."""
    scenarios: list[Scenario] = []
    for path in sorted(directory.glob("*.book")):
        scenarios.extend(parse_book(path.read_text(), path))
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError(f"duplicate scenario names: {duplicates}")
    return scenarios


def parse_book(text: str, path: Path) -> list[Scenario]:
    """Split a ``.book`` text into scenarios made of statements with their blocks."""
    scenarios: list[Scenario] = []
    current: Scenario | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].rstrip()
        if not content.strip():
            continue
        indented = content[0] in " \t"
        words = content.split()
        if not indented and words[0] == "scenario":
            if len(words) != 2:
                raise ScenarioError(f"{path}:{number}: expected `scenario NAME`")
            current = Scenario(words[1], path, number)
            scenarios.append(current)
        elif current is None:
            raise ScenarioError(f"{path}:{number}: statement before the first `scenario`")
        elif not indented:
            current.body.append(Stmt(number, content.strip()))
        elif not current.body:
            raise ScenarioError(f"{path}:{number}: indented line without a statement above")
        else:
            current.body[-1].block.append(Stmt(number, content.strip()))
    return scenarios


def _dollars(text: str) -> int:
    return dollars_cc_from_str(text)


def _count(text: str) -> int:
    return count_c_from_str(text)


def _signed_count(text: str) -> int:
    return _count(text[1:]) if text.startswith("+") else _count(text)


def _seconds(text: str) -> int:
    """Parse ``30s`` or ``500ms`` into nanoseconds."""
    match = re.fullmatch(r"(\d+)(s|ms)", text)
    if match is None:
        raise ValueError(f"expected a time like 30s or 500ms, got {text!r}")
    scale = NS_PER_S if match.group(2) == "s" else 1_000_000
    return int(match.group(1)) * scale


def _choice(value: str, allowed: tuple[str, ...] | set[str] | dict[str, str], what: str) -> Any:
    """Check a word against the values a command field accepts (its Literal type)."""
    if value not in allowed:
        raise ValueError(f"{what} must be one of {sorted(allowed)}, got {value!r}")
    return value


def _money(cc: int) -> str:
    """Format centi-cents with two to four decimals (0.56, 0.561, 0.0690 -> 0.069)."""
    whole, frac = dollars_cc_to_str(cc).split(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def _contracts(count_c: int) -> str:
    text = count_c_to_str(count_c)
    return text.removesuffix(".00")


def _pairs(words: list[str], allowed: tuple[str, ...]) -> dict[str, str]:
    """Parse ``key value key value ...`` words."""
    if len(words) % 2:
        raise ValueError(f"expected `key value` pairs, got {' '.join(words)!r}")
    pairs = dict(zip(words[::2], words[1::2], strict=True))
    unknown = set(pairs) - set(allowed)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}; allowed: {list(allowed)}")
    return pairs


def _split_label(words: list[str]) -> tuple[str | None, list[str]]:
    """Split an optional leading ``label:`` off a command's words."""
    if words and words[0].endswith(":"):
        return words[0][:-1], words[1:]
    return None, words


@dataclass
class Expect:
    """What a command line says after ``->``."""

    kind: str
    reason: str | None = None
    filled_c: int | None = None


def _parse_expect(text: str) -> Expect | None:
    if "->" not in text:
        return None
    words = text.split("->", 1)[1].split()
    if not words or words[0] not in _OUTCOMES:
        raise ValueError(f"unknown outcome {' '.join(words)!r}; expected one of {_OUTCOMES}")
    expect = Expect(words[0])
    rest = words[1:]
    if len(rest) >= 2 and rest[-2] == "filled":
        expect.filled_c = _count(rest[-1])
        rest = rest[:-2]
    if rest:
        if len(rest) > 1 or expect.kind not in ("canceled", "rejected"):
            raise ValueError(f"unexpected words after the outcome: {rest}")
        expect.reason = rest[0]
    if expect.kind == "rejected" and expect.reason is None:
        raise ValueError("`rejected` needs the reject reason")
    return expect


# --- the runner ------------------------------------------------------------------------


class Runner:
    """Executes one scenario against a fresh exchange."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.exchange = new_exchange(f"scenario-{scenario.name}")
        self.clock_ns = T0_NS
        self.order_ids: dict[str, str] = {}  # label -> order id
        self.labels: dict[str, str] = {}  # order id -> label
        self.group_ids: dict[str, str] = {}  # label -> group id
        self.snapshots: dict[str, OrderUpdate] = {}  # order id -> its latest OrderUpdate
        self.last_events: list[Event] = []
        self.stmt: Stmt | None = None
        self.handlers: dict[str, Callable[[Stmt, list[str]], None]] = {
            "market": self.setup_market,
            "user": self.setup_user,
            "at": self.set_clock,
            "repeat": self.repeat,
            "admin": self.admin,
            "book": self.check_book,
            "queue": self.check_queue,
            "fills": self.check_fills,
            "balance": self.check_balance,
            "position": self.check_position,
            "escrow": self.check_escrow,
            "revenue": self.check_revenue,
            "status": self.check_status,
            "order": self.check_order,
            "settlements": self.check_settlements,
        }

    # --- driving -----------------------------------------------------------------------

    def run(self) -> None:
        for stmt in self.scenario.body:
            self.statement(stmt)

    def statement(self, stmt: Stmt) -> None:
        self.stmt = stmt
        words = stmt.words
        try:
            handler = self.handlers.get(words[0])
            if handler is not None:
                handler(stmt, words[1:])
            else:
                self.user_command(stmt, words)
        except ScenarioError:
            raise
        except (ValueError, KeyError, IndexError) as exc:
            self.fail(f"cannot read this line: {exc!r}")

    def fail(self, message: str, stmt: Stmt | None = None) -> NoReturn:
        where = stmt or self.stmt
        assert where is not None
        raise ScenarioError(
            f"\n{self.scenario.path.name}:{where.line}: [{self.scenario.name}] {where.text}"
            f"\n  {message}"
        )

    def apply(self, command: c.Command, stmt: Stmt) -> Outcome[object]:
        """Apply a command, audit the exchange, and check the line's expected outcome."""
        expect = _parse_expect(stmt.text)
        before = state_digest(self.exchange)
        snapshot = make_snapshot(self.exchange) if isinstance(command, c.Batch) else b""
        outcome: Outcome[object] = self.exchange.apply(command, self.clock_ns)
        self.last_events = outcome.events
        for event in outcome.events:
            if isinstance(event, OrderUpdate):
                self.snapshots[event.order_id] = event
        problems = audit(self.exchange)
        if problems:
            self.fail("audit failed after this command:\n    " + "\n    ".join(problems), stmt)
        if isinstance(command, c.Batch):
            self.check_batch(stmt, command, outcome, snapshot)
        self.check_outcome(stmt, expect, outcome)
        if outcome.reject is not None and state_digest(self.exchange) != before:
            self.fail("the rejected command changed state_digest", stmt)
        return outcome

    def check_outcome(self, stmt: Stmt, expect: Expect | None, outcome: Outcome[object]) -> None:
        if outcome.reject is not None:
            got = outcome.reject.reason.value
            if expect is None or expect.kind != "rejected":
                self.fail(f"unexpected reject {got} ({outcome.reject.message})", stmt)
            if got != expect.reason:
                self.fail(f"rejected {got} ({outcome.reject.message}), expected {expect.reason}")
            if outcome.events:
                self.fail(f"the rejected command emitted events: {outcome.events}", stmt)
            return
        if expect is None or expect.kind == "ok":
            return
        if expect.kind == "rejected":
            self.fail(f"expected reject {expect.reason}, but the command succeeded", stmt)
        snapshot = self.final_snapshot(outcome)
        if snapshot is None:
            self.fail(f"`-> {expect.kind}` needs a command that returns an order", stmt)
        self.check_snapshot(stmt, snapshot, expect.kind, expect.reason, expect.filled_c)

    def final_snapshot(self, outcome: Outcome[object]) -> OrderUpdate | None:
        """The order's state after the command (the cancel reason comes from its events)."""
        value = outcome.value
        if isinstance(value, Amended):
            value = value.new
        if not isinstance(value, OrderUpdate):
            return None
        return self.snapshots.get(value.order_id, value)

    def check_snapshot(
        self, stmt: Stmt, snap: OrderUpdate, status: str, reason: str | None, filled: int | None
    ) -> None:
        got = f"{snap.status} {snap.reason} filled {_contracts(snap.fill_c)}"
        if snap.status != status:
            self.fail(f"the order is {got}; expected {status}", stmt)
        if reason is not None and snap.reason != reason:
            self.fail(f"the order is {got}; expected reason {reason}", stmt)
        if filled is not None and snap.fill_c != filled:
            self.fail(f"the order is {got}; expected filled {_contracts(filled)}", stmt)

    # --- setup -------------------------------------------------------------------------

    def setup_market(self, stmt: Stmt, words: list[str]) -> None:
        ticker, rest = words[0], iter(words[1:])
        structure, fee_type, mult_e4, fractional = "linear_cent", "quadratic", 10_000, False
        opens_ns, closes_ns, timer_s = 0, DEFAULT_CLOSE_S * NS_PER_S, 0
        for word in rest:
            if word in _STRUCTURES:
                structure = word
            elif word in _FEE_TYPES:
                fee_type = word
            elif word == "fractional":
                fractional = True
            elif word == "mult":
                mult_e4 = _dollars(next(rest))  # 4 decimals, like fee_multiplier_e4
            elif word == "opens":
                opens_ns = _seconds(next(rest))
            elif word == "closes":
                closes_ns = _seconds(next(rest))
            elif word == "timer":
                timer_s = _seconds(next(rest)) // NS_PER_S
            else:
                self.fail(f"unknown market option {word!r}")
        series, event = f"S-{ticker}", f"E-{ticker}"
        self.apply(
            c.AddSeries(ticker=series, fee_type=fee_type, fee_multiplier_e4=mult_e4),
            stmt,
        )
        self.apply(c.AddEvent(event_ticker=event, series_ticker=series), stmt)
        self.apply(
            c.AddMarket(
                ticker=ticker,
                event_ticker=event,
                open_ts_ns=T0_NS + opens_ns,
                close_ts_ns=T0_NS + closes_ns,
                price_level_structure=structure,
                fractional=fractional,
                settlement_timer_s=timer_s,
            ),
            stmt,
        )

    def setup_user(self, stmt: Stmt, words: list[str]) -> None:
        user = words[0]
        self.apply(c.CreateUser(user_id=user, name=user), stmt)
        amount = _dollars(words[1]) if len(words) > 1 else 0
        if amount:
            self.apply(c.Deposit(user_id=user, amount_cc=amount), stmt)

    def set_clock(self, stmt: Stmt, words: list[str]) -> None:
        when = T0_NS + _seconds(words[0])
        if when < self.clock_ns:
            self.fail("the clock cannot go back")
        self.clock_ns = when

    def repeat(self, stmt: Stmt, words: list[str]) -> None:
        if not stmt.block:
            self.fail("`repeat N` needs a block")
        if any(_split_label(inner.words)[0] for inner in stmt.block):
            self.fail("orders inside `repeat` cannot be labelled")
        for _ in range(int(words[0])):
            for inner in stmt.block:
                self.statement(inner)

    # --- commands ----------------------------------------------------------------------

    def admin(self, stmt: Stmt, words: list[str]) -> None:
        verb, args = words[0], words[1:]
        command: c.Command
        if verb in ("pause", "resume") and args == ["exchange"]:
            command = c.SetExchangeState(paused=verb == "pause")
        elif verb in ("pause", "resume", "close"):
            action = _choice(verb, ("pause", "resume", "close"), "action")
            command = c.SetMarketState(ticker=args[0], action=action)
        elif verb in ("settle", "determine"):
            result = _choice(args[1], ("yes", "no", "scalar", "void"), "result")
            command = c.DetermineMarket(
                ticker=args[0],
                result=result,
                value_cc=_dollars(args[2]) if result == "scalar" else None,
                settle_now=verb == "settle",
            )
        elif verb == "finalize":
            command = c.FinalizeMarket(ticker=args[0])
        elif verb == "tick":
            command = c.Tick()
        else:
            self.fail(f"unknown admin command {verb!r}")
        self.apply(command, stmt)

    def user_command(self, stmt: Stmt, words: list[str]) -> None:
        label, words = _split_label(words)
        user = words[0]
        if user not in self.exchange.users:
            self.fail(f"unknown statement or user {user!r}")
        if words[1:] == ["batch"]:
            items = [self.build(user, _split_label(inner.words)[1]) for inner in stmt.block]
            self.apply(c.Batch.of(items), stmt)
            return
        command = self.build(user, words[1:])
        outcome = self.apply(command, stmt)
        if isinstance(command, c.CreateOrderGroup) and isinstance(outcome.value, str):
            self.bind_group(words[2], outcome.value)
        elif label is not None:
            self.bind_order(label, outcome)

    def bind_order(self, label: str, outcome: Outcome[object]) -> None:
        if not isinstance(outcome.value, OrderUpdate):
            self.fail("only a placed order can be labelled")
        if label in self.order_ids:
            self.fail(f"order label {label!r} is already used")
        self.order_ids[label] = outcome.value.order_id
        self.labels[outcome.value.order_id] = label

    def bind_group(self, label: str, group_id: str) -> None:
        if label in self.group_ids:
            self.fail(f"group label {label!r} is already used")
        self.group_ids[label] = group_id

    def order_id(self, label: str) -> str:
        if label not in self.order_ids:
            self.fail(f"unknown order label {label!r}")
        return self.order_ids[label]

    def group_id(self, label: str) -> str:
        # An unknown label stands for a group id that does not exist.
        return self.group_ids.get(label, f"no-such-group-{label}")

    def build(self, user: str, words: list[str]) -> Any:
        """Turn ``verb args...`` into the command ``user`` sends."""
        verb, args = words[0], words[1:]
        if verb in ("bid", "ask"):
            return self.place(user, verb, args)
        if verb == "cancel":
            return c.CancelOrder(user_id=user, order_id=self.order_id(args[0]))
        if verb == "cancel-all":
            return c.CancelAll(user_id=user, ticker=args[0] if args else None)
        if verb == "decrease":  # decrease LABEL by|to N
            how = _choice(args[1], ("by", "to"), "decrease")
            return c.DecreaseOrder(
                user_id=user,
                order_id=self.order_id(args[0]),
                reduce_by_c=_count(args[2]) if how == "by" else None,
                reduce_to_c=_count(args[2]) if how == "to" else None,
            )
        if verb == "amend":  # amend LABEL TICKER SIDE COUNT @ PRICE
            if args[4] != "@":
                raise ValueError("expected `amend LABEL TICKER SIDE COUNT @ PRICE`")
            return c.AmendOrder(
                user_id=user,
                order_id=self.order_id(args[0]),
                ticker=args[1],
                side=_choice(args[2], ("bid", "ask"), "side"),
                count_c=_count(args[3]),
                price_cc=_dollars(args[5]),
            )
        if verb == "group-create":  # group-create LABEL [limit N]
            limit = _pairs(args[1:], ("limit",)).get("limit")
            return c.CreateOrderGroup(
                user_id=user, contracts_limit_c=_count(limit) if limit else None
            )
        if verb in _GROUP_ACTIONS:
            return c.OrderGroupAction(
                user_id=user,
                group_id=self.group_id(args[0]),
                action=_choice(_GROUP_ACTIONS[verb], ("reset", "trigger", "delete"), "action"),
            )
        if verb == "group-limit":
            return c.UpdateOrderGroupLimit(
                user_id=user,
                group_id=self.group_id(args[0]),
                contracts_limit_c=_count(args[1]),
            )
        if verb == "deposit":
            return c.Deposit(user_id=user, amount_cc=_dollars(args[0]))
        if verb == "withdraw":
            return c.Withdraw(user_id=user, amount_cc=_dollars(args[0]))
        raise ValueError(f"unknown command {verb!r}")

    def place(self, user: str, side: str, args: list[str]) -> c.PlaceOrder:
        """``TICKER COUNT @ PRICE [gtc|ioc|fok] [flags] [key=value ...]``"""
        ticker, count, at, price = args[:4]
        if at != "@":
            raise ValueError("expected `bid|ask TICKER COUNT @ PRICE`")
        opts: dict[str, str] = {}
        for word in args[4:]:
            key, _, value = word.partition("=")
            opts[key] = value
        for key in opts:
            _choice(key, _ORDER_OPTIONS, "order option")
        tifs = [_TIF[key] for key in opts if key in _TIF]
        if len(tifs) > 1:
            raise ValueError(f"more than one time in force: {tifs}")
        group = opts.get("group")
        return c.PlaceOrder(
            user_id=user,
            ticker=ticker,
            side=_choice(side, ("bid", "ask"), "side"),
            price_cc=_dollars(price),
            count_c=_count(count),
            time_in_force=_choice(tifs[0] if tifs else _TIF["gtc"], set(_TIF.values()), "tif"),
            self_trade_prevention=_choice(
                opts.get("stp", "taker_at_cross"), ("taker_at_cross", "maker"), "stp"
            ),
            client_order_id=opts.get("coid"),
            post_only="post_only" in opts,
            reduce_only="reduce_only" in opts,
            cancel_order_on_pause="cancel_on_pause" in opts,
            order_group_id=self.group_id(group) if group else None,
            expiration_ts_ns=T0_NS + _seconds(opts["expires"]) if "expires" in opts else None,
        )

    def check_batch(
        self, stmt: Stmt, batch: c.Batch[object], outcome: Outcome[object], before: bytes
    ) -> None:
        """Check each item's outcome, and that the rejected items changed nothing: the
        accepted items alone, applied to the state before the batch, give the same state."""
        results = outcome.value
        assert isinstance(results, list)
        if len(results) != len(stmt.block):
            self.fail(f"the batch returned {len(results)} results for {len(stmt.block)} items")
        replay = load_any(before, self.exchange)
        for item, result in zip(batch.items, results, strict=True):
            if result.ok:
                replay.apply(item, self.clock_ns)
        if state_digest(replay) != state_digest(self.exchange):
            self.fail("the batch's rejected items changed state_digest", stmt)
        for inner, result in zip(stmt.block, results, strict=True):
            self.check_outcome(inner, _parse_expect(inner.text), result)
            label = _split_label(inner.words)[0]
            if label is not None:
                self.stmt = inner
                self.bind_order(label, result)
        self.stmt = stmt

    # --- assertions ----------------------------------------------------------------------

    def check_book(self, stmt: Stmt, words: list[str]) -> None:
        market = self.exchange.markets[words[0]]
        prices = market.grid.prices_cc
        actual = [(True, prices[i], n) for i, n in market.book.levels(True)]
        actual += [(False, ONE_DOLLAR_CC - prices[i], n) for i, n in market.book.levels(False)]
        expected: list[tuple[bool, int, int]] = []
        if words[1:] != ["empty"]:
            for inner in stmt.block:
                side, price, x, count = inner.text.split()
                if side not in ("yes", "no") or x != "x":
                    self.fail("expected `yes|no PRICE x COUNT`", inner)
                expected.append((side == "yes", _dollars(price), _count(count)))
            if not expected:
                self.fail("`book M` needs its levels as a block (or say `book M empty`)")
        if actual != expected:
            drawn = [f"{'yes' if b else 'no'} {_money(p)} x {_contracts(n)}" for b, p, n in actual]
            self.fail("the book is:\n    " + ("\n    ".join(drawn) or "empty"))

    def check_queue(self, stmt: Stmt, words: list[str]) -> None:
        head, _, items = stmt.text.partition(":")
        ticker, side, price = head.split()[1:]
        market = self.exchange.markets[ticker]
        is_bid = _choice(side, ("yes", "no"), "side") == "yes"
        yes_price = _dollars(price) if is_bid else ONE_DOLLAR_CC - _dollars(price)
        expected = []
        for item in items.split(","):
            name, x, count = item.split()
            if x != "x":
                raise ValueError("expected `queue M yes|no PRICE: LABEL x COUNT, ...`")
            expected.append((name, _count(count)))
        level = market.book.orders_at(is_bid, market.grid.index_of(yes_price))
        actual = [(self.labels.get(o.order_id, o.order_id), o.remaining_c) for o in level]
        if actual != expected:
            shown = ", ".join(f"{name} x {_contracts(n)}" for name, n in actual)
            self.fail(f"the queue is: {shown or 'empty'}")

    def check_fills(self, stmt: Stmt, words: list[str]) -> None:
        actual = [
            (f.user_id, "taker" if f.is_taker else "maker", f.side, f.count_c, f.price_cc, f.fee_cc)
            for f in self.last_events
            if isinstance(f, FillEvent)
        ]
        expected = []
        if words != ["none"]:
            for inner in stmt.block:
                user, role, side, count, at, price, fee_word, fee = inner.text.split()
                if at != "@" or fee_word != "fee":
                    self.fail("expected `USER taker|maker bid|ask COUNT @ PRICE fee FEE`", inner)
                expected.append((user, role, side, _count(count), _dollars(price), _dollars(fee)))
            if not expected:
                self.fail("`fills` needs its fills as a block (or say `fills none`)")
        if actual != expected:
            shown = [
                f"{u} {role} {side} {_contracts(n)} @ {_money(p)} fee {dollars_cc_to_str(fee)}"
                for u, role, side, n, p, fee in actual
            ]
            self.fail("the fills are:\n    " + ("\n    ".join(shown) or "none"))

    def check_balance(self, stmt: Stmt, words: list[str]) -> None:
        available = _dollars(words[1])
        reserved = _dollars(_pairs(words[2:], ("reserved",)).get("reserved", "0"))
        account = self.exchange.ledger.accounts[(words[0], 0)]
        if (account.available_cc, account.reserved_cc) != (available, reserved):
            self.fail(
                f"the balance is {_money(account.available_cc)} "
                f"reserved {_money(account.reserved_cc)}"
            )

    def check_position(self, stmt: Stmt, words: list[str]) -> None:
        user, ticker, held = words[0], words[1], _signed_count(words[2])
        wanted = {"held": held}
        wanted |= {
            k: _dollars(v) for k, v in _pairs(words[3:], ("cost", "fees", "realized")).items()
        }
        position = self.exchange.ledger.peek_position((user, 0), ticker)
        got = {"held": 0, "cost": 0, "fees": 0, "realized": 0}
        if position is not None:
            got = {
                "held": position.position_c,
                "cost": position.exposure_fine // 100,
                "fees": position.fees_paid_cc,
                "realized": position.realized_fine // 100,
            }
        if any(got[key] != value for key, value in wanted.items()):
            self.fail(
                f"the position is {_contracts(got['held'])} cost {_money(got['cost'])} "
                f"fees {_money(got['fees'])} realized {_money(got['realized'])}"
            )

    def check_escrow(self, stmt: Stmt, words: list[str]) -> None:
        got = self.exchange.ledger.escrow_cc.get(words[0], 0)
        if got != _dollars(words[1]):
            self.fail(f"the escrow is {_money(got)}")

    def check_revenue(self, stmt: Stmt, words: list[str]) -> None:
        got = self.exchange.ledger.fee_revenue_cc
        if got != _dollars(words[0]):
            self.fail(f"the fee revenue is {dollars_cc_to_str(got)}")

    def check_status(self, stmt: Stmt, words: list[str]) -> None:
        got = self.exchange.markets[words[0]].status.value
        if got != words[1]:
            self.fail(f"the market is {got}")

    def check_order(self, stmt: Stmt, words: list[str]) -> None:
        label, status, rest = words[0], words[1], words[2:]
        order_id = self.order_id(label)
        snap = self.snapshots.get(order_id)
        if snap is None:
            self.fail(f"no update was ever seen for order {label}")
        reason = None
        if len(rest) % 2:
            reason, rest = rest[0], rest[1:]
        self.check_snapshot(stmt, snap, status, reason, None)
        got = {
            "remaining": snap.remaining_c,
            "filled": snap.fill_c,
            "taker_cost": snap.taker_fill_cost_cc,
            "taker_fees": snap.taker_fees_cc,
            "maker_cost": snap.maker_fill_cost_cc,
            "maker_fees": snap.maker_fees_cc,
        }
        for key, text in _pairs(rest, _ORDER_KEYS).items():
            is_count = key in ("remaining", "filled")
            if got[key] != (_count(text) if is_count else _dollars(text)):
                shown = _contracts(got[key]) if is_count else _money(got[key])
                self.fail(f"the order's {key} is {shown}")
        if (order_id in self.exchange.orders) != (status == "resting"):
            self.fail(f"the engine's resting orders disagree with the order's status {status}")

    def check_settlements(self, stmt: Stmt, words: list[str]) -> None:
        actual = [
            (
                e.user_id,
                "yes" if e.yes_c else "no",
                e.yes_c or e.no_c,
                e.yes_cost_cc if e.yes_c else e.no_cost_cc,
                e.revenue_cc,
                e.fee_cost_cc,
            )
            for e in self.last_events
            if isinstance(e, SettlementEvent)
        ]
        expected = []
        for inner in stmt.block:
            user, side, count, *rest = inner.text.split()
            pairs = _pairs(rest, ("cost", "revenue", "fees"))
            amounts = (_dollars(pairs["cost"]), _dollars(pairs["revenue"]), _dollars(pairs["fees"]))
            expected.append((user, side, _count(count), *amounts))
        if actual != expected:
            shown = [
                f"{u} {side} {_contracts(n)} cost {_money(cost)} revenue {_money(revenue)} "
                f"fees {_money(fees)}"
                for u, side, n, cost, revenue, fees in actual
            ]
            self.fail("the settlements are:\n    " + ("\n    ".join(shown) or "none"))


def run_scenario(scenario: Scenario) -> None:
    """Run one scenario; raise ScenarioError at the first line that does not hold."""
    Runner(scenario).run()
