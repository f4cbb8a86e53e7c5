"""In-memory limits: requests per minute per principal, and login failures.

``RequestLimiter``: at most ``per_minute`` requests in any rolling 60 seconds per key (a
token id, a session, or the peer address of anonymous requests). The 61st is refused
with 429 and ``Retry-After`` (whole seconds until the oldest request leaves the window).
A key's log holds at most ``per_minute`` timestamps, and keys idle for a minute are
dropped once more than ``max_keys`` exist, so memory is bounded.

``LoginThrottle``: failed logins are counted per normalised email and per peer address
over a rolling window; once either count reaches its limit, further attempts are refused
with 429 (before the password is even hashed) until the window has passed. A success
clears that email's count.

Limits: state is per process and starts empty after a restart (an attacker gains one
window's worth of attempts per restart, which the operator controls).
"""

from __future__ import annotations

from collections import deque

from augury.platform.http import PlatformError

__all__ = ["LoginThrottle", "RequestLimiter"]

_NS_PER_S = 1_000_000_000
_MINUTE_NS = 60 * _NS_PER_S


def _retry_after_s(wait_ns: int) -> str:
    return str(max(1, -(-wait_ns // _NS_PER_S)))


class RequestLimiter:
    """A rolling one-minute window of requests per key."""

    def __init__(self, per_minute: int, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._log: dict[str, deque[int]] = {}

    def check(self, key: str, now_ns: int) -> None:
        """Count one request for ``key``, or raise 429 when the window is full."""
        log = self._log.get(key)
        if log is None:
            if len(self._log) >= self.max_keys:
                self._evict(now_ns)
            log = self._log[key] = deque()
        while log and log[0] <= now_ns - _MINUTE_NS:
            log.popleft()
        if len(log) >= self.per_minute:
            wait = log[0] + _MINUTE_NS - now_ns
            raise PlatformError(
                429,
                f"too many requests: at most {self.per_minute} per minute",
                {"Retry-After": _retry_after_s(wait)},
            )
        log.append(now_ns)

    def _evict(self, now_ns: int) -> None:
        idle = [k for k, log in self._log.items() if not log or log[-1] <= now_ns - _MINUTE_NS]
        for key in idle:
            del self._log[key]
        if len(self._log) >= self.max_keys:
            # Everyone is active: forget the oldest half rather than grow without bound.
            for key in list(self._log)[: self.max_keys // 2]:
                del self._log[key]


class LoginThrottle:
    """Counts failed logins per email and per address over a rolling window."""

    def __init__(self, window_s: int, per_email: int, per_address: int) -> None:
        self.window_ns = window_s * _NS_PER_S
        self.per_email = per_email
        self.per_address = per_address
        self._failures: dict[str, deque[int]] = {}

    def _recent(self, key: str, now_ns: int) -> deque[int]:
        log = self._failures.get(key)
        if log is None:
            return deque()
        while log and log[0] <= now_ns - self.window_ns:
            log.popleft()
        if not log:
            del self._failures[key]
        return log

    def check(self, email: str, address: str, now_ns: int) -> None:
        """Raise 429 if this email or this address has failed too often lately."""
        for key, limit in (("e:" + email, self.per_email), ("a:" + address, self.per_address)):
            log = self._recent(key, now_ns)
            if len(log) >= limit:
                wait = log[0] + self.window_ns - now_ns
                raise PlatformError(
                    429,
                    "too many failed logins; try again later",
                    {"Retry-After": _retry_after_s(wait)},
                )

    def failed(self, email: str, address: str, now_ns: int) -> None:
        """Record one failed login."""
        if len(self._failures) > 200_000:
            self._failures.clear()  # bounded memory under a distributed flood
        for key in ("e:" + email, "a:" + address):
            self._failures.setdefault(key, deque()).append(now_ns)

    def succeeded(self, email: str) -> None:
        """Forget an email's failures after a successful login."""
        self._failures.pop("e:" + email, None)
