"""Rolling-window counters for the seed API's limits.

``Windows`` keeps, per key, the times of the requests counted in the last window (at most
``limit`` of them, so a key's memory is bounded by its limit), and answers whether one more
would fit. ``admit`` checks several windows and counts the request in all of them only
when every one has room: a refused request is never counted. Keys idle for a whole window
are dropped once more than ``max_keys`` exist.

Time is the caller's (the server's injected clock), in nanoseconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

__all__ = ["Windows", "retry_after_s"]

_NS_PER_S = 1_000_000_000


class Windows:
    """Rolling windows of ``window_ns`` per key."""

    def __init__(self, window_ns: int, max_keys: int = 100_000) -> None:
        self.window_ns = window_ns
        self.max_keys = max_keys
        self._log: dict[str, deque[int]] = {}

    def _trimmed(self, key: str, now_ns: int) -> deque[int]:
        log = self._log.get(key)
        if log is None:
            if len(self._log) >= self.max_keys:
                self._evict(now_ns)
            log = self._log[key] = deque()
        horizon = now_ns - self.window_ns
        while log and log[0] <= horizon:
            log.popleft()
        return log

    def wait_ns(self, key: str, limit: int, now_ns: int) -> int:
        """Return 0 when one more request fits, else how long until one does."""
        log = self._trimmed(key, now_ns)
        if len(log) < limit:
            return 0
        return max(1, log[len(log) - limit] + self.window_ns - now_ns)

    def admit(self, checks: Sequence[tuple[str, int]], now_ns: int) -> int:
        """Count one request under every ``(key, limit)``, or none of them.

        Returns:
            0 when counted; otherwise the longest wait (ns) among the full windows.
        """
        wait = max((self.wait_ns(key, limit, now_ns) for key, limit in checks), default=0)
        if wait:
            return wait
        for key, _ in checks:
            self._log[key].append(now_ns)
        return 0

    def _evict(self, now_ns: int) -> None:
        horizon = now_ns - self.window_ns
        for key in [k for k, log in self._log.items() if not log or log[-1] <= horizon]:
            del self._log[key]


def retry_after_s(wait_ns: int) -> int:
    """Whole seconds to wait (rounded up, at least 1)."""
    return max(1, -(-wait_ns // _NS_PER_S))
