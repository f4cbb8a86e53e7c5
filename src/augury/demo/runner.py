"""The demo's wiring: catalogue, lifecycle and simulated traders, one round at a time.

``DemoRunner.attach(runtime)`` makes sure the demo's accounts and series exist (checking
engine state, so a restart creates nothing twice), restores the simulated world saved in
the journal's ``meta`` table, and adopts the makers' resting orders. ``step()`` then runs
one round at simulated time ``t`` (rounds are ``ROUND_NS`` apart):

1. the truth (``augury.demo.truth``) moves forward to ``t``;
2. lifecycle, in one batch: a ``Tick`` if time alone has something to do, then every demo
   market whose close has passed is determined from the truth (its metadata refreshed
   with the ``expiration_value``; payout follows after its settlement timer, on a later
   ``Tick``), then the events each series should list now are created through
   ``augury.catalog.catalog_commands``;
3. every agent plans against the same views (the books as they rest now and the truth's
   fair prices) and sends its orders as one ``Batch``, as a client of the batch API
   would; the batches go to the sequencer together (one group commit), takers' first,
   then the makers' requotes, and each agent gets its outcomes back. Rejections (a quote
   that a taker filled earlier in the round, a balance that ran short) are counted in
   ``stats.rejects`` and otherwise ignored.

Every decision is a function of the seed, ``t`` and engine state: the runner never reads a
clock inside a round. Rounds are scheduled on the simulated timeline (``next_round_ns``),
so under a ``FakeClock`` the sequencer stamps every command of round ``t`` with exactly
``t`` and a seed replays the same run. ``run`` paces rounds against the server's clock
(skipping ahead if it falls more than two seconds behind).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from augury.api.app import next_due_ns
from augury.catalog import catalog_commands
from augury.demo import roster
from augury.demo.agents import InformedDesk, NoiseDesk
from augury.demo.catalogue import PROCESSES, SERIES
from augury.demo.listing import EventContext, SeriesSpec, event_entries, series_entry
from augury.demo.maker import MarketMaker
from augury.demo.schedule import Slot
from augury.demo.truth import Truth, interval_of
from augury.demo.view import ACTIVITY, MarketView
from augury.domain.enums import MarketStatus
from augury.engine import commands as c
from augury.engine.events import FillEvent, OrderUpdate, TradeEvent
from augury.engine.exchange import Exchange, Outcome
from augury.engine.market import Market
from augury.runtime.clock import Clock
from augury.runtime.sequencer import EventSink, SequencerStopped

__all__ = ["ROUND_NS", "DemoConfig", "DemoHost", "DemoRunner", "DemoStats"]

T = TypeVar("T")
R = TypeVar("R")


class MetaStore(Protocol):
    """The journal's key-value corner where the demo keeps its state between runs."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


class DemoSequencer(Protocol):
    """What the demo asks of the sequencer (``augury.runtime.sequencer.Sequencer``)."""

    @property
    def last_seq(self) -> int: ...

    async def submit(self, command: c.Cmd[R]) -> Outcome[R]: ...

    async def call(self, fn: Callable[[MetaStore], T]) -> T: ...

    def subscribe(self, sink: EventSink) -> None: ...


class DemoHost(Protocol):
    """The running core the demo trades on (``augury.runtime.boot.Runtime`` in a server)."""

    @property
    def exchange(self) -> Exchange: ...

    @property
    def sequencer(self) -> DemoSequencer: ...


log = logging.getLogger(__name__)

ROUND_NS = 500_000_000
STATE_KEY = "demo.state"
_SAVE_EVERY_NS = 30_000_000_000
_MAX_LAG_NS = 2_000_000_000
_NS_PER_S = 1_000_000_000
_UNDETERMINED = frozenset(
    {MarketStatus.INITIALIZED, MarketStatus.ACTIVE, MarketStatus.INACTIVE, MarketStatus.CLOSED}
)


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """The ``augury demo`` options that shape the simulation."""

    seed: int = 7
    activity: str = "normal"
    speed: float = 1.0


@dataclass(slots=True)
class DemoStats:
    """Running totals, for the status line and the tests."""

    trades: int = 0
    volume_c: int = 0
    rounds: int = 0
    listed_events: int = 0
    determined: int = 0
    rejects: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Model:
    """A demo market the runner prices and will settle: its interval of the underlying."""

    spec: SeriesSpec
    lo: float
    hi: float
    scaled_lo: float  # the interval in the truth's working units (logs for prices)
    scaled_hi: float
    close_ns: int


Agent = MarketMaker | NoiseDesk | InformedDesk


class DemoRunner:
    """Drives the demo exchange: call ``attach`` once, then ``step`` per round."""

    def __init__(self, config: DemoConfig, clock: Clock) -> None:
        if config.activity not in ACTIVITY:
            raise ValueError(f"activity must be one of {', '.join(ACTIVITY)}")
        self.config = config
        self.clock = clock
        self.activity = ACTIVITY[config.activity]
        self.stats = DemoStats()
        self.series = {spec.ticker: spec for spec in SERIES}
        self.models: dict[str, _Model] = {}
        self.next_round_ns = 0
        self._runtime: DemoHost | None = None
        self._agents: list[Agent] = []
        self._makers: dict[str, MarketMaker] = {}
        self._saved_ns = 0
        self._slots: dict[str, Slot] = {}
        self._listed: set[tuple[str, str]] = set()  # (series, slot code) already listed

    # --- setup ----------------------------------------------------------------------------

    @property
    def runtime(self) -> DemoHost:
        assert self._runtime is not None, "attach the runner first"
        return self._runtime

    @property
    def exchange(self) -> Exchange:
        return self.runtime.exchange

    async def submit(self, command: c.Cmd[R]) -> Outcome[R]:
        """Send a command through the sequencer."""
        return await self.runtime.sequencer.submit(command)

    async def attach(self, runtime: DemoHost) -> None:
        """Create what is missing (accounts, series), restore the world, adopt orders."""
        self._runtime = runtime
        exchange = runtime.exchange
        now = max(self.clock.now_ns(), exchange.now_ns)
        # A restart must not replay the first run's draws: mix in the journal position.
        salt = f"{self.config.seed}/{runtime.sequencer.last_seq}"
        self.truth = Truth(PROCESSES, random.Random(f"{salt}/truth"), now)
        saved = await runtime.sequencer.call(lambda journal: journal.get_meta(STATE_KEY))
        if saved:
            with contextlib.suppress(ValueError):
                self.truth.load(json.loads(saved))
        self._build_agents(salt)
        runtime.sequencer.subscribe(self._on_applied)
        missing = [series_entry(s) for s in SERIES if s.ticker not in exchange.series]
        setup = roster.setup_commands(exchange) + catalog_commands({"series": missing}, now)
        if setup:
            await self._submit_checked(c.Batch.of(setup), "setup")
        for market in exchange.markets.values():
            self._model(market)
        for maker in self._makers.values():
            maker.adopt()
        self.next_round_ns = now - now % ROUND_NS + ROUND_NS
        self._saved_ns = now

    def _build_agents(self, salt: str) -> None:
        exchange = self.exchange
        activity = self.activity
        for user_id, style in roster.makers(activity):
            maker = MarketMaker(user_id, style, exchange, random.Random(f"{salt}/{user_id}"))
            self._makers[user_id] = maker
            self._agents.append(maker)
        round_s = ROUND_NS / _NS_PER_S
        noise = NoiseDesk(
            roster.noise_users(), activity, round_s, exchange, random.Random(f"{salt}/noise")
        )
        informed = InformedDesk(
            roster.informed_users(), activity, exchange, random.Random(f"{salt}/informed")
        )
        # Takers go first: their orders were aimed at the quotes resting now, which the
        # makers' batch (applied after them in the same round) may move.
        self._agents[:0] = [noise, informed]

    def _model(self, market: Market) -> None:
        """Start pricing a demo market that is not determined yet."""
        event = self.exchange.events.get(market.event_ticker)
        spec = self.series.get(event.series_ticker) if event is not None else None
        if spec is None or market.status not in _UNDETERMINED:
            return
        meta = market.meta
        floor, cap = meta.get("floor_strike"), meta.get("cap_strike")
        try:
            lo, hi = interval_of(
                str(meta.get("strike_type")),
                float(floor) if isinstance(floor, int | float) else None,
                float(cap) if isinstance(cap, int | float) else None,
                spec.unit,
            )
        except ValueError:
            return  # not one of ours after all (an operator's market in a demo series)
        scaled_lo, scaled_hi = self.truth.scaled(spec.underlying, lo, hi)
        self.models[market.ticker] = _Model(spec, lo, hi, scaled_lo, scaled_hi, market.close_ts_ns)

    # --- one round --------------------------------------------------------------------------

    async def step(self) -> None:
        """Run the round at ``next_round_ns``."""
        t = self.next_round_ns
        self.next_round_ns = t + ROUND_NS
        self.stats.rounds += 1
        self.truth.advance_to(t)
        await self._lifecycle(t)
        views = self._views(t)
        plans = [(agent, agent.plan(t, views)) for agent in self._agents]
        plans = [(agent, items) for agent, items in plans if items]
        outcomes = await asyncio.gather(*(self.submit(c.Batch.of(items)) for _, items in plans))
        for (agent, items), outcome in zip(plans, outcomes, strict=True):
            results = outcome.value
            for result in results:
                if result.reject is not None:
                    reason = result.reject.reason.value
                    self.stats.rejects[reason] = self.stats.rejects.get(reason, 0) + 1
            agent.settle(items, results)
        if t - self._saved_ns >= _SAVE_EVERY_NS:
            await self.save()

    async def save(self) -> None:
        """Keep the simulated world in the journal's meta table (for a restart)."""
        self._saved_ns = self.next_round_ns
        state = json.dumps(self.truth.dump())
        await self.runtime.sequencer.call(lambda journal: journal.set_meta(STATE_KEY, state))

    def _views(self, t: int) -> list[MarketView]:
        markets = self.exchange.markets
        fair = self.truth.fair
        active = MarketStatus.ACTIVE
        views = []
        for ticker, model in self.models.items():
            market = markets[ticker]
            if market.status is not active or model.close_ns <= t:
                continue
            spec = model.spec
            remaining_s = (model.close_ns - t) / _NS_PER_S
            p, speed = fair(spec.underlying, model.scaled_lo, model.scaled_hi, remaining_s)
            views.append(
                MarketView(ticker, market, p, speed * 10_000, spec.popularity, spec.category)
            )
        return views

    # --- lifecycle ---------------------------------------------------------------------------

    async def _lifecycle(self, t: int) -> None:
        items: list[c.Single] = []
        due = next_due_ns(self.exchange)
        if due is not None and due <= t:
            items.append(c.Tick())
        items += self._determinations(t)
        listed = self._listings(t)
        items += listed
        if not items:
            return
        await self._submit_checked(c.Batch.of(items), "lifecycle")
        for item in listed:
            if isinstance(item, c.AddMarket) and item.ticker in self.exchange.markets:
                self._model(self.exchange.markets[item.ticker])

    def _determinations(self, t: int) -> list[c.Single]:
        items: list[c.Single] = []
        for ticker, model in list(self.models.items()):
            if model.close_ns > t:
                continue
            del self.models[ticker]
            market = self.exchange.markets[ticker]
            if market.status not in _UNDETERMINED:
                continue
            spec = model.spec
            value = self.truth.values[spec.underlying]
            reported = round(value / spec.unit) * spec.unit if spec.unit else value
            meta = {**market.meta, "expiration_value": (spec.settle_label or spec.label)(reported)}
            items.append(
                c.AddMarket(
                    ticker=ticker,
                    event_ticker=market.event_ticker,
                    open_ts_ns=market.open_ts_ns,
                    close_ts_ns=market.close_ts_ns,
                    price_level_structure=market.grid.name,
                    fractional=market.fractional,
                    settlement_timer_s=market.settlement_timer_s,
                    market_type="scalar" if market.market_type == "scalar" else "binary",
                    meta=meta,
                )
            )
            won = model.lo <= value < model.hi
            items.append(c.DetermineMarket(ticker=ticker, result="yes" if won else "no"))
            self.stats.determined += 1
        return items

    def _open_series(self, t: int) -> set[str]:
        """Return the series that have a market open for trading at ``t``."""
        markets = self.exchange.markets
        active = MarketStatus.ACTIVE
        return {
            model.spec.ticker
            for ticker, model in self.models.items()
            if model.close_ns > t and markets[ticker].status is active
        }

    def _listings(self, t: int) -> list[c.Single]:
        catalog: dict[str, list[dict[str, object]]] = {"events": [], "markets": []}
        open_series = self._open_series(t)
        for spec in SERIES:
            cadence = spec.cadence
            slot = self._slots.get(spec.ticker)
            if slot is None or t >= cadence.current_until(slot):
                slot = self._slots[spec.ticker] = cadence.slot_at(t)
            # A series with nothing open (a fresh demo, or a slot that would only open
            # later) lists what it lists *open now*, so every series the demo advertises
            # can be traded from its first round (issue 16: the printed SDK snippet).
            open_now = spec.ticker not in open_series
            slots = []
            short = cadence.rolling and slot.close_ns - t < cadence.period_ns * 3 // 10
            if not short:
                slots.append(slot)
            # A short current slot is skipped; when that leaves the series with nothing
            # open, its successor is listed at once (and opens now) instead.
            due = t >= slot.close_ns - cadence.period_ns // 5 or (short and open_now)
            if cadence.rolling and due:
                slots.append(cadence.following(slot))
            for wanted in slots:
                if (spec.ticker, wanted.code) in self._listed:
                    continue
                story = spec.story(wanted, str(self.config.seed)) if spec.story else None
                if spec.event_ticker(wanted, story) in self.exchange.events:
                    self._listed.add((spec.ticker, wanted.code))
                    continue
                if story is not None and story.start_value is not None:
                    self.truth.rebase(
                        spec.underlying, wanted.code + story.suffix, story.start_value
                    )
                value = self.truth.values[spec.underlying]
                sd = self.truth.sd(spec.underlying, (wanted.close_ns - t) / _NS_PER_S)
                process = self.truth.processes[spec.underlying]
                sd_value = value * sd if process.log else sd
                ctx = EventContext(value, sd_value, spec.unit, spec.label, story)
                now_s = t - t % _NS_PER_S
                open_ns = now_s if open_now else max(wanted.open_ns, now_s)
                event, markets = event_entries(spec, wanted, open_ns, ctx)
                catalog["events"].append(event)
                catalog["markets"] += markets
                self.stats.listed_events += 1
        if not catalog["events"]:
            return []
        return catalog_commands(catalog, t)

    async def _submit_checked(self, batch: c.Batch[object], what: str) -> None:
        outcome = await self.submit(batch)
        for item, result in zip(batch.items, outcome.value, strict=True):
            if result.reject is not None:
                log.warning(
                    "demo %s: %s refused: %s", what, type(item).__name__, result.reject.message
                )

    # --- events from the sequencer ------------------------------------------------------------

    def _on_applied(self, _seq: int, _command: c.Command, outcome: Outcome[object]) -> None:
        makers = self._makers
        stats = self.stats
        for event in outcome.events:
            if isinstance(event, TradeEvent):
                stats.trades += 1
                stats.volume_c += event.count_c
            elif (
                isinstance(event, FillEvent)
                or (isinstance(event, OrderUpdate) and event.status != "resting")
            ) and event.user_id in makers:
                makers[event.user_id].dirty.add(event.ticker)

    # --- serving ------------------------------------------------------------------------------

    async def run(
        self, runtime: DemoHost, on_ready: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Attach, then run rounds paced by the clock until cancelled.

        ``on_ready`` is awaited once, after the first round (the markets are listed).
        """
        await self.attach(runtime)
        try:
            while True:
                await self._wait_for_round()
                try:
                    await self.step()
                except SequencerStopped:
                    log.error("demo stopped: the sequencer is not running")
                    return
                except Exception:
                    log.exception("demo round failed; carrying on")
                    await asyncio.sleep(1.0)
                if on_ready is not None:
                    ready, on_ready = on_ready, None
                    await ready()
        finally:
            with contextlib.suppress(Exception):
                await self.save()

    async def _wait_for_round(self) -> None:
        # A round never runs before its time, so the sequencer stamps its commands with a
        # time at or after the one the agents decided at.
        while True:
            now = self.clock.now_ns()
            if now >= self.next_round_ns:
                break
            await asyncio.sleep((self.next_round_ns - now) / _NS_PER_S / self.config.speed)
        if now - self.next_round_ns > _MAX_LAG_NS:
            self.next_round_ns = now - now % ROUND_NS  # fell behind: skip ahead
