"""Request bodies are bounded in size and JSON nesting before anything parses them.

``BodyGuard`` is the outermost ASGI middleware of the app, so it runs before the rate
limiter (which reads batch bodies to count their items), the routes and the admin API.
It guards the Kalshi API (``/trade-api/``) and the operator API (``/admin/``); the
platform (``/api/*``) and the web pages bound their own bodies (avatars may be 2 MB):

- a ``Content-Length`` over the limit is answered ``413`` at once, without reading the
  body; a chunked body is counted as it arrives and refused the moment it passes;
- a body nested deeper than ``json_depth_max`` arrays/objects is answered ``400
  invalid_parameters``: msgspec's untyped decoder recurses once per level and raises
  ``RecursionError`` (a 500) near a thousand, and nothing Kalshi defines nests past four;
- otherwise the whole body is handed on as one ``http.request`` message.

Refusals carry ``Connection: close`` (the rest of an oversize body is not worth reading)
and never echo the body. The limit is ``body_bytes_max`` for every request except
``/admin/v1`` requests that name an operator key (``admin_body_bytes_max``: operators
load whole catalogues). The signature is not verified here (the route does that); naming
the operator's key id, which only its data directory holds, is enough to be allowed to
send a large body, so an anonymous client can never make the server read and scan more
than ``body_bytes_max``. Requests without a body (no ``Content-Length``, no
``Transfer-Encoding``) pass through untouched.

``json_too_deep`` is also how WebSocket commands are checked (``api.ws.session``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from augury.api.limits import ServerLimits
from augury.api.schemas.codec import encode
from augury.api.schemas.errors import error_envelope

__all__ = [
    "ADMIN_PREFIX",
    "GUARDED_PREFIXES",
    "BodyGuard",
    "BodyStats",
    "json_too_deep",
    "names_operator_key",
]

ADMIN_PREFIX: Final = "/admin/"
GUARDED_PREFIXES: Final = ("/trade-api/", ADMIN_PREFIX)

_OPEN_CLOSE: Final = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKET: Final = bytes(b for b in range(256) if b not in b"{}[]")
_RUN: Final = re.compile(rb"\[+|\]+")


def json_too_deep(body: bytes, depth_max: int) -> bool:
    """Return True when ``body`` nests arrays/objects more than ``depth_max`` levels deep.

    Linear and almost all in C, because it runs before authentication on untrusted bytes:

    1. a body with at most ``depth_max`` opening brackets cannot be deeper (two counts;
       every Kalshi order body stops here);
    2. strings are cut out: escaped backslashes and quotes are removed first (left to
       right, as JSON reads them), then every other piece between quotes is a string;
    3. only brackets are kept, both kinds as ``[``/``]`` (the kinds do not change depth;
       mismatched kinds are malformed JSON that msgspec refuses anyway);
    4. a run of ``depth_max + 1`` opening brackets is too deep at once; otherwise the
       innermost pairs ``[]`` are removed in one pass (every deepest path ends in one, so
       the depth drops by exactly one) and the runs that remain are summed.

    Malformed JSON may be reported either way; it is refused by the decoder if not here.
    """
    if body.count(b"{") + body.count(b"[") <= depth_max:
        return False
    if b"\\" in body:
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    if b'"' in body:
        body = b"".join(body.split(b'"')[::2])
    brackets = body.translate(_OPEN_CLOSE, _NOT_BRACKET)
    if b"[" * (depth_max + 1) in brackets:
        return True
    depth = 0
    for run in _RUN.findall(brackets.replace(b"[]", b"")):
        if run[0] == 0x5B:  # "["
            depth += len(run)
            if depth >= depth_max:
                return True
        else:
            depth -= len(run)
    return False


def names_operator_key(scope: Scope) -> bool:
    """Return True when the request's ``KALSHI-ACCESS-KEY`` is a key with the admin scope.

    Only the key id is looked at (in the server context's key ring); the route verifies
    the signature as for any request.
    """
    context = getattr(scope["app"].state, "context", None)
    if context is None:
        return False
    for name, value in scope["headers"]:
        if name == b"kalshi-access-key":
            entry = context.keys.get(value.decode("latin-1"))
            return entry is not None and "admin" in entry[0].scopes
    return False


def _refusal(status: int, code: str, message: str) -> tuple[Message, Message]:
    body = encode(error_envelope(code, message))
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


_TOO_LARGE: Final = b"<too large>"  # a sentinel compared by identity


def _declared_length(scope: Scope) -> int | None:
    """Return the body's Content-Length, None when chunked, 0 when there is no body."""
    length: int | None = 0
    for name, value in scope["headers"]:
        # Names are lower-case (ASGI); compare the first byte before the whole name.
        if name[0] == 0x63 and name == b"content-length":  # "c"
            # The HTTP parser has already refused a malformed Content-Length.
            return int(value) if value.isdigit() else None
        if name[0] == 0x74 and name == b"transfer-encoding":  # "t"
            length = None
    return length


_TOO_LARGE_MESSAGE: Final[Message] = {"type": "http.request", "body": b"", "more_body": False}


async def _whole_body(receive: Receive, limit: int) -> Message | None:
    """The body as one ``http.request`` message; ``_TOO_LARGE_MESSAGE`` past ``limit``.

    A body that arrives in one read (the usual case) is passed on as that message.
    """
    first = await receive()
    if first["type"] != "http.request":
        return None
    body: bytes = first.get("body", b"")
    if not first.get("more_body", False):
        return first if len(body) <= limit else _TOO_LARGE_MESSAGE
    rest = await _read_body(receive, limit - len(body))
    if rest is None:
        return None
    if rest is _TOO_LARGE:
        return _TOO_LARGE_MESSAGE
    return {"type": "http.request", "body": body + rest, "more_body": False}


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """Read a whole body; ``_TOO_LARGE`` past ``limit``, None if the client left first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return _TOO_LARGE
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class BodyStats:
    """What ``BodyGuard`` refused, as plain counters (for ``/metrics`` and benchmarks)."""

    def __init__(self) -> None:
        self.too_large = 0
        self.too_deep = 0


class BodyGuard:
    """ASGI middleware enforcing the body limits of ``ServerLimits`` (see module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        limits: ServerLimits,
        stats: BodyStats | None = None,
        names_operator: Callable[[Scope], bool] = names_operator_key,
    ) -> None:
        self.app = app
        self.limits = limits
        self.stats = stats if stats is not None else BodyStats()
        self.names_operator = names_operator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guarded = scope["type"] == "http" and scope["path"].startswith(GUARDED_PREFIXES)
        declared = _declared_length(scope) if guarded else 0
        if declared == 0:
            await self.app(scope, receive, send)
            return
        limits = self.limits
        limit = limits.body_bytes_max
        if scope["path"].startswith(ADMIN_PREFIX) and self.names_operator(scope):
            limit = limits.admin_body_bytes_max
        if declared is not None and declared > limit:
            await self._too_large(send, limit)
            return
        first = await _whole_body(receive, limit)
        if first is None:
            return  # the client left (or timed out) before its body was complete
        if first is _TOO_LARGE_MESSAGE:
            await self._too_large(send, limit)
            return
        body: bytes = first["body"]
        if json_too_deep(body, limits.json_depth_max):
            self.stats.too_deep += 1
            message_text = f"the JSON body nests deeper than {limits.json_depth_max} levels"
            for reply in _refusal(400, "invalid_parameters", message_text):
                await send(reply)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, limit: int) -> None:
        self.stats.too_large += 1
        for reply in _refusal(413, "payload_too_large", f"the request body exceeds {limit} bytes"):
            await send(reply)
