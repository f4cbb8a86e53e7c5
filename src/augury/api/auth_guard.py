"""Signed-request authentication for the server: verify once, refuse replays, throttle failures.

``AuthGuard`` wraps ``augury.api.auth`` for every request the server receives (REST, the
admin API and WebSocket handshakes). Its outcome for a request is computed once and kept
in the ASGI scope, so the rate limiter (which must know who pays before the route runs)
and the route (which needs the principal) share one signature verification.

Replays (docs/decisions/0020)
    A signed *write* (any method but GET/HEAD/OPTIONS) or WebSocket handshake is refused
    the second time the same (key id, timestamp, signature) arrives, with 401
    ``header_signature_replayed``. The signature is remembered by its decoded bytes
    (base64 has several spellings of the same bytes) for as long as its timestamp is
    inside the ±window, after which the timestamp check refuses it anyway; so the cache
    holds at most the writes of the last two windows. Only requests whose signature
    verified are remembered, so only key holders can fill it; at ``replay_entries_max``
    it refuses new writes (429) rather than forget a signature early. Kalshi does not do
    this (the body is not signed, so a captured order could be replayed with another
    body); a client that retries a write must sign it again with a new timestamp, and
    keep the same ``client_order_id`` so the retry cannot place a second order.

Failed authentications
    - Per source address (an IPv6 address counts by its /64): ``auth_failures_burst``
      failures at once, then ``auth_failures_per_s``. Past that, every request from the
      address that carries any ``KALSHI-ACCESS-*`` header is refused with 429 without
      looking at it; unsigned public requests still pass.
    - Per key id: failed *signatures* (the expensive check) against one key, from any
      address, ``key_failures_burst`` at once, then ``key_failures_per_s``. Past that,
      only addresses from which the key recently signed correctly (its trusted
      addresses, the last 8) still get their signatures checked; any other address gets
      429. An attacker spreading guesses over many addresses thus cannot make the server
      verify more than that rate, and cannot lock the key's owner out.
    Failures are counted for requests that carry at least one auth header; an unsigned
    request to a private endpoint is a plain 401 and costs nothing to refuse.

Counters
    Plain integer attributes for ``/metrics`` and the soak benchmark: ``verified``,
    ``failures``, ``throttled``, ``replays``.

Invariants
    - At most one signature verification per request.
    - Memory is bounded: ``addresses_max`` address budgets and key budgets each (least
      recently used dropped first), 8 trusted addresses per key, ``replay_entries_max``
      remembered signatures. A budget that has refilled is forgotten within
      ``SWEEP_INTERVAL_NS`` of the next request (``FailureBudget``), and the replay
      cache drops each second's signatures once their window has passed.
    - Time comes from the injected clock, as for the timestamp window itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import MutableMapping
from typing import Any, Final

from augury.api.auth import (
    ApiKeyRecord,
    AuthError,
    KeyRing,
    bad_signature,
    check_request,
    require_headers,
    verify_signature,
)
from augury.api.diagnose import auth_failure
from augury.api.errors import ApiError
from augury.api.idle_table import SWEEP_INTERVAL_NS, IdleTable
from augury.api.limits import ServerLimits
from augury.runtime.clock import Clock

__all__ = [
    "AUTH_SCOPE_KEY",
    "SWEEP_INTERVAL_NS",
    "AuthGuard",
    "FailureBudget",
    "ReplayCache",
    "address_of",
]

AUTH_SCOPE_KEY: Final = "augury.auth"  # where a request's outcome is kept in its scope
TRUSTED_PER_KEY: Final = 8
_NANO: Final = 1_000_000_000
_READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_KEY = b"kalshi-access-key"
_TIMESTAMP = b"kalshi-access-timestamp"
_SIGNATURE = b"kalshi-access-signature"
_ANONYMOUS: Final = object()  # the outcome of a request without any auth header


def address_of(scope: MutableMapping[str, Any]) -> str:
    """Return the source a request is counted under: its IP, or its IPv6 /64."""
    client = scope.get("client")
    host = str(client[0]) if client else "unknown"
    if ":" not in host:
        return host
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        return host
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.exploded[:19] + "::/64"


class FailureBudget:
    """Token buckets of allowed failures, one per subject, least recently used dropped.

    A bucket holds nano-tokens; it starts with ``burst`` and refills ``per_s`` a second.
    A subject whose bucket has less than one token is *exhausted*. A bucket that has
    refilled to ``burst`` is the same as no bucket, so the table (``IdleTable``) forgets
    full ones at most every ``SWEEP_INTERVAL_NS`` (checked on every call), and a subject
    still being throttled is kept.
    """

    def __init__(self, burst: int, per_s: int, subjects_max: int) -> None:
        self.burst_nt = burst * _NANO
        self.per_s = per_s
        # subject -> (level_nt, last_ns)
        self._buckets: IdleTable[str, tuple[int, int]] = IdleTable(subjects_max, self._full)

    def __len__(self) -> int:
        return len(self._buckets)

    def _full(self, _subject: str, bucket: tuple[int, int], now_ns: int) -> bool:
        level, last = bucket
        return level + self.per_s * max(0, now_ns - last) >= self.burst_nt

    def _level(self, subject: str, now_ns: int) -> int:
        entry = self._buckets.get(subject)
        if entry is None:
            return self.burst_nt
        level, last = entry
        return min(self.burst_nt, level + self.per_s * max(0, now_ns - last))

    def exhausted(self, subject: str, now_ns: int) -> bool:
        """Return True when ``subject`` has no failure left to spend."""
        self._buckets.sweep(now_ns)
        return self._level(subject, now_ns) < _NANO

    def spend(self, subject: str, now_ns: int) -> None:
        """Count one failure of ``subject``."""
        self._buckets.sweep(now_ns)
        level = max(0, self._level(subject, now_ns) - _NANO)
        self._buckets.put(subject, (level, now_ns))


class ReplayCache:
    """Signatures of writes seen inside the timestamp window, grouped by expiry second."""

    def __init__(self, window_ms: int, entries_max: int) -> None:
        self.window_ms = window_ms
        self.entries_max = entries_max
        self._by_second: dict[int, set[int]] = {}
        self._size = 0
        self._purged_s = 0

    def _purge(self, now_s: int) -> None:
        if now_s == self._purged_s:
            return
        self._purged_s = now_s
        for second in [s for s in self._by_second if s < now_s]:
            self._size -= len(self._by_second.pop(second))

    def first_use(self, fingerprint: int, ts_ms: int, now_ms: int) -> bool | None:
        """Record a use; True the first time, False for a replay, None when full.

        A signature can be accepted while ``|now - ts| <= window``, so it is kept until
        ``ts + window`` has passed (in whole seconds, rounded up).
        """
        self._purge(now_ms // 1000)
        second = (ts_ms + self.window_ms) // 1000 + 1
        seen = self._by_second.get(second)
        if seen is not None and fingerprint in seen:
            return False
        if self._size >= self.entries_max:
            return None
        if seen is None:
            seen = self._by_second[second] = set()
        seen.add(fingerprint)
        self._size += 1
        return True

    def __len__(self) -> int:
        return self._size


def _auth_headers(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None, str | None]:
    # One pass over the raw ASGI headers; the first occurrence of a name wins, as in
    # ``request.headers.get``.
    key_id = timestamp = signature = None
    for name, value in headers:
        if name == _KEY:
            if key_id is None:
                key_id = value.decode("latin-1")
        elif name == _TIMESTAMP:
            if timestamp is None:
                timestamp = value.decode("latin-1")
        elif name == _SIGNATURE and signature is None:
            signature = value.decode("latin-1")
    return key_id, timestamp, signature


def _api_error(error: AuthError) -> ApiError:
    return ApiError(error.status, error.code, error.message, error.details)


def _too_many(message: str) -> ApiError:
    return ApiError(429, "too_many_requests", message)


class AuthGuard:
    """The server's authenticator (see the module docstring)."""

    def __init__(
        self,
        keys: KeyRing,
        clock: Clock,
        limits: ServerLimits,
        *,
        window_ms: int,
        allow_pkcs1v15: bool,
        tutorial_forms: bool = False,
    ) -> None:
        self.keys = keys
        # --compat tutorials: REST signatures in the forms old tutorials use are accepted
        # (augury.api.diagnose); WebSocket handshakes never are.
        self.tutorial_forms = tutorial_forms
        self.clock = clock
        self.window_ms = window_ms
        self.allow_pkcs1v15 = allow_pkcs1v15
        self.by_address = FailureBudget(
            limits.auth_failures_burst, limits.auth_failures_per_s, limits.addresses_max
        )
        self.by_key = FailureBudget(
            limits.key_failures_burst, limits.key_failures_per_s, limits.addresses_max
        )
        self.replay_cache = ReplayCache(window_ms, limits.replay_entries_max)
        self._trusted: dict[str, dict[str, None]] = {}  # key id -> recent good addresses
        self.verified = 0
        self.failures = 0
        self.throttled = 0
        self.replays = 0

    def authenticate(self, scope: MutableMapping[str, Any]) -> ApiKeyRecord:
        """Return the key that signed this request, or raise its 401/429 ``ApiError``."""
        outcome = self._outcome(scope)
        if isinstance(outcome, ApiKeyRecord):
            return outcome
        if outcome is _ANONYMOUS:
            try:
                require_headers(None, None, None)
            except AuthError as error:  # always: it names the three missing headers
                raise _api_error(error) from None
        assert isinstance(outcome, ApiError)
        raise outcome

    def identify(self, scope: MutableMapping[str, Any]) -> ApiKeyRecord | None:
        """Return the key that signed this request, or None (anonymous, or not proven)."""
        outcome = self._outcome(scope)
        return outcome if isinstance(outcome, ApiKeyRecord) else None

    def is_signed(self, scope: MutableMapping[str, Any]) -> bool:
        """Return True when the request carries any ``KALSHI-ACCESS-*`` header."""
        return self._outcome(scope) is not _ANONYMOUS

    # --- the one verification ---------------------------------------------------------

    def _outcome(self, scope: MutableMapping[str, Any]) -> object:
        outcome = scope.get(AUTH_SCOPE_KEY)
        if outcome is None:
            outcome = scope[AUTH_SCOPE_KEY] = self._verify(scope)
        return outcome

    def _verify(self, scope: MutableMapping[str, Any]) -> object:
        key_id, timestamp, signature = _auth_headers(scope["headers"])
        if key_id is None and timestamp is None and signature is None:
            return _ANONYMOUS
        address = address_of(scope)
        now_ns = self.clock.now_ns()
        if self.by_address.exhausted(address, now_ns):
            self.throttled += 1
            return _too_many("too many failed authentications from this address")
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        method = "GET" if scope["type"] == "websocket" else scope["method"]
        try:
            signed = check_request(
                self.keys,
                key_id=key_id,
                timestamp=timestamp,
                signature_b64=signature,
                method=method,
                path=path,
                now_ms=now_ns // 1_000_000,
                window_ms=self.window_ms,
            )
        except AuthError as error:
            # Kalshi's 401, with what was wrong in ``details`` (augury.api.diagnose).
            explained = self._explain(error, scope, key_id, timestamp, signature, method, path)
            if isinstance(explained, ApiKeyRecord):  # only bad signatures can be tolerated
                explained = _api_error(error)
            return self._failed(address, now_ns, explained)
        record = signed.record
        key = record.api_key_id
        trusted = self._trusted.get(key)
        if self.by_key.exhausted(key, now_ns) and (trusted is None or address not in trusted):
            self.throttled += 1
            return _too_many("too many failed signatures for this API key")
        if not verify_signature(
            signed.key,
            record.key_type,
            signed.message,
            signed.signature,
            allow_pkcs1v15=self.allow_pkcs1v15,
        ):
            explained = self._explain(
                bad_signature(), scope, key_id, timestamp, signature, method, path
            )
            if not isinstance(explained, ApiKeyRecord):
                self.by_key.spend(key, now_ns)
                return self._failed(address, now_ns, explained)
            # A tutorial form under --compat tutorials: the key that signed it.
            record = explained
        self.verified += 1
        self._trust(key, address)
        if scope["type"] == "websocket" or method not in _READ_METHODS:
            fingerprint = hash((key, timestamp, signed.signature))
            first = self.replay_cache.first_use(fingerprint, signed.ts_ms, now_ns // 1_000_000)
            if first is None:
                return _too_many("too many signed writes in flight; retry shortly")
            if not first:
                self.replays += 1
                replayed = ApiError(
                    401,
                    "header_signature_replayed",
                    "this signed request was already used; sign every request anew "
                    "with a fresh timestamp",
                    "REPLAYED_REQUEST",
                )
                return self._failed(address, now_ns, replayed)
        return record

    def _explain(
        self,
        error: AuthError,
        scope: MutableMapping[str, Any],
        key_id: str | None,
        timestamp: str | None,
        signature: str | None,
        method: str,
        path: str,
    ) -> ApiKeyRecord | ApiError:
        """The 401 for ``error`` with its diagnosis, or the key of a tolerated tutorial form."""
        try:
            return auth_failure(
                error,
                self.keys,
                key_id=key_id,
                timestamp=timestamp,
                signature_b64=signature,
                method=method,
                path=path,
                query=scope.get("query_string", b"").decode("latin-1"),
                now_ms=self.clock.now_ns() // 1_000_000,
                allow_pkcs1v15=self.allow_pkcs1v15,
                tolerate=self.tutorial_forms and scope["type"] != "websocket",
            )
        except ApiError as explained:
            return explained

    def _failed(self, address: str, now_ns: int, error: ApiError) -> ApiError:
        self.failures += 1
        self.by_address.spend(address, now_ns)
        return error

    def _trust(self, key: str, address: str) -> None:
        trusted = self._trusted.get(key)
        if trusted is None:
            trusted = self._trusted[key] = {}
        elif address in trusted:
            if next(reversed(trusted)) == address:
                return
            del trusted[address]  # re-inserted below as the most recent
        trusted[address] = None
        if len(trusted) > TRUSTED_PER_KEY:
            del trusted[next(iter(trusted))]

    def forget_key(self, api_key_id: str) -> None:
        """Drop what is kept about a revoked key."""
        self._trusted.pop(api_key_id, None)
