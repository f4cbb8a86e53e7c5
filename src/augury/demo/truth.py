"""The simulated world: latent values that the demo's markets are about.

Each *underlying* (the Bitcoin price, the expected Fed rate, New York's temperature, a
game's expected margin ...) is a number that wanders: a random walk, geometric for prices,
mean-reverting for quantities that have a natural level, with occasional jumps (news).
Markets never see it directly. What they are about is the value *at their close*, which
the demo models as normally distributed around today's value (log-normally for prices)
with a standard deviation that shrinks as the close approaches::

    sd(remaining) = min(move_per_min * sqrt(remaining / 60 s), horizon_sd_cap)

A market is an interval of that value (``[lo, hi)``: "above 95,000" is ``[95,000, inf)``),
so its fair YES probability is the normal mass of the interval. Every strike of one event
uses the same distribution, which keeps ladders monotone ("above 96,000" is never worth
more than "above 95,000") and mutually exclusive brackets summing to one. At the close the
demo reads the underlying's value and settles every market of the event from it.

Floats live here, in the demo's model of the world, never in the engine: what reaches the
exchange are integer prices the agents derive from these probabilities.

Determinism: all randomness comes from the ``random.Random`` handed in, and time only from
the timestamps the runner passes to ``advance_to``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["INF", "Process", "Truth", "interval_of", "normal_cdf"]

INF = math.inf
_SQRT2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT60 = math.sqrt(60.0)
_NS_PER_S = 1_000_000_000
_DAY_S = 86_400.0


def normal_cdf(z: float) -> float:
    """Return P(Z < z) for a standard normal Z."""
    return 0.5 * math.erfc(-z / _SQRT2)


def interval_of(
    strike_type: str, floor: float | None, cap: float | None, unit: float
) -> tuple[float, float]:
    """Return the interval ``[lo, hi)`` of the latent value for which a market pays YES.

    Kalshi's strikes compare the *reported* value, which is rounded to ``unit`` (whole
    degrees, quarter points of a rate ...); "greater than 4.25" on a quarter-point rate
    therefore means a latent value of at least 4.375.
    """
    half = unit / 2
    if strike_type == "greater" and floor is not None:
        return floor + half, INF
    if strike_type == "greater_or_equal" and floor is not None:
        return floor - half, INF
    if strike_type == "less" and cap is not None:
        return -INF, cap - half
    if strike_type == "less_or_equal" and cap is not None:
        return -INF, cap + half
    if strike_type == "between" and floor is not None and cap is not None:
        return floor - half, cap + half
    raise ValueError(f"unsupported strike {strike_type} {floor} {cap}")


@dataclass(frozen=True, slots=True)
class Process:
    """How one underlying moves. Moves are absolute, or relative when ``log`` is set."""

    name: str
    start: float
    move_per_min: float
    log: bool = False
    horizon_sd_cap: float = INF
    reversion_half_life_s: float = 0.0  # 0: no pull back towards the anchor
    jumps_per_hour: float = 0.0
    jump_sd: float = 0.0
    low: float = -INF
    high: float = INF
    diurnal_amplitude: float = 0.0  # the anchor follows a daily cycle peaking at 20:00 UTC


class Truth:
    """The current value of every underlying, moved forward by ``advance_to``."""

    def __init__(self, processes: list[Process], rng: random.Random, now_ns: int) -> None:
        self.processes = {p.name: p for p in processes}
        self.rng = rng
        self.now_ns = now_ns
        self.values: dict[str, float] = {}
        self.anchors: dict[str, float] = {}
        self.marks: dict[str, str] = {}
        for process in processes:
            jitter = rng.gauss(0.0, 1.0) * process.move_per_min * 10
            start = process.start * math.exp(jitter) if process.log else process.start + jitter
            self.values[process.name] = self._clamp(process, start)
            self.anchors[process.name] = process.start

    # --- evolution ----------------------------------------------------------------------

    def advance_to(self, ts_ns: int) -> None:
        """Move every underlying forward to ``ts_ns`` (a no-op for earlier times)."""
        if ts_ns <= self.now_ns:
            return
        dt_s = (ts_ns - self.now_ns) / _NS_PER_S
        self.now_ns = ts_ns
        for name, process in self.processes.items():
            self.values[name] = self._step(process, self.values[name], dt_s)

    def _step(self, p: Process, value: float, dt_s: float) -> float:
        rng = self.rng
        shock = rng.gauss(0.0, 1.0) * p.move_per_min * math.sqrt(dt_s / 60.0)
        jumps = _poisson(rng, p.jumps_per_hour * dt_s / 3600.0) if p.jumps_per_hour else 0
        for _ in range(jumps):
            shock += rng.gauss(0.0, p.jump_sd)
        if p.log:
            value *= math.exp(shock)
        else:
            value += shock
        if p.reversion_half_life_s > 0:
            anchor = self._anchor(p)
            if p.log:
                pull = 1.0 - 0.5 ** (dt_s / p.reversion_half_life_s)
                value *= math.exp(pull * math.log(anchor / value))
            else:
                value += (anchor - value) * (1.0 - 0.5 ** (dt_s / p.reversion_half_life_s))
        return self._clamp(p, value)

    def _anchor(self, p: Process) -> float:
        anchor = self.anchors[p.name]
        if p.diurnal_amplitude:
            day_s = (self.now_ns / _NS_PER_S) % _DAY_S
            anchor += p.diurnal_amplitude * math.cos(2 * math.pi * (day_s - 72_000.0) / _DAY_S)
        return anchor

    @staticmethod
    def _clamp(p: Process, value: float) -> float:
        return min(max(value, p.low), p.high)

    def rebase(self, name: str, mark: str, value: float) -> bool:
        """Start a new story for an underlying (a new game, a new film) once per ``mark``."""
        if self.marks.get(name) == mark:
            return False
        self.marks[name] = mark
        process = self.processes[name]
        self.values[name] = self._clamp(process, value)
        self.anchors[name] = self.values[name]
        return True

    # --- pricing ------------------------------------------------------------------------

    def sd(self, name: str, remaining_s: float) -> float:
        """Return the sd of the value at a close ``remaining_s`` away (log units for prices)."""
        p = self.processes[name]
        spread = p.move_per_min * math.sqrt(max(remaining_s, 0.0) / 60.0)
        return min(spread, p.horizon_sd_cap)

    def scaled(self, name: str, lo: float, hi: float) -> tuple[float, float]:
        """Return an interval in the units ``fair`` works in (logs for prices)."""
        if not self.processes[name].log:
            return lo, hi
        return (math.log(lo) if lo > 0 else -INF), (math.log(hi) if hi > 0 else -INF)

    def fair(self, name: str, lo: float, hi: float, remaining_s: float) -> tuple[float, float]:
        """Return the probability that the value at the close lies in a ``scaled``
        interval, and how fast that probability moves (its sd over one second).

        This is the demo's hot path (every market, every round), hence the inlined math.
        """
        process = self.processes[name]
        value = self.values[name]
        if process.log:
            value = math.log(value)
        sd = process.move_per_min * math.sqrt(max(remaining_s, 0.0) / 60.0)
        if sd > process.horizon_sd_cap:
            sd = process.horizon_sd_cap
        if sd <= 1e-12:
            return (1.0 if lo <= value < hi else 0.0), 0.0
        scale = _SQRT2 * sd
        below_hi, below_lo, density = 1.0, 0.0, 0.0
        if hi != INF:
            z = (value - hi) / scale
            below_hi = 0.5 * math.erfc(z)
            density -= math.exp(-z * z)
        if lo != -INF:
            z = (value - lo) / scale
            below_lo = 0.5 * math.erfc(z)
            density += math.exp(-z * z)
        # d(probability)/d(value) times the value's move over one second.
        speed = abs(density) / (_SQRT_2PI * sd) * process.move_per_min / _SQRT60
        return max(0.0, below_hi - below_lo), speed

    def probability(self, name: str, lo: float, hi: float, remaining_s: float) -> float:
        """Return the probability that the value at the close lies in ``[lo, hi)``."""
        scaled_lo, scaled_hi = self.scaled(name, lo, hi)
        return self.fair(name, scaled_lo, scaled_hi, remaining_s)[0]

    # --- persistence --------------------------------------------------------------------

    def dump(self) -> dict[str, object]:
        """Return the state worth keeping across a restart (JSON-friendly)."""
        return {"values": dict(self.values), "anchors": dict(self.anchors), "marks": self.marks}

    def load(self, state: dict[str, object]) -> None:
        """Restore what ``dump`` returned, ignoring underlyings that no longer exist."""
        for key, target in (("values", self.values), ("anchors", self.anchors)):
            saved = state.get(key)
            if isinstance(saved, dict):
                for name, value in saved.items():
                    if name in self.processes and isinstance(value, int | float):
                        target[name] = self._clamp(self.processes[name], float(value))
        marks = state.get("marks")
        if isinstance(marks, dict):
            self.marks.update({str(k): str(v) for k, v in marks.items()})


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; the means here are tiny (jumps per round), so it ends at once.
    if mean <= 0:
        return 0
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
