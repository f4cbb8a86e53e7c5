"""The web app: server-rendered pages over the platform and the read side.

``web_app()`` returns the ASGI app that ``api.app`` mounts at ``/`` (after ``/api``,
``/trade-api`` and ``/admin``, so it only sees what they do not serve). Everything it
answers is HTML (or a page's CSV, JSON chart data or event stream), with the security
headers of ``web.security``; an unknown path is an HTML 404.

Limits: every request but a static file is counted against ``WEB_REQUESTS_PER_MINUTE``
per session (or per address when signed out): 429 past it. Forms have byte, field and
length limits (``web.security.read_form``); each live page holds one event stream with a
bounded queue (``web.live``).
"""

from __future__ import annotations

import hashlib
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from augury.platform.credentials import SESSION_COOKIE
from augury.platform.http import PlatformError, client_address
from augury.platform.limits import RequestLimiter
from augury.web.live import LiveHub
from augury.web.security import SecurityHeaders
from augury.web.session import platform_of, viewer_of
from augury.web.templating import STATIC_DIR, Templates

__all__ = ["WEB_REQUESTS_PER_MINUTE", "Redirect", "Web", "web_app", "web_of"]

log = logging.getLogger(__name__)

# A live market page costs one request per chart refresh (at most one a second) plus
# the clicks: 1,200 a minute leaves room for several tabs and stops scrapers.
WEB_REQUESTS_PER_MINUTE = 1_200


class Redirect(Exception):
    """Raised by a page to send the browser elsewhere (e.g. to sign in first)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class Web:
    """The web app's state: templates, the request limiter and the live hub."""

    def __init__(self) -> None:
        from augury.web.pages import all_routes

        self.templates = Templates()
        self.limiter = RequestLimiter(WEB_REQUESTS_PER_MINUTE)
        self.live = LiveHub(self)
        static = StaticFiles(directory=STATIC_DIR)
        self.router = Router(
            routes=[Mount("/static", app=static, name="static"), *all_routes()],
            default=self._not_found,
        )
        self.app = SecurityHeaders(self._guarded)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["augury.web"] = self
        await self.app(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        request = Request(scope, receive)
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if not scope["path"].startswith("/static/"):
                self._count(request)
            await self.router(scope, receive, tracked)
        except Exception as error:
            if started:
                raise  # a response is under way (a stream): nothing else can be sent
            await self._failed(request, scope, receive, send, error)

    async def _failed(
        self, request: Request, scope: Scope, receive: Receive, send: Send, failure: Exception
    ) -> None:
        response: Response
        if isinstance(failure, Redirect):
            response = RedirectResponse(failure.location, 303)
        elif isinstance(failure, PlatformError):
            response = await self.error_page(request, failure.status, failure.message)
            for name, value in failure.headers.items():
                response.headers[name] = value
        else:
            # A page failing is logged with its cause; the person sees a plain 500 page.
            log.error(
                "web page failed: %s %s", scope.get("method"), scope.get("path"), exc_info=failure
            )
            response = await self.error_page(request, 500, "Something went wrong on our side.")
        await response(scope, receive, send)

    def _count(self, request: Request) -> None:
        platform = platform_of(request)
        cookie = request.cookies.get(SESSION_COOKIE)
        key = (
            "ws:" + hashlib.sha256(cookie.encode()).hexdigest()[:32]
            if cookie
            else "wa:" + client_address(request)
        )
        self.limiter.check(key, platform.clock.now_ns())

    async def error_page(self, request: Request, status: int, message: str) -> HTMLResponse:
        """An HTML page (or fragment, for htmx) saying what went wrong."""
        viewer = await viewer_of(request)
        if request.headers.get("hx-request"):
            return HTMLResponse(
                self.templates.render_text("partials/error.html", {"message": message}),
                status_code=200,
                headers={"X-Augury-Status": str(status)},
            )
        return self.templates.page(
            request, "pages/error.html", viewer, {"status": status, "message": message}, status
        )

    async def _not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.error_page(request, 404, "There is no page at this address.")
        await response(scope, receive, send)

    async def stop(self) -> None:
        await self.live.stop()


def web_app() -> Web:
    """Return the web app (mounted at ``/`` by ``api.app.create_app``)."""
    return Web()


def web_of(request: Request) -> Web:
    """Return the web app serving ``request``."""
    web = request.scope.get("augury.web")
    assert isinstance(web, Web)
    return web
