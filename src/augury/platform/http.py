"""Requests and replies of the ``/api/*`` platform API: JSON bodies, errors, addresses.

Every refusal is ``{"error": "<message>"}`` with the status the issue's contract names:
400 validation, 401 authentication, 402 insufficient funds, 403 forbidden (a disabled
feature, a missing scope, a suspended account), 404 unknown (or not yours: the two are
indistinguishable), 409 a state conflict, 413 too large, 429 too many requests.

Bodies are read with a hard byte limit before anything is parsed (a body over the limit is
refused with 413 without being buffered whole), then decoded and validated in one step by
msgspec against the endpoint's request Struct.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "PlatformError",
    "client_address",
    "decode_body",
    "error_response",
    "json_reply",
    "read_body",
]

S = TypeVar("S", bound=msgspec.Struct)

_encoder = msgspec.json.Encoder()


class PlatformError(Exception):
    """A refusal: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Encode ``body`` (Structs, dicts, lists, scalars) as a JSON response."""
    response = Response(_encoder.encode(body), status_code=status, media_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(error: PlatformError) -> Response:
    """Return the JSON reply for a refusal."""
    return json_reply({"error": error.message}, error.status, error.headers)


async def read_body(request: Request, limit: int) -> bytes:
    """Return the request body, refusing (413) anything longer than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise PlatformError(400, "invalid Content-Length")
        if int(declared) > limit:
            raise PlatformError(413, f"request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PlatformError(413, f"request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_body(raw: bytes, schema: type[S]) -> S:
    """Decode and validate a JSON body against ``schema`` (400 with msgspec's reason)."""
    if not raw.strip():
        raw = b"{}"
    try:
        return msgspec.json.decode(raw, type=schema)
    except msgspec.ValidationError as error:
        raise PlatformError(400, f"invalid request: {error}") from None
    except msgspec.DecodeError:
        raise PlatformError(400, "the request body is not valid JSON") from None


def client_address(request: Request) -> str:
    """Return the peer address (the server does not trust forwarding headers)."""
    client = request.client
    return client.host if client is not None else "unknown"
