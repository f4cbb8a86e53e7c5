"""A client-side token bucket that keeps a client under the exchange's limits (CONTRACT §10).

Seeded from the server itself: ``GET /account/limits`` gives the read and write buckets
(``refill_rate`` tokens/s, ``bucket_capacity``), ``GET /account/endpoint_costs`` the
prices that differ from ``default_cost``. Billing follows Kalshi's rules, implemented here
independently of the server: a non-GET under the order, order-group and RFQ/quote paths
is a write, everything else a read; a ``.../batched`` endpoint is billed per item.

How it waits: ``reserve(call)`` takes the call's tokens at once, letting the bucket go
into debt, and returns how long the caller must sleep before sending; callers that
reserve later queue behind that debt, so concurrent callers never oversubscribe. A safety
margin (default 5 % of the refill rate and one request's worth of capacity) absorbs
arrival jitter between client and server clocks.

Invariant: integer arithmetic in nano-tokens; the bucket's level never exceeds its
(margin-reduced) capacity; time only comes from the injected clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from augury.client.call import Call
from augury.client.clock import Clock
from augury.client.models import wire

__all__ = ["BucketSpec", "ClientRateLimiter", "CostTable", "bucket_of"]

_NANO: Final = 1_000_000_000
_WRITE_PREFIXES: Final = (
    "/portfolio/events/orders",
    "/portfolio/orders",
    "/portfolio/order_groups",
    "/communications/quotes",
    "/communications/rfqs",
)
_API_PREFIX: Final = "/trade-api/v2"


def bucket_of(method: str, template: str) -> str:
    """Return ``"write"`` or ``"read"``: the bucket a request is billed to."""
    if method.upper() not in ("GET", "HEAD", "OPTIONS") and template.startswith(_WRITE_PREFIXES):
        return "write"
    return "read"


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """Tokens added per second and the most the bucket holds."""

    refill_rate: int
    bucket_capacity: int


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + r"\Z")


class CostTable:
    """Token prices by method and path, from ``/account/endpoint_costs``."""

    def __init__(self, default_cost: int, costs: list[tuple[str, str, int]]) -> None:
        self.default_cost = default_cost
        self._costs = [(m.upper(), _pattern(p), c) for m, p, c in costs]

    @classmethod
    def from_wire(cls, body: wire.GetAccountEndpointCostsResponse) -> CostTable:
        """Build the table from the server's answer (paths may carry ``/trade-api/v2``)."""
        return cls(
            body.default_cost,
            [(e.method, e.path.removeprefix(_API_PREFIX), e.cost) for e in body.endpoint_costs],
        )

    def cost(self, method: str, template: str, items: int) -> int:
        """Return the tokens one request costs (per item for batch endpoints)."""
        unit = self.default_cost
        for m, pattern, cost in self._costs:
            if m == method.upper() and pattern.match(template):
                unit = cost
                break
        if template.endswith("/batched"):
            return unit * max(items, 1)
        return unit


class _Bucket:
    __slots__ = ("capacity_nt", "last_ns", "level_nt", "rate")

    def __init__(self, spec: BucketSpec, now_ns: int, margin_permille: int, unit: int) -> None:
        self.rate = spec.refill_rate * (1000 - margin_permille) // 1000
        self.capacity_nt = max(spec.bucket_capacity - unit, unit) * _NANO
        self.level_nt = self.capacity_nt
        self.last_ns = now_ns

    def reserve(self, tokens: int, now_ns: int) -> int:
        """Take ``tokens`` (into debt if needed); return nanoseconds to wait."""
        elapsed = now_ns - self.last_ns
        if elapsed > 0:
            self.level_nt = min(self.capacity_nt, self.level_nt + self.rate * elapsed)
            self.last_ns = now_ns
        self.level_nt -= tokens * _NANO
        if self.level_nt >= 0:
            return 0
        return -(self.level_nt // self.rate) if self.rate > 0 else 0

    def used_permille(self, now_ns: int) -> int:
        elapsed = max(now_ns - self.last_ns, 0)
        level = min(self.capacity_nt, self.level_nt + self.rate * elapsed)
        return (self.capacity_nt - level) * 1000 // self.capacity_nt if self.capacity_nt else 0


class ClientRateLimiter:
    """Read and write buckets for one API key, priced by a ``CostTable``."""

    def __init__(
        self,
        read: BucketSpec,
        write: BucketSpec,
        costs: CostTable,
        clock: Clock,
        *,
        margin_permille: int = 50,
        tier: str = "",
    ) -> None:
        now = clock.now_ns()
        unit = costs.default_cost
        self.tier = tier
        self.costs = costs
        self.clock = clock
        self._buckets = {
            "read": _Bucket(read, now, margin_permille, unit),
            "write": _Bucket(write, now, margin_permille, unit),
        }

    @classmethod
    def from_wire(
        cls,
        limits: wire.GetAccountApiLimitsResponse,
        costs: wire.GetAccountEndpointCostsResponse,
        clock: Clock,
        *,
        margin_permille: int = 50,
    ) -> ClientRateLimiter:
        """Build the limiter from ``/account/limits`` and ``/account/endpoint_costs``."""
        return cls(
            BucketSpec(limits.read.refill_rate, limits.read.bucket_capacity),
            BucketSpec(limits.write.refill_rate, limits.write.bucket_capacity),
            CostTable.from_wire(costs),
            clock,
            margin_permille=margin_permille,
            tier=limits.usage_tier,
        )

    def reserve(self, call: Call[Any]) -> float:
        """Bill a call; return the seconds to wait before sending it (0 if none)."""
        bucket = bucket_of(call.method, call.template)
        tokens = self.costs.cost(call.method, call.template, call.items)
        wait_ns = self._buckets[bucket].reserve(tokens, self.clock.now_ns())
        return wait_ns / _NANO

    def usage_permille(self, bucket: str) -> int:
        """Return tokens in use over capacity, in permille (for monitoring)."""
        return self._buckets[bucket].used_permille(self.clock.now_ns())
