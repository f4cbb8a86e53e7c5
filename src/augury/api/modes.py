"""The server's wire mode: the tutorials compatibility switch and the API profile.

``augury serve --compat tutorials`` accepts the older and sloppier forms popular tutorials
use (docs/compat-tutorials.md); ``--profile 2026`` serves only the current contract
(docs/profiles.md). Both are server-wide settings, but many renderers and parsers deep in
the request path need them, so the ``ModeMiddleware`` puts the app's mode in a context
variable for each request (``current()``); code outside a request (the WebSocket hub)
is given the mode explicitly. A context variable rather than a module global: several
apps with different settings can run in one process (the tests do), and each request
sees its own app's mode.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final, Literal

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT", "PROFILES", "ModeMiddleware", "WireMode", "current", "use"]

Profile = Literal["default", "2026"]
PROFILES: Final = ("default", "2026")


@dataclass(frozen=True, slots=True)
class WireMode:
    """What this server accepts and sends beyond the plain contract."""

    tutorials: bool = False
    profile: Profile = "default"

    @property
    def strict(self) -> bool:
        """True under ``--profile 2026``: only the current contract's fields."""
        return self.profile == "2026"


DEFAULT: Final = WireMode()
_MODE: ContextVar[WireMode] = ContextVar("augury_wire_mode", default=DEFAULT)


def current() -> WireMode:
    """Return the mode of the request being handled (the default outside one)."""
    return _MODE.get()


def use(mode: WireMode) -> None:
    """Set the mode for the rest of this task (the middleware; tests)."""
    _MODE.set(mode)


class ModeMiddleware:
    """Sets ``current()`` for every HTTP and WebSocket request of one app."""

    def __init__(self, app: ASGIApp, mode: WireMode) -> None:
        self.app = app
        self.mode = mode
        self.active = mode != DEFAULT  # the default mode costs one attribute check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.active and scope["type"] in ("http", "websocket"):
            token = _MODE.set(self.mode)
            try:
                await self.app(scope, receive, send)
            finally:
                _MODE.reset(token)
            return
        await self.app(scope, receive, send)
