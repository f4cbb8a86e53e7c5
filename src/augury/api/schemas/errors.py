"""Error bodies (CONTRACT §9).

Three shapes exist on the wire:

- ``ErrorResponse`` — the flat ``{code?, message?, details?}`` object that the OpenAPI
  document declares. The SDK parses it into ``ErrorResponse`` and it is also the item
  type of ``error`` inside batch responses.
- ``ErrorEnvelope`` — what live Kalshi actually sends: ``{"error": {"code", "message",
  "details"?}}``. We also mirror ``code`` and ``message`` at the top level; unknown
  keys are harmless, and the mirror lets the SDK's flat ``ErrorResponse`` see them.
- ``RateLimitBody`` — the 429 body is exactly ``{"error": "too many requests"}``, with a
  string rather than an object.

Which code and HTTP status answer which rejection is decided by ``augury.api.errors``;
this module only fixes the shapes.
"""

from augury.api.schemas.base import WireResponse

__all__ = [
    "ErrorEnvelope",
    "ErrorResponse",
    "RateLimitBody",
    "error_envelope",
    "rate_limit_body",
]


class ErrorResponse(WireResponse, kw_only=True):
    code: str | None = None
    message: str | None = None
    details: str | None = None


class ErrorEnvelope(WireResponse, kw_only=True):
    error: ErrorResponse
    code: str | None = None
    message: str | None = None


class RateLimitBody(WireResponse, kw_only=True):
    error: str


def error_envelope(code: str, message: str, details: str | None = None) -> ErrorEnvelope:
    """Build the nested error body with ``code`` and ``message`` mirrored at the top.

    Args:
        code: Lowercase snake_case error code, e.g. ``"invalid_parameters"``.
        message: Human-readable explanation.
        details: Optional extra detail, e.g. the offending field.
    """
    inner = ErrorResponse(code=code, message=message, details=details)
    return ErrorEnvelope(error=inner, code=code, message=message)


def rate_limit_body() -> RateLimitBody:
    """Return the exact 429 body Kalshi sends."""
    return RateLimitBody(error="too many requests")
