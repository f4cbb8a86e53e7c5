"""How a demo series turns into Kalshi-shaped catalogue entries: strikes, titles, rules.

``SeriesSpec`` describes a series once (its underlying, cadence, settlement unit, how its
strikes are laid out and how its questions read); ``series_entry`` and ``event_entries``
render it into the same JSON shape Kalshi publishes (``GET /series``, ``GET /events``,
``GET /markets`` field names), which ``augury.catalog_file.catalog_commands`` turns into engine
commands exactly as for an operator's catalogue file.

Strike vocabulary (Kalshi's): ``greater`` pays YES when the reported value is above
``floor_strike``, ``less`` when below ``cap_strike``, ``between`` when inside both
(inclusive). The reported value is the latent value rounded to the series' ``unit``;
``augury.demo.truth.interval_of`` turns a strike into the interval of latent values it
covers, and the same function settles it, so prices and results always agree.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from augury.api.schemas.base import rfc3339_from_ns
from augury.demo.schedule import Cadence, Slot, eastern

__all__ = [
    "EventContext",
    "SeriesSpec",
    "Story",
    "Strike",
    "brackets",
    "event_entries",
    "fixed_thresholds",
    "num",
    "series_entry",
    "story_rng",
    "thresholds",
]

Label = Callable[[float], str]


def num(value: float) -> str:
    """Format a strike compactly: ``95000``, ``4.25``, ``0.3``."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _nice_step(raw: float) -> float:
    """Round a step to 1, 2, 2.5 or 5 times a power of ten."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * power * 1.25:
            return factor * power
    return 10.0 * power


@dataclass(frozen=True, slots=True)
class Strike:
    """One market of an event: its ticker suffix, Kalshi strike and its texts."""

    code: str
    strike_type: str
    floor: float | None
    cap: float | None
    yes_sub_title: str
    phrase: str  # completes "Will <subject> be ..." / "If <subject> is ..."


@dataclass(frozen=True, slots=True)
class Story:
    """What changes from one event of a series to the next (a game's teams, a film)."""

    suffix: str  # appended to the date code in the event ticker
    fields: dict[str, str]  # extra template fields
    start_value: float | None  # rebase the underlying to this when the story starts


@dataclass(frozen=True, slots=True)
class EventContext:
    """Everything the strike and text builders of one event may use."""

    value: float  # the underlying now
    sd_value: float  # sd of its value at the close, in value units
    unit: float
    label: Label
    story: Story | None


StrikeMaker = Callable[[EventContext], list[Strike]]


def describe(
    kind: str, floor: float | None, cap: float | None, unit: float, label: Label
) -> tuple[str, str]:
    """Return (yes_sub_title, phrase) for a threshold or bracket strike."""
    whole = unit >= 1
    if kind == "greater" and floor is not None:
        if whole:
            return f"{label(floor + unit)} or above", f"{label(floor + unit)} or above"
        return f"Above {label(floor)}", f"above {label(floor)}"
    if kind == "less" and cap is not None:
        if whole:
            return f"{label(cap - unit)} or below", f"{label(cap - unit)} or below"
        return f"Below {label(cap)}", f"below {label(cap)}"
    assert floor is not None
    assert cap is not None
    if floor == cap:
        return label(floor), f"exactly {label(floor)}"
    return f"{label(floor)} to {label(cap)}", f"between {label(floor)} and {label(cap)}"


def thresholds(count: int, spread: float = 0.8, step: float = 0.0) -> StrikeMaker:
    """A ladder of ``count`` "above X" strikes centred on today's value.

    The step is ``step``, or (when 0) a round number near ``spread`` standard deviations of
    the value at the close, so a fresh ladder runs from likely to unlikely.
    """

    def make(ctx: EventContext) -> list[Strike]:
        gap = step or _nice_step(ctx.sd_value * spread)
        if ctx.unit:
            gap = max(gap, ctx.unit)
        centre = round(ctx.value / gap) * gap
        strikes = []
        for k in range(count):
            floor = centre + (k - count // 2) * gap
            yes, phrase = describe("greater", floor, None, ctx.unit, ctx.label)
            strikes.append(Strike(f"T{num(floor)}", "greater", floor, None, yes, phrase))
        return strikes

    return make


def fixed_thresholds(floors: tuple[float, ...]) -> StrikeMaker:
    """A fixed ladder of "above X" strikes (rates, where the levels are conventional)."""

    def make(ctx: EventContext) -> list[Strike]:
        out = []
        for floor in floors:
            yes, phrase = describe("greater", floor, None, ctx.unit, ctx.label)
            out.append(Strike(f"T{num(floor)}", "greater", floor, None, yes, phrase))
        return out

    return make


def brackets(width: int, count: int) -> StrikeMaker:
    """Mutually exclusive ranges of whole units, ``width`` wide, plus the two open tails."""

    def make(ctx: EventContext) -> list[Strike]:
        low = round(ctx.value) - (width * count) // 2
        high = low + width * count - 1
        out = []
        yes, phrase = describe("less", None, low, 1, ctx.label)
        out.append(Strike(f"T{num(low - 1)}", "less", None, low, yes, phrase))
        for i in range(count):
            floor, cap = low + i * width, low + i * width + width - 1
            yes, phrase = describe("between", floor, cap, 1, ctx.label)
            mid = (floor + cap) / 2
            out.append(Strike(f"B{num(mid)}", "between", floor, cap, yes, phrase))
        yes, phrase = describe("greater", high, None, 1, ctx.label)
        out.append(Strike(f"T{num(high + 1)}", "greater", high, None, yes, phrase))
        return out

    return make


@dataclass(frozen=True)
class SeriesSpec:
    """One demo series: what it is about, when it lists events and how they read."""

    ticker: str
    title: str
    category: str
    frequency: str
    tags: tuple[str, ...]
    source: tuple[str, str]  # (name, url) of the settlement source
    underlying: str
    cadence: Cadence
    unit: float
    strikes: StrikeMaker
    label: Label
    event_title: str  # template: {date} {time} {month} and the story's fields
    market_title: str  # template: the above plus {phrase}
    rules: str  # template: the above plus {phrase}
    fee_type: str = "quadratic"
    price_level_structure: str = "linear_cent"
    settlement_timer_s: int = 60
    mutually_exclusive: bool = False
    popularity: float = 1.0  # how often noise traders pick its markets
    story: Callable[[Slot, str], Story] | None = None  # (slot, seed) -> the event's story
    settle_label: Label | None = None  # how the settled value reads (default: label)

    def event_ticker(self, slot: Slot, story: Story | None) -> str:
        """Return the ticker of the event of ``slot``."""
        return f"{self.ticker}-{slot.code}{story.suffix if story else ''}"


def _clock_text(ts_ns: int) -> str:
    moment = eastern(ts_ns)
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d}{suffix} ET"


def _fields(slot: Slot, story: Story | None) -> dict[str, str]:
    day = eastern(slot.close_ns - 60_000_000_000)
    month_code = slot.code[:5]
    try:
        month = f"{month_code[2:5].title()} 20{month_code[:2]}"
    except IndexError:  # pragma: no cover - every code starts with YYMON
        month = ""
    fields = {
        "date": f"{day.strftime('%b')} {day.day}, {day.year}",
        "time": _clock_text(slot.close_ns),
        "month": month,
    }
    if story is not None:
        fields.update(story.fields)
    return fields


def series_entry(spec: SeriesSpec) -> dict[str, Any]:
    """Return the series as Kalshi publishes it (plus the fee fields the engine needs)."""
    name, url = spec.source
    return {
        "ticker": spec.ticker,
        "title": spec.title,
        "category": spec.category,
        "categories": [spec.category],
        "frequency": spec.frequency,
        "tags": list(spec.tags),
        "settlement_sources": [{"name": name, "url": url}],
        "contract_url": f"https://kalshi.com/markets/{spec.ticker.lower()}",
        "contract_terms_url": f"https://kalshi.com/regulatory/rulebook/{spec.ticker.lower()}",
        "additional_prohibitions": [],
        "fee_type": spec.fee_type,
        "fee_multiplier": 1,
    }


def event_entries(
    spec: SeriesSpec, slot: Slot, open_ns: int, ctx: EventContext
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the event of ``slot`` and its markets in Kalshi's shape."""
    event_ticker = spec.event_ticker(slot, ctx.story)
    fields = _fields(slot, ctx.story)
    title = spec.event_title.format(**fields)
    event = {
        "event_ticker": event_ticker,
        "series_ticker": spec.ticker,
        "title": title,
        "sub_title": fields["date"] if spec.cadence.rolling is False else fields["time"],
        "category": spec.category,
        "mutually_exclusive": spec.mutually_exclusive,
        "collateral_return_type": "MECNET" if spec.mutually_exclusive else "DIRECNET",
        "strike_date": rfc3339_from_ns(slot.close_ns),
    }
    name, _ = spec.source
    markets = []
    for strike in spec.strikes(ctx):
        text = {**fields, "phrase": strike.phrase}
        market: dict[str, Any] = {
            "ticker": f"{event_ticker}-{strike.code}",
            "event_ticker": event_ticker,
            "market_type": "binary",
            "title": spec.market_title.format(**text),
            "subtitle": strike.yes_sub_title,
            "yes_sub_title": strike.yes_sub_title,
            "no_sub_title": strike.yes_sub_title,
            "open_time": rfc3339_from_ns(open_ns),
            "close_time": rfc3339_from_ns(slot.close_ns),
            "expiration_time": rfc3339_from_ns(slot.close_ns),
            "settlement_timer_seconds": spec.settlement_timer_s,
            "price_level_structure": spec.price_level_structure,
            "can_close_early": False,
            "rules_primary": spec.rules.format(**text),
            "rules_secondary": (
                f"The value is the one published by {name} for the time above. If it is "
                "revised later, the first published value stands. Augury demo market: "
                "prices come from simulated traders."
            ),
            "strike_type": strike.strike_type,
        }
        if strike.floor is not None:
            market["floor_strike"] = strike.floor
        if strike.cap is not None:
            market["cap_strike"] = strike.cap
        markets.append(market)
    return event, markets


def story_rng(seed: str, slot: Slot, series: str) -> random.Random:
    """Return the generator of one event's story: a pure function of seed and slot."""
    return random.Random(f"{seed}/{series}/{slot.code}")
