"""The ``/api/*`` dispatcher: one declared ``Endpoint`` per method and path.

Each endpoint says who may call it (``auth``), what its JSON body is (a msgspec Struct,
decoded and validated before the handler runs) and what it answers; the same
declarations build ``/api/openapi.json`` (``platform.openapi``), so the document cannot
describe an endpoint that does not exist or miss one that does.

The pipeline of every request: resolve the caller (``platform.auth.resolve``), bill the
rate limit (token, session, or address when anonymous), check the endpoint's auth level
and scope, check CSRF for cookie-authenticated state changes, read the body within its
byte limit, run the handler. Any ``PlatformError`` becomes ``{"error": ...}``; anything
else is logged and answered 500 with no detail. Unknown paths are 404 and known paths
with another method 405, both in the same JSON shape.

Auth levels: ``public`` (anyone; a caller is still resolved and billed), ``read`` and
``write`` (a signed-in session, or a token with that scope), ``session`` (a signed-in
session only: tokens cannot mint or revoke tokens, change passwords or log out).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import Receive, Scope, Send

from augury.platform.auth import UNSAFE_METHODS, Principal, check_csrf, resolve
from augury.platform.http import (
    PlatformError,
    client_address,
    decode_body,
    error_response,
    read_body,
)

if TYPE_CHECKING:
    from augury.platform.service import Platform

__all__ = ["Auth", "Call", "Endpoint", "PlatformApi", "Query"]

log = logging.getLogger(__name__)

Auth = Literal["public", "read", "write", "session"]
Handler = Callable[["Call"], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Query:
    """A documented query parameter."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One method on one path, with everything the dispatcher and the docs need."""

    method: str
    path: str  # the full path, e.g. "/api/events/{slug}"
    handler: Handler
    auth: Auth
    summary: str
    body: type[msgspec.Struct] | None = None
    response: Any = None  # a Struct type (JSON), or None with ``media_type``
    media_type: str = "application/json"
    statuses: tuple[int, ...] = ()
    query: tuple[Query, ...] = ()
    multipart: bool = False
    tag: str = "platform"


class Call:
    """One request on its way through an endpoint."""

    __slots__ = ("body", "now_ns", "path_params", "platform", "principal", "request")

    def __init__(
        self,
        request: Request,
        platform: Platform,
        principal: Principal | None,
        path_params: dict[str, str],
        now_ns: int,
    ) -> None:
        self.request = request
        self.platform = platform
        self.principal = principal
        self.path_params = path_params
        self.now_ns = now_ns
        self.body: Any = None

    @property
    def user(self) -> Principal:
        """The authenticated caller (the dispatcher already refused anonymous ones)."""
        if self.principal is None:
            raise PlatformError(401, "sign in, or send 'Authorization: Bearer pred_...'")
        return self.principal

    def query(self, name: str, default: str | None = None) -> str | None:
        value = self.request.query_params.get(name)
        if value is not None and len(value) > 200:
            raise PlatformError(400, f"query parameter {name} is longer than 200 characters")
        return default if value is None else value

    def int_query(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.query(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"-?\d{1,12}", raw) or not low <= int(raw) <= high:
            raise PlatformError(400, f"{name} must be a whole number from {low} to {high}")
        return int(raw)


def _allowed(endpoint: Endpoint, principal: Principal | None) -> None:
    if endpoint.auth == "public":
        return
    if principal is None:
        raise PlatformError(401, "sign in, or send 'Authorization: Bearer pred_...'")
    if endpoint.auth == "session":
        if principal.via != "session":
            raise PlatformError(403, "this needs a signed-in session; tokens cannot do it")
        return
    if endpoint.auth not in principal.scopes:
        raise PlatformError(403, f"this token lacks the {endpoint.auth} scope")


class PlatformApi:
    """The ASGI app mounted at ``/api``."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.endpoints = endpoints
        by_path: dict[str, dict[str, Endpoint]] = {}
        for endpoint in endpoints:
            methods = by_path.setdefault(endpoint.path, {})
            assert endpoint.method not in methods, (endpoint.method, endpoint.path)
            methods[endpoint.method] = endpoint
        self._routes = [(compile_path(path)[0], methods) for path, methods in by_path.items()]

    def _match(self, path: str, method: str) -> tuple[Endpoint, dict[str, str]]:
        allowed: set[str] = set()
        for regex, methods in self._routes:
            found = regex.match(path)
            if found is None:
                continue
            endpoint = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
            if endpoint is not None:
                return endpoint, found.groupdict()
            allowed.update(methods)
        if allowed:
            raise PlatformError(405, "method not allowed", {"Allow": ", ".join(sorted(allowed))})
        raise PlatformError(404, "not found")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        request = Request(scope, receive)
        response = await self._respond(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        platform: Platform | None = getattr(request.app.state, "platform", None)
        if platform is None:
            return error_response(PlatformError(503, "the platform is starting"))
        path = request.scope["path"]
        root = request.scope.get("root_path", "")
        if root.endswith("/api") and path.startswith(root):
            path = "/api" + path[len(root) :]
        try:
            endpoint, params = self._match(path, request.method)
            return await self._dispatch(endpoint, request, platform, params)
        except PlatformError as error:
            return error_response(error)
        except Exception:
            log.exception("platform request failed: %s %s", request.method, path)
            return error_response(PlatformError(500, "internal server error"))

    async def _dispatch(
        self,
        endpoint: Endpoint,
        request: Request,
        platform: Platform,
        params: dict[str, str],
    ) -> Response:
        now_ns = platform.clock.now_ns()
        address = client_address(request)
        try:
            principal = await resolve(request, platform.db, now_ns)
        except PlatformError:
            platform.limiter.check("a:" + address, now_ns)
            raise
        platform.limiter.check(principal.limit_key if principal else "a:" + address, now_ns)
        _allowed(endpoint, principal)
        if principal is not None and endpoint.auth != "public" and not endpoint.multipart:
            # Public endpoints (register, login) act as nobody: a stale cookie is no
            # authority there, and login CSRF is refused by their Origin check instead.
            check_csrf(request, principal)
        await platform.slugs.settled()  # a reply after a catalogue change shows its slugs
        call = Call(request, platform, principal, params, now_ns)
        if endpoint.body is not None:
            raw = await read_body(request, platform.settings.json_body_max_bytes)
            call.body = decode_body(raw, endpoint.body)
        elif request.method in UNSAFE_METHODS and not endpoint.multipart:
            # Endpoints without a body still must not be sent an unbounded one.
            await read_body(request, platform.settings.json_body_max_bytes)
        return await endpoint.handler(call)
