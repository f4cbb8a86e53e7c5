"""Retry policies as data: which failures are retried, and how long to wait before each retry.

A policy sends a request at most ``attempts`` times in all (the first try included, so
``attempts - 1`` retries). Before retry ``n`` (0-based) it waits ``delay(n, retry_after)``:

================  ========  =================================================================
policy            attempts  wait before retry n
================  ========  =================================================================
``DEFAULT``       8         full jitter: ``uniform(0, min(30, 0.5 * 2**n))``; a 429 with
                            ``Retry-After`` waits exactly that (capped at 30 s)
``CONSERVATIVE``  3         1 s, then 2 s (the integration-contract schedule 1, 2, 4 s; its
                            third step is reached only by a policy allowing 4 attempts)
``PATIENT``       5         ``Retry-After`` when sent, else ``1 * 2**n`` s (1, 2, 4, 8)
================  ========  =================================================================

Every policy retries connection failures, 429 and 5xx, and never 400/401/403/404 (nor any
other 4xx: 409 and 422 describe the request, which a retry would only repeat). A create is
retried only when every order it carries has a ``client_order_id`` (``Call.retry_safe``):
the server deduplicates by that id, so a retry after a lost response returns
``order_already_exists`` (409) instead of a second order, and the client reconciles: it
finds the order by its id and returns it (``augury.client.reconcile``). A create without
one whose outcome is unknown raises ``UnsafeRetryError`` instead of being sent again.

Randomness (the jitter) and sleeping are injected, so tests assert exact schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

__all__ = ["CONSERVATIVE", "DEFAULT", "NO_RETRY", "PATIENT", "POLICIES", "RetryPolicy"]

RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to retry and how long to wait; see the module docstring for the three presets."""

    name: str
    attempts: int  # requests in all, the first included
    base_s: float = 0.5
    cap_s: float = 30.0
    full_jitter: bool = True
    # Explicit waits (seconds) override the exponential when given.
    schedule: tuple[float, ...] = ()
    honour_retry_after: bool = True
    retry_statuses: frozenset[int] = field(default=RETRYABLE_STATUSES)
    retry_transport_errors: bool = True

    def should_retry(self, attempt: int, status: int | None) -> bool:
        """Whether failure number ``attempt`` (0-based) of this status may be retried.

        Args:
            attempt: how many retries were already made.
            status: the HTTP status, or None for a transport failure.
        """
        if attempt + 1 >= self.attempts:
            return False
        if status is None:
            return self.retry_transport_errors
        return status in self.retry_statuses

    def delay(self, attempt: int, retry_after_s: float | None, rand: Callable[[], float]) -> float:
        """Return the seconds to wait before retry ``attempt`` (0-based).

        Args:
            attempt: the retry about to be made, from 0.
            retry_after_s: the server's ``Retry-After``, if it sent one.
            rand: a uniform [0, 1) source (injected for the jitter).
        """
        if self.honour_retry_after and retry_after_s is not None:
            return float(min(retry_after_s, self.cap_s))
        if self.schedule:
            step: float = self.schedule[min(attempt, len(self.schedule) - 1)]
            return step
        ceiling: float = min(self.cap_s, self.base_s * 2**attempt)
        return rand() * ceiling if self.full_jitter else ceiling


DEFAULT: Final = RetryPolicy("default", attempts=8, base_s=0.5, cap_s=30.0)
CONSERVATIVE: Final = RetryPolicy(
    "conservative", attempts=3, schedule=(1.0, 2.0, 4.0), honour_retry_after=False
)
PATIENT: Final = RetryPolicy("patient", attempts=5, base_s=1.0, cap_s=3600.0, full_jitter=False)
NO_RETRY: Final = RetryPolicy("none", attempts=1)
POLICIES: Final = {p.name: p for p in (DEFAULT, CONSERVATIVE, PATIENT, NO_RETRY)}
