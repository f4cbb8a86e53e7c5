"""Kalshi-style rate limits: two token buckets per user, read and write (CONTRACT.md §10).

What a request costs
    ``classify(method, path)`` answers from one table, ``ENDPOINT_COSTS``, which is also
    what ``GET /account/endpoint_costs`` serves, so the published prices are the enforced
    ones. A request costs ``DEFAULT_COST`` (10) tokens unless the table prices its method
    and path template; a batch is billed per item (``per_item``) and the whole batch must
    fit at once. Kalshi's rule for the bucket: a write is an order placement, amend,
    cancel, order-group operation or RFQ/quote action; everything else, every GET
    included, is a read (so ``POST /api_keys`` and subaccount transfers are reads).

Who pays
    A request pays to the user of its API key only when it *proved* it holds the key: its
    signature verified (``AuthGuard.identify``, kept in the scope so the route reuses the
    verification). Everything else (unsigned requests, forged or replayed signatures,
    throttled addresses) pays to its source address (an IPv6 /64 counts as one) at the
    server's default tier. So a client that only knows someone's key id cannot spend
    that user's tokens at all (docs/decisions/0020). A batch is billed per item only to a
    proven key holder and only once the route has accepted it: the whole batch must fit
    in the bucket before the route runs (Kalshi's rule), one item is taken then, and the
    other items only when the route answers below 400. A batch refused as a whole (it
    did not validate) costs one request.

Tiers
    ``TIER_LIMITS`` holds Kalshi's per-second budgets and bucket capacities (two seconds of
    budget for basic/advanced reads and for writes above basic, one second otherwise).
    A new user has no tier in the engine (``""``): it resolves to the server's
    ``Settings.default_tier`` (``prestige`` unless configured). A tier the operator sets,
    ``basic`` included, is applied as set. ``unlimited``
    bypasses the limiter; with ``Settings.rate_limits`` off every user is unlimited.

Invariants
    - Integer arithmetic only: a bucket holds nano-tokens, refilled by
      ``refill_rate x elapsed_ns``, so no rounding drifts.
    - A refused request (429) changes nothing but the bucket's refill bookkeeping: it never
      reaches a route, so no command is submitted. Its body is exactly
      ``{"error": "too many requests"}`` with no ``Retry-After`` or ``X-RateLimit-*``
      header, as Kalshi answers.
    - Time comes from the context's clock; a clock that steps back refills nothing.
    - Address buckets are bounded (``addresses_max``, least recently used dropped) and
      one that has refilled to capacity is forgotten within ``SWEEP_INTERVAL_NS`` of the
      next anonymous request (it is the same as a new bucket), so an attack from many
      addresses leaves nothing behind once its buckets are full again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from augury.api.auth_guard import address_of
from augury.api.context import Context
from augury.api.idle_table import IdleTable

__all__ = [
    "API_PREFIX",
    "DEFAULT_COST",
    "ENDPOINT_COSTS",
    "ENGINE_DEFAULT_TIER",
    "TIER_LIMITS",
    "TOO_MANY_REQUESTS_BODY",
    "UNLIMITED",
    "UNLIMITED_REPORTED",
    "BucketSpec",
    "Charge",
    "EndpointCost",
    "RateLimitMiddleware",
    "RateLimiter",
    "TokenBucket",
    "classify",
]

BucketKind = Literal["read", "write"]

API_PREFIX: Final = "/trade-api/v2"
DEFAULT_COST: Final = 10
UNLIMITED: Final = "unlimited"
ENGINE_DEFAULT_TIER: Final = ""  # a new user's engine tier: none set, the server default
# BucketLimit fields are required integers; an unlimited bucket reports the int32 maximum.
UNLIMITED_REPORTED: Final = 2**31 - 1
TOO_MANY_REQUESTS_BODY: Final = b'{"error": "too many requests"}'
_NANO: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """One bucket's budget: tokens added per second, and the most it can hold."""

    refill_rate: int
    bucket_capacity: int


def _tier(read: int, write: int, *, read_burst_s: int, write_burst_s: int) -> dict[str, BucketSpec]:
    return {
        "read": BucketSpec(read, read * read_burst_s),
        "write": BucketSpec(write, write * write_burst_s),
    }


TIER_LIMITS: Final[dict[str, dict[str, BucketSpec]]] = {
    "basic": _tier(200, 100, read_burst_s=2, write_burst_s=1),
    "advanced": _tier(300, 300, read_burst_s=2, write_burst_s=2),
    "expert": _tier(600, 600, read_burst_s=1, write_burst_s=2),
    "premier": _tier(1000, 1000, read_burst_s=1, write_burst_s=2),
    "paragon": _tier(2000, 2000, read_burst_s=1, write_burst_s=2),
    "prime": _tier(4000, 4000, read_burst_s=1, write_burst_s=2),
    "prestige": _tier(10000, 8000, read_burst_s=1, write_burst_s=2),
}


@dataclass(frozen=True, slots=True)
class EndpointCost:
    """A price that differs from the default, or a batch billed per item."""

    method: str
    path: str  # template relative to /trade-api/v2, e.g. "/portfolio/events/orders/{order_id}"
    cost: int
    per_item: bool = False


ENDPOINT_COSTS: Final[tuple[EndpointCost, ...]] = (
    # V2 orders. A batch costs what its items would cost one by one; a cancel is 2 tokens,
    # single or batched (CONTRACT §10: "batch cancel is 2 per order"), and so is cancel-all
    # (as live Kalshi's table lists it).
    EndpointCost("DELETE", "/portfolio/events/orders/batched", 2, per_item=True),
    EndpointCost("POST", "/portfolio/events/orders/batched", DEFAULT_COST, per_item=True),
    EndpointCost("DELETE", "/portfolio/events/orders/{order_id}", 2),
    EndpointCost("DELETE", "/portfolio/events/orders", 2),
    # Live Kalshi's table: reading one order costs 2, the usage-level upgrade 30. The
    # literal path first: classify takes the first match.
    EndpointCost("GET", "/portfolio/orders/queue_positions", DEFAULT_COST),
    EndpointCost("GET", "/portfolio/orders/{order_id}", 2),
    EndpointCost("POST", "/account/api_usage_level/upgrade", 30),
    # Legacy v1 order mutations cost ten times their V2 equivalents (CONTRACT §10).
    EndpointCost("POST", "/portfolio/orders", 100),
    EndpointCost("POST", "/portfolio/orders/batched", 100, per_item=True),
    EndpointCost("DELETE", "/portfolio/orders/batched", 20, per_item=True),
    EndpointCost("DELETE", "/portfolio/orders/{order_id}", 20),
    EndpointCost("POST", "/portfolio/orders/{order_id}/amend", 100),
    EndpointCost("POST", "/portfolio/orders/{order_id}/decrease", 100),
    EndpointCost("GET", "/communications/quotes/{quote_id}", 2),
)

# Non-GET requests under these prefixes use the write bucket (Kalshi: order placement,
# amends, cancels, order groups and the RFQ quote flow); everything else is a read.
_WRITE_PREFIXES: Final = (
    "/portfolio/events/orders",
    "/portfolio/orders",
    "/portfolio/order_groups",
    "/communications/quotes",
    "/communications/rfqs",
)
_READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + r"\Z")


_COMPILED: Final = tuple((entry, _pattern(entry.path)) for entry in ENDPOINT_COSTS)


@dataclass(frozen=True, slots=True)
class Charge:
    """What one request is billed: a bucket, tokens per item, and whether it has items."""

    bucket: BucketKind
    cost: int
    per_item: bool


def classify(method: str, path: str) -> Charge:
    """Price a request by method and path (relative to ``/trade-api/v2``, query dropped)."""
    method = method.upper()
    bucket: BucketKind = "read"
    if method not in _READ_METHODS and path.startswith(_WRITE_PREFIXES):
        bucket = "write"
    for entry, pattern in _COMPILED:
        if entry.method == method and pattern.match(path):
            return Charge(bucket, entry.cost, entry.per_item)
    return Charge(bucket, DEFAULT_COST, False)


class TokenBucket:
    """A token bucket counted in nano-tokens; it starts full."""

    __slots__ = ("last_ns", "level_nt")

    def __init__(self, spec: BucketSpec, now_ns: int) -> None:
        self.level_nt = spec.bucket_capacity * _NANO
        self.last_ns = now_ns

    def _refill(self, spec: BucketSpec, now_ns: int) -> None:
        elapsed = now_ns - self.last_ns
        if elapsed > 0:
            self.level_nt += spec.refill_rate * elapsed
            self.last_ns = now_ns
        # Also clamps a bucket whose tier was just lowered to the new capacity.
        self.level_nt = min(self.level_nt, spec.bucket_capacity * _NANO)

    def take(self, tokens: int, spec: BucketSpec, now_ns: int) -> bool:
        """Spend ``tokens`` if the bucket holds them; otherwise leave it as it was."""
        self._refill(spec, now_ns)
        need = tokens * _NANO
        if self.level_nt < need:
            return False
        self.level_nt -= need
        return True

    def give_back(self, tokens: int, spec: BucketSpec) -> None:
        """Return tokens, up to the bucket's capacity."""
        self.level_nt = min(self.level_nt + tokens * _NANO, spec.bucket_capacity * _NANO)

    def fits(self, tokens: int, spec: BucketSpec, now_ns: int) -> bool:
        """Return whether the bucket holds ``tokens`` now (taking nothing)."""
        self._refill(spec, now_ns)
        return self.level_nt >= tokens * _NANO

    def spend(self, tokens: int) -> None:
        """Take ``tokens`` after the fact; the level may go below zero (a debt to refill)."""
        self.level_nt -= tokens * _NANO

    def tokens(self) -> int:
        """Return the whole tokens in the bucket (as of its last refill)."""
        return self.level_nt // _NANO


class RateLimiter:
    """Per-user and per-address read and write buckets, resolved against a tier."""

    def __init__(self, *, enabled: bool, default_tier: str, addresses_max: int = 65_536) -> None:
        if default_tier not in TIER_LIMITS and default_tier != UNLIMITED:
            raise ValueError(f"unknown default tier {default_tier!r}")
        self.enabled = enabled
        self.default_tier = default_tier
        self._buckets: dict[tuple[str, BucketKind], TokenBucket] = {}
        # Source addresses: least recently used first, bounded by ``addresses_max``; a
        # bucket that has refilled to capacity is forgotten (``_full``).
        self._address_buckets: IdleTable[tuple[str, BucketKind], TokenBucket] = IdleTable(
            addresses_max, self._full
        )
        self.refused = 0  # 429s answered, for /metrics and the soak benchmark

    def effective_tier(self, user_tier: str | None) -> str:
        """Return the tier the limiter applies to a user whose engine tier is ``user_tier``."""
        if not self.enabled:
            return UNLIMITED
        if user_tier is None or user_tier == ENGINE_DEFAULT_TIER:
            return self.default_tier
        if user_tier == UNLIMITED or user_tier in TIER_LIMITS:
            return user_tier
        return self.default_tier

    def spec(self, tier: str, bucket: BucketKind) -> BucketSpec:
        """Return the bucket budget of a tier (the reported maximum for ``unlimited``)."""
        limits = TIER_LIMITS.get(tier)
        if limits is None:
            return BucketSpec(UNLIMITED_REPORTED, UNLIMITED_REPORTED)
        return limits[bucket]

    def bucket(self, user_id: str, kind: BucketKind, spec: BucketSpec, now_ns: int) -> TokenBucket:
        """Return a user's bucket, creating it full on first use."""
        key = (user_id, kind)
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = TokenBucket(spec, now_ns)
        return found

    def address_bucket(
        self, address: str, kind: BucketKind, spec: BucketSpec, now_ns: int
    ) -> TokenBucket:
        """Return a source address's bucket, creating it full; forget the oldest past the cap."""
        buckets = self._address_buckets
        buckets.sweep(now_ns)
        key = (address, kind)
        found = buckets.get(key)
        if found is None:
            found = TokenBucket(spec, now_ns)
        buckets.put(key, found)
        return found

    @property
    def addresses_tracked(self) -> int:
        """Address buckets held now (an address counts once per bucket kind)."""
        return len(self._address_buckets)

    def _full(self, key: tuple[str, BucketKind], bucket: TokenBucket, now_ns: int) -> bool:
        # A bucket that has refilled to capacity is the same as a new one, so forgetting
        # it changes no answer; an address still in debt or short of tokens is kept.
        spec = self.spec(self.default_tier, key[1])
        refill = spec.refill_rate * max(0, now_ns - bucket.last_ns)
        return bucket.level_nt + refill >= spec.bucket_capacity * _NANO


class _Batch(msgspec.Struct):
    orders: list[msgspec.Raw] | None = None
    ids: list[msgspec.Raw] | None = None  # legacy v1 batch cancel


def _item_count(body: bytes) -> int:
    try:
        batch = msgspec.json.decode(body, type=_Batch)
    except msgspec.MsgspecError:
        return 1  # the route answers 400; bill it like a single request
    items = batch.orders if batch.orders is not None else batch.ids
    return max(len(items), 1) if items is not None else 1


async def _buffer_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body and return it with a ``receive`` that replays it."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        # BodyGuard, in front of this middleware, has bounded the body already.
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return b"".join(chunks), replay


class RateLimitMiddleware:
    """ASGI middleware billing every authenticated ``/trade-api/v2`` request (see module doc)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        if scope["type"] != "http" or not limiter.enabled:
            await self.app(scope, receive, send)
            return
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1").split("?", 1)[0]
        context: Context | None = getattr(scope["app"].state, "context", None)
        if context is None or not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        record = context.auth.identify(scope)
        if record is not None:
            tier = limiter.effective_tier(context.queries.tier(record.user_id))
        else:
            tier = limiter.default_tier
        if tier == UNLIMITED:
            await self.app(scope, receive, send)
            return
        charge = classify(scope["method"], path[len(API_PREFIX) :])
        items = 1
        if charge.per_item and record is not None:
            body, receive = await _buffer_body(receive)
            items = _item_count(body)
        spec = limiter.spec(tier, charge.bucket)
        now_ns = context.clock.now_ns()
        if record is not None:
            bucket = limiter.bucket(record.user_id, charge.bucket, spec, now_ns)
        else:
            bucket = limiter.address_bucket(address_of(scope), charge.bucket, spec, now_ns)
        # A batch must fit whole; its first item is taken now, the rest once accepted.
        if not bucket.fits(charge.cost * items, spec, now_ns):
            limiter.refused += 1
            await _too_many_requests(send)
            return
        bucket.take(charge.cost, spec, now_ns)
        if items == 1:
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def send_and_watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, send_and_watch)
        if status and status[0] < 400:
            bucket.spend(charge.cost * (items - 1))


async def _too_many_requests(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(TOO_MANY_REQUESTS_BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": TOO_MANY_REQUESTS_BODY})
