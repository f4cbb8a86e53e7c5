"""The client's errors, one tree, each carrying what the server said.

::

    ClientError
    ├── TransportError            the request never got an HTTP answer (connect, timeout)
    ├── DecodeError               a 2xx body that is not the endpoint's model
    ├── UnsafeRetryError          a create without client_order_id failed with an unknown
    │                             outcome (no answer, or 5xx) and was not retried
    └── ApiError                  any non-2xx answer: .status .code .message .details .body
        ├── BadRequestError       400
        ├── UnauthorizedError     401
        ├── ForbiddenError        403
        ├── NotFoundError         404
        ├── ConflictError         409  (duplicate client_order_id, market closed, paused)
        ├── UnprocessableError    422
        ├── RateLimitedError      429
        └── ServerError           5xx

``.retry_after_s`` holds a 429's or 503's ``Retry-After`` header (seconds form), if any.

``error_from_response`` reads every error body shape seen on the wire (CONTRACT §9.1):
nested ``{"error": {"code", "message", "details"}}``, flat ``{"code", "message"}``, the
429 string ``{"error": "too many requests"}``, a bare ``{"msg": ...}``, and non-JSON.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

__all__ = [
    "ApiError",
    "BadRequestError",
    "ClientError",
    "ConflictError",
    "DecodeError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "UnauthorizedError",
    "UnprocessableError",
    "UnsafeRetryError",
    "error_from_response",
]

_BODY_MAX: Final = 4096  # bytes of an error body kept on the exception


class ClientError(Exception):
    """Base of every error the client raises."""


class TransportError(ClientError):
    """The request got no HTTP response (connection refused or reset, timeout)."""


class DecodeError(ClientError):
    """A success response whose body is not the endpoint's model."""


class UnsafeRetryError(ClientError):
    """A create failed in a way that may have placed it, and it has no client_order_id.

    Raised from the failure (``__cause__``: the ``TransportError`` or ``ServerError``).
    Without the id neither a retry nor a lookup is safe: list the orders to find out.
    """


class ApiError(ClientError):
    """A non-2xx response."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str | None,
        details: str | None = None,
        body: bytes = b"",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.body = body[:_BODY_MAX]
        # The server's Retry-After (seconds), on a 429 or 503 that carried one.
        self.retry_after_s: float | None = None
        text = f"HTTP {status}"
        if code:
            text += f" {code}"
        if message:
            text += f": {message}"
        if details:
            text += f" ({details})"
        super().__init__(text)


class BadRequestError(ApiError):
    """400."""


class UnauthorizedError(ApiError):
    """401."""


class ForbiddenError(ApiError):
    """403."""


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409."""


class UnprocessableError(ApiError):
    """422."""


class RateLimitedError(ApiError):
    """429."""


class ServerError(ApiError):
    """5xx."""


_BY_STATUS: Final[dict[int, type[ApiError]]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitedError,
}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _fields(body: bytes) -> tuple[str | None, str | None, str | None]:
    try:
        doc = msgspec.json.decode(body)
    except msgspec.DecodeError:
        text = body.decode("utf-8", "replace").strip()
        return None, text[:200] or None, None
    if not isinstance(doc, dict):
        return None, None, None
    inner = doc.get("error")
    if isinstance(inner, dict):
        return _text(inner.get("code")), _text(inner.get("message")), _text(inner.get("details"))
    if isinstance(inner, str):  # the 429 body: {"error": "too many requests"}
        return None, inner, None
    message = _text(doc.get("message")) or _text(doc.get("msg"))
    return _text(doc.get("code")), message, _text(doc.get("details"))


def parse_retry_after(value: str | None) -> float | None:
    """Return a ``Retry-After`` header's delay in seconds (the delta-seconds form only)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def error_from_response(status: int, body: bytes, retry_after: str | None = None) -> ApiError:
    """Build the typed error for a non-2xx response."""
    code, message, details = _fields(body)
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    error = kind(status, code, message, details, body)
    if status in (429, 503):
        error.retry_after_s = parse_retry_after(retry_after)
    return error
