"""What the sync and async clients share: building a request, and reading its answer.

Everything here is free of I/O; ``Client`` and ``AsyncClient`` only add the transport,
the sleeps and the loop of ``attempt -> wait -> retry`` (``retry_step``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx
import msgspec

from augury.client.call import Call
from augury.client.errors import ApiError, DecodeError, error_from_response
from augury.client.hosts import Host
from augury.client.retry import RetryPolicy
from augury.client.signing import Signer

__all__ = ["Outcome", "RequestObserver", "build_request", "decode", "retry_step"]

T = TypeVar("T")


class RequestObserver(Protocol):
    """Told about every HTTP exchange (monitoring); ``status`` None is a transport failure."""

    def on_request(self, method: str, template: str, status: int | None, seconds: float) -> None:
        """Record one request."""
        ...


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    host: Host,
    call: Call[Any],
    signer: Signer | None,
    now_ms: int,
) -> httpx.Request:
    """Return the signed HTTP request for a call (signed whenever a key is configured)."""
    url = httpx.URL(host.rest_url + call.path)
    headers = {"Accept": "application/json"}
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    if signer is not None:
        headers.update(signer.headers(call.method, url.raw_path.decode("ascii"), now_ms))
    return http.build_request(
        call.method, url, params=list(call.query), content=call.body, headers=headers
    )


def decode(call: Call[T], response: httpx.Response) -> T:
    """Return the decoded success body, or raise the response's ``ApiError``."""
    status = response.status_code
    if status < 200 or status >= 300:
        raise error_from_response(status, response.content, response.headers.get("Retry-After"))
    if call.response is None:
        return None  # type: ignore[return-value]
    try:
        return msgspec.json.decode(response.content, type=call.response)
    except msgspec.DecodeError as exc:
        raise DecodeError(f"{call.method} {call.template}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to do after a failed attempt: wait ``delay_s`` and retry, or raise."""

    retry: bool
    delay_s: float


def retry_step(
    policy: RetryPolicy,
    call: Call[Any],
    attempt: int,
    error: Exception,
    rand: Callable[[], float],
) -> Outcome:
    """Decide whether failed attempt number ``attempt`` is retried, and after how long."""
    status = error.status if isinstance(error, ApiError) else None
    retry_after = getattr(error, "retry_after_s", None)
    if not call.retry_safe and status != 429:
        # A create without client_order_id may have been placed: never send it twice.
        return Outcome(False, 0.0)
    if not policy.should_retry(attempt, status):
        return Outcome(False, 0.0)
    return Outcome(True, policy.delay(attempt, retry_after, rand))
