"""What every page handler uses: rendering with the layout's context, sign-in checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse

from augury.platform.db import Tx
from augury.platform.http import PlatformError
from augury.web.app import Redirect, web_of
from augury.web.session import Viewer, platform_of, viewer_of

__all__ = [
    "is_htmx",
    "local_path",
    "render",
    "render_partial",
    "require_operator",
    "require_viewer",
]


def is_htmx(request: Request) -> bool:
    """Whether htmx sent this request (it wants a fragment, not a page)."""
    return request.headers.get("hx-request") == "true"


def local_path(value: str | None, default: str = "/") -> str:
    """Return ``value`` if it is a path on this site, else ``default`` (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if len(value) > 500 or any(ord(ch) < 32 for ch in value):
        return default
    return value


async def unread_count(request: Request, viewer: Viewer) -> int:
    user_id = viewer.user_id

    def count(tx: Tx) -> int:
        row = tx.one(
            "SELECT COUNT(*) FROM platform_notifications WHERE user_id = ? AND is_read = ?",
            (user_id, False),
        )
        return int(row[0]) if row else 0

    return await platform_of(request).db.read(count)


async def render(
    request: Request, name: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a full page with the layout (navigation, badge, theme)."""
    viewer = await viewer_of(request)
    unread = await unread_count(request, viewer) if viewer else 0
    return web_of(request).templates.page(request, name, viewer, context, status, unread)


def render_partial(
    request: Request, name: str, context: Mapping[str, Any], status: int = 200
) -> HTMLResponse:
    """Render one fragment (an htmx swap target) without the layout."""
    return HTMLResponse(web_of(request).templates.render_text(name, context), status_code=status)


async def require_viewer(request: Request) -> Viewer:
    """Return the signed-in viewer, or send the browser to sign in and come back."""
    viewer = await viewer_of(request)
    if viewer is None:
        if request.method != "GET":
            raise PlatformError(401, "sign in first")
        raise Redirect("/login?next=" + quote(local_path(request.url.path), safe="/"))
    return viewer


async def require_operator(request: Request) -> Viewer:
    """Return the viewer if an operator; anyone else sees a plain 404."""
    viewer = await viewer_of(request)
    if viewer is None or not viewer.is_operator:
        raise PlatformError(404, "There is no page at this address.")
    return viewer
