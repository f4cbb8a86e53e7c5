"""Pages call the ``/api/*`` endpoint handlers in process, so they show what the API says.

A page that lists positions, places an order or revokes a token does not re-implement it:
it builds the handler's ``Call`` (the viewer's session principal, the query it would have
sent, the request Struct it would have posted, validated by ``msgspec.convert`` exactly as
the dispatcher decodes a JSON body) and decodes the handler's JSON reply into the
endpoint's response Struct. The figures a page formats are therefore the API's own
integers, and a refusal is the API's own ``PlatformError`` (status and message), which the
page shows beside the form.

Billing: the dispatcher bills every ``/api`` request to the caller's per-user limiter
(``platform.limiter``, 60 a minute per session by default) before a handler runs; calling
the handler here skips the dispatcher, so ``charge`` bills the same key (the session's
``limit_key``, shared with that session's own ``/api`` calls) for every state-changing
call: ``call_api`` with a body or from a POST page, and the page actions that reach the
engine without a handler (amending an order, registering an API key). Page reads are
held to the site's own request limit (``web.app``) instead: one page view runs several
handlers and is one request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar
from urllib.parse import urlencode

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from augury.platform.http import PlatformError, client_address
from augury.platform.routing import Call
from augury.web.session import Viewer, platform_of

__all__ = ["call_api", "charge", "validated"]

T = TypeVar("T")
Handler = Callable[[Call], Awaitable[Response]]


S = TypeVar("S", bound=msgspec.Struct)


def validated(body: S) -> S:
    """Check a request Struct built from a form against its constraints, as the API's
    decoder checks a JSON body (a Struct's constructor does not): 400 with msgspec's
    reason, e.g. ``Expected `str` of length <= 64 - at `$.name```."""
    try:
        return msgspec.convert(msgspec.to_builtins(body), type(body))
    except msgspec.ValidationError as error:
        raise PlatformError(400, str(error)) from None


def charge(request: Request, viewer: Viewer | None) -> None:
    """Bill one state-changing call to the platform's per-user limiter (429 past it),
    under the key ``/api`` bills for this session (or the address, signed out)."""
    platform = platform_of(request)
    key = viewer.principal().limit_key if viewer is not None else "a:" + client_address(request)
    platform.limiter.check(key, platform.clock.now_ns())


async def call_api(
    request: Request,
    viewer: Viewer | None,
    handler: Handler,
    schema: type[T],
    *,
    query: Mapping[str, str] | None = None,
    path: Mapping[str, str] | None = None,
    body: object = None,
) -> T:
    """Run one ``/api`` handler for ``viewer`` and return its decoded reply (a
    state-changing call is billed first: ``charge``)."""
    platform = platform_of(request)
    if body is not None or request.method not in ("GET", "HEAD"):
        charge(request, viewer)
    scope = dict(request.scope)
    scope["query_string"] = urlencode(dict(query or {})).encode()
    # The handler sees the page request's own method (so ``check_csrf`` inside a handler,
    # e.g. the avatar upload's, applies to a POST), or POST when a body is given.
    scope["method"] = "POST" if body is not None else request.method
    inner = Request(scope, request.receive)
    call = Call(
        inner,
        platform,
        viewer.principal() if viewer is not None else None,
        dict(path or {}),
        platform.clock.now_ns(),
    )
    call.body = validated(body) if isinstance(body, msgspec.Struct) else body
    response = await handler(call)
    if response.status_code >= 400:
        message = msgspec.json.decode(bytes(response.body)).get("error", "refused")
        raise PlatformError(response.status_code, str(message))
    return msgspec.json.decode(bytes(response.body), type=schema)
