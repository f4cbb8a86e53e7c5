"""Sandbox faults: what an operator asked to go wrong for one API key or one user.

A ``FaultConfig`` is parsed from the JSON an operator sends (``PUT /admin/v1/faults/...``,
``augury admin faults set``) and rendered back unchanged in meaning (``GET
/admin/v1/faults``). Everything is off unless configured, and a config applies only to the
key, or to the keys of the user, it names: ``FaultBook.lookup`` is the single place that
decides, and it answers None for everyone else.

Determinism: each target draws from its own ``random.Random(seed)``; fractions are held in
parts per million (``_ppm``), so a draw is one integer comparison, and the same sequence of
requests on a target with the same seed meets the same faults. Latencies are whole
milliseconds drawn from the configured distribution (fixed, uniform, normal clipped at
zero, exponential), capped at ``LATENCY_MAX_MS``.

Limits: at most ``TARGETS_MAX`` targets; latencies up to a minute; WebSocket periods from
1 s; every fraction in 0..1 and the error fractions summing to at most 1. The book is
saved to ``sandbox-faults.json`` in the data directory on every change and loaded at start
(random generators restart from their seeds; counters restart at zero).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "CHANNEL_OF",
    "ERROR_KINDS",
    "LATENCY_MAX_MS",
    "TARGETS_MAX",
    "FaultBook",
    "FaultConfig",
    "FaultError",
    "FaultState",
    "Latency",
    "Maintenance",
    "WsFaults",
    "parse_config",
]

PPM = 1_000_000
LATENCY_MAX_MS = 60_000
TARGETS_MAX = 1_000
RETRY_AFTER_MAX_S = 3_600
EVERY_MAX = 1_000_000
FILE_NAME = "sandbox-faults.json"
# The error faults in the order one draw is compared against their cumulative fractions.
ERROR_KINDS = ("429", "500", "503", "drop", "applied_drop")
# Data message type -> the channel a client subscribed to.
CHANNEL_OF = {
    "orderbook_snapshot": "orderbook_delta",
    "orderbook_delta": "orderbook_delta",
    "ticker": "ticker",
    "trade": "trade",
    "fill": "fill",
    "market_position": "market_positions",
    "user_order": "user_orders",
    "order_group_updates": "order_group_updates",
    "market_lifecycle_v2": "market_lifecycle_v2",
    "event_lifecycle": "market_lifecycle_v2",
}
_CHANNELS = frozenset(CHANNEL_OF.values())
_TARGET_ID = re.compile(r"^[A-Za-z0-9_.@:-]{1,64}$")


class FaultError(ValueError):
    """A fault config that is malformed or out of range (answered 400)."""


@dataclass(frozen=True, slots=True)
class Latency:
    """Added latency in whole milliseconds: fixed, uniform, normal or exponential."""

    kind: Literal["fixed", "uniform", "normal", "exponential"]
    a_ms: int  # fixed: the value; uniform: min; normal/exponential: the mean
    b_ms: int = 0  # uniform: max; normal: the standard deviation

    def draw_ms(self, rng: random.Random) -> int:
        """Draw one latency."""
        if self.kind == "fixed":
            return self.a_ms
        if self.kind == "uniform":
            return rng.randint(self.a_ms, self.b_ms)
        if self.kind == "normal":
            value = rng.gauss(self.a_ms, self.b_ms)
        else:
            value = rng.expovariate(1 / self.a_ms) if self.a_ms else 0.0
        return min(LATENCY_MAX_MS, max(0, round(value)))

    def render(self) -> dict[str, Any]:
        if self.kind == "fixed":
            return {"kind": "fixed", "ms": self.a_ms}
        if self.kind == "uniform":
            return {"kind": "uniform", "min_ms": self.a_ms, "max_ms": self.b_ms}
        if self.kind == "normal":
            return {"kind": "normal", "mean_ms": self.a_ms, "stddev_ms": self.b_ms}
        return {"kind": "exponential", "mean_ms": self.a_ms}


@dataclass(frozen=True, slots=True)
class WsFaults:
    """WebSocket faults: periodic disconnects, skipped ``seq`` numbers, duplicates, delays."""

    disconnect_every_s: int = 0  # 0: never
    skip_seq_every: int = 0  # every Nth message with a seq is not sent (its seq is skipped)
    duplicate_every: int = 0  # every Nth data message is sent twice
    delay_ms: dict[str, int] = field(default_factory=dict)  # channel -> added delay

    @property
    def any(self) -> bool:
        return bool(
            self.disconnect_every_s or self.skip_seq_every or self.duplicate_every or self.delay_ms
        )


@dataclass(frozen=True, slots=True)
class Maintenance:
    """A maintenance window, Unix seconds; None bounds are open."""

    start_s: int | None = None
    end_s: int | None = None

    def active(self, now_ns: int) -> bool:
        now_s = now_ns // 1_000_000_000
        if self.start_s is not None and now_s < self.start_s:
            return False
        return self.end_s is None or now_s < self.end_s


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Everything one target asked for; see ``parse_config`` for the JSON."""

    seed: int = 0
    rest_latency: Latency | None = None
    ws_latency: Latency | None = None
    error_ppm: dict[str, int] = field(default_factory=dict)
    retry_after_s: int = 1
    ws: WsFaults = field(default_factory=WsFaults)
    maintenance: Maintenance | None = None

    def render(self) -> dict[str, Any]:
        """The config as JSON (the same shape ``parse_config`` reads)."""
        out: dict[str, Any] = {"seed": self.seed}
        latency: dict[str, Any] = {}
        if self.rest_latency is not None:
            latency["rest"] = self.rest_latency.render()
        if self.ws_latency is not None:
            latency["ws"] = self.ws_latency.render()
        if latency:
            out["latency"] = latency
        if self.error_ppm:
            errors: dict[str, Any] = {
                kind: str(Decimal(ppm) / PPM) for kind, ppm in self.error_ppm.items()
            }
            errors["retry_after_s"] = self.retry_after_s
            out["errors"] = errors
        if self.ws.any:
            ws: dict[str, Any] = {}
            if self.ws.disconnect_every_s:
                ws["disconnect_every_s"] = self.ws.disconnect_every_s
            if self.ws.skip_seq_every:
                ws["skip_seq_every"] = self.ws.skip_seq_every
            if self.ws.duplicate_every:
                ws["duplicate_every"] = self.ws.duplicate_every
            if self.ws.delay_ms:
                ws["delay_ms"] = dict(self.ws.delay_ms)
            out["ws"] = ws
        if self.maintenance is not None:
            out["maintenance"] = {
                "start_ts": self.maintenance.start_s,
                "end_ts": self.maintenance.end_s,
            }
        return out


# --- parsing --------------------------------------------------------------------------------


def _int(data: dict[str, Any], key: str, low: int, high: int, default: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultError(f"{key} must be a whole number from {low} to {high}")
    return value


def _fraction_ppm(kind: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FaultError(f"errors.{kind} must be a fraction from 0 to 1")
    try:
        # A float from JSON goes through its shortest decimal text, never its binary value.
        exact = Decimal(repr(value) if isinstance(value, float) else str(value)) * PPM
    except InvalidOperation:
        raise FaultError(f"errors.{kind} must be a fraction from 0 to 1") from None
    if not exact.is_finite() or not 0 <= exact <= PPM or exact != exact.to_integral_value():
        raise FaultError(f"errors.{kind} must be a fraction from 0 to 1 (to 6 decimals)")
    return int(exact)


def _latency(where: str, data: object) -> Latency | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise FaultError(f"latency.{where} must be an object")
    kind = data.get("kind", "fixed")
    top = LATENCY_MAX_MS
    if kind == "fixed":
        return Latency("fixed", _int(data, "ms", 0, top))
    if kind == "uniform":
        low, high = _int(data, "min_ms", 0, top), _int(data, "max_ms", 0, top)
        if low > high:
            raise FaultError(f"latency.{where}: min_ms must not exceed max_ms")
        return Latency("uniform", low, high)
    if kind == "normal":
        return Latency("normal", _int(data, "mean_ms", 0, top), _int(data, "stddev_ms", 0, top))
    if kind == "exponential":
        return Latency("exponential", _int(data, "mean_ms", 0, top))
    raise FaultError(f"latency.{where}.kind must be fixed, uniform, normal or exponential")


def _errors(data: object) -> tuple[dict[str, int], int]:
    if data is None:
        return {}, 1
    if not isinstance(data, dict):
        raise FaultError("errors must be an object")
    unknown = set(data) - {*ERROR_KINDS, "retry_after_s"}
    if unknown:
        raise FaultError(f"errors: unknown {sorted(unknown)}; use {', '.join(ERROR_KINDS)}")
    ppm = {kind: _fraction_ppm(kind, data[kind]) for kind in ERROR_KINDS if kind in data}
    if sum(ppm.values()) > PPM:
        raise FaultError("errors: the fractions add up to more than 1")
    return {k: v for k, v in ppm.items() if v}, _int(data, "retry_after_s", 0, RETRY_AFTER_MAX_S, 1)


def _ws(data: object) -> WsFaults:
    if data is None:
        return WsFaults()
    if not isinstance(data, dict):
        raise FaultError("ws must be an object")
    delays = data.get("delay_ms", {})
    if not isinstance(delays, dict) or not all(k in _CHANNELS for k in delays):
        raise FaultError(f"ws.delay_ms maps channels ({', '.join(sorted(_CHANNELS))}) to ms")
    return WsFaults(
        disconnect_every_s=_int(data, "disconnect_every_s", 0, 86_400),
        skip_seq_every=_int(data, "skip_seq_every", 0, EVERY_MAX),
        duplicate_every=_int(data, "duplicate_every", 0, EVERY_MAX),
        delay_ms={k: _int(delays, k, 0, LATENCY_MAX_MS) for k in sorted(delays)},
    )


def _maintenance(data: object) -> Maintenance | None:
    if data is None or data is False:
        return None
    if data is True:
        return Maintenance()
    if not isinstance(data, dict):
        raise FaultError("maintenance must be true or {start_ts, end_ts}")
    bounds: list[int | None] = []
    for key in ("start_ts", "end_ts"):
        value = data.get(key)
        bounds.append(None if value is None else _int(data, key, 0, 4_102_444_800))
    if bounds[0] is not None and bounds[1] is not None and bounds[0] >= bounds[1]:
        raise FaultError("maintenance: start_ts must come before end_ts")
    return Maintenance(bounds[0], bounds[1])


def parse_config(data: object) -> FaultConfig:
    """Validate an operator's fault config (JSON object)::

        {"seed": 7,
         "latency": {"rest": {"kind": "fixed", "ms": 200},
                     "ws": {"kind": "uniform", "min_ms": 50, "max_ms": 150}},
         "errors": {"429": 0.1, "500": 0.05, "503": 0.05, "drop": 0.02,
                    "applied_drop": 0.1, "retry_after_s": 2},
         "ws": {"disconnect_every_s": 30, "skip_seq_every": 10, "duplicate_every": 7,
                "delay_ms": {"orderbook_delta": 500}},
         "maintenance": {"start_ts": null, "end_ts": 1767230000}}

    Raises:
        FaultError: A key or value is unknown or out of range.
    """
    if not isinstance(data, dict):
        raise FaultError("a fault config is a JSON object")
    unknown = set(data) - {"seed", "latency", "errors", "ws", "maintenance"}
    if unknown:
        raise FaultError(f"unknown keys {sorted(unknown)}")
    latency = data.get("latency") or {}
    if not isinstance(latency, dict) or set(latency) - {"rest", "ws"}:
        raise FaultError("latency has rest and/or ws")
    errors, retry_after = _errors(data.get("errors"))
    return FaultConfig(
        seed=_int(data, "seed", 0, 2**63 - 1),
        rest_latency=_latency("rest", latency.get("rest")),
        ws_latency=_latency("ws", latency.get("ws")),
        error_ppm=errors,
        retry_after_s=retry_after,
        ws=_ws(data.get("ws")),
        maintenance=_maintenance(data.get("maintenance")),
    )


# --- the book -------------------------------------------------------------------------------


class FaultState:
    """One target's config, its random generator and what was applied so far."""

    def __init__(self, kind: str, target_id: str, config: FaultConfig) -> None:
        self.kind = kind  # "key" | "user"
        self.target_id = target_id
        self.config = config
        self.rng = random.Random(config.seed)
        self.applied: dict[str, int] = {}

    def count(self, what: str, n: int = 1) -> None:
        self.applied[what] = self.applied.get(what, 0) + n

    def draw_error(self) -> str | None:
        """Draw this request's error fault (None: answer normally)."""
        ppm = self.config.error_ppm
        if not ppm:
            return None
        point = self.rng.randrange(PPM)
        edge = 0
        for kind in ERROR_KINDS:
            edge += ppm.get(kind, 0)
            if point < edge:
                return kind
        return None

    def draw_rest_latency_ms(self) -> int:
        latency = self.config.rest_latency
        return latency.draw_ms(self.rng) if latency is not None else 0

    def draw_ws_latency_ms(self) -> int:
        latency = self.config.ws_latency
        return latency.draw_ms(self.rng) if latency is not None else 0

    def render(self) -> dict[str, Any]:
        target = {"api_key_id" if self.kind == "key" else "user_id": self.target_id}
        return {
            "target": target,
            "config": self.config.render(),
            "applied": dict(sorted(self.applied.items())),
        }


class FaultBook:
    """Every configured target; saved to ``path`` (when given) on each change."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        # How REST latency and held WebSocket frames wait; tests record it instead.
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._keys: dict[str, FaultState] = {}
        self._users: dict[str, FaultState] = {}

    @property
    def empty(self) -> bool:
        return not self._keys and not self._users

    def lookup(self, api_key_id: str, user_id: str) -> FaultState | None:
        """Return the faults of a request signed by this key (its own, else its user's)."""
        if self.empty:
            return None
        return self._keys.get(api_key_id) or self._users.get(user_id)

    def set(self, kind: str, target_id: str, config: FaultConfig) -> FaultState:
        """Configure a target (replacing what it had; its generator restarts)."""
        if not _TARGET_ID.match(target_id):
            raise FaultError("a target is an API key id or a user id")
        table = self._keys if kind == "key" else self._users
        if target_id not in table and len(self._keys) + len(self._users) >= TARGETS_MAX:
            raise FaultError(f"at most {TARGETS_MAX} targets may have faults")
        state = table[target_id] = FaultState(kind, target_id, config)
        self.save()
        return state

    def clear(self, kind: str, target_id: str) -> bool:
        """Remove a target's faults; return whether it had any."""
        table = self._keys if kind == "key" else self._users
        found = table.pop(target_id, None) is not None
        if found:
            self.save()
        return found

    def states(self) -> list[FaultState]:
        return [*self._keys.values(), *self._users.values()]

    def save(self) -> None:
        if self.path is None:
            return
        data = [
            {"kind": s.kind, "target": s.target_id, "config": s.config.render()}
            for s in self.states()
        ]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.path)

    def load(self) -> None:
        """Read the saved book (nothing when no file exists yet)."""
        if self.path is None or not self.path.exists():
            return
        for entry in json.loads(self.path.read_text()):
            config = parse_config(entry["config"])
            table = self._keys if entry["kind"] == "key" else self._users
            table[entry["target"]] = FaultState(entry["kind"], entry["target"], config)
