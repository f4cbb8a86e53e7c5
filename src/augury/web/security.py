"""Headers on every page, and the checks every form goes through.

Headers (``SecurityHeaders``): a Content-Security-Policy that allows scripts, styles,
images and connections from this origin only (no inline script, no ``style=`` attribute,
no ``eval``), ``frame-ancestors 'none'``, ``nosniff``, ``Referrer-Policy: same-origin``,
``Cross-Origin-Opener-Policy: same-origin``, a ``Permissions-Policy`` that turns off what
the site never uses, and ``Cache-Control: no-store`` on pages (they carry balances;
static files, whose URLs carry their digest, are cached for a year).
Styles: this origin's stylesheet plus exactly one hashed ``<style>`` element, the chart
library's licence-required attribution logo; never ``'unsafe-inline'``.

Forms (``read_form``): the body is read with a hard byte limit before it is parsed (413
past it), the field count is bounded, every field is bounded in length, and a signed-in
form must carry the session's CSRF token (``csrf_token`` field or ``X-CSRF-Token``
header, which htmx sends from the ``hx-headers`` on ``<body>``), compared in constant
time by ``platform.auth.check_csrf``. Sign-in and sign-up, which have no session yet,
check ``Origin`` instead (login CSRF), as ``/api`` does.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from augury.platform.auth import check_csrf, check_same_origin
from augury.platform.http import PlatformError, read_body
from augury.web.session import Viewer

__all__ = [
    "CHART_ATTRIBUTION_STYLE_SHA256",
    "CSP",
    "FORM_FIELD_MAX_CHARS",
    "FORM_MAX_BYTES",
    "SecurityHeaders",
    "field",
    "read_form",
]

# The one style element allowed besides our stylesheet: the chart library's attribution
# logo (its licence requires the link), a constant string in the pinned vendored file.
# tests/web/test_pages.py (test_the_one_allowed_style_hash_is_the_chart_attribution)
# recomputes this hash from that file.
CHART_ATTRIBUTION_STYLE_SHA256 = "sha256-3pRED1tOXas1FXFoPb9TGCjmYe9XQsmO9OV23khV2nY="
CSP = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' '{CHART_ATTRIBUTION_STYLE_SHA256}'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=(), payment=()",
}
IMMUTABLE = b"public, max-age=31536000, immutable"
FORM_MAX_BYTES = 64 * 1024  # a catalogue file upload has its own, larger limit
FORM_FIELDS_MAX = 64
FORM_FIELD_MAX_CHARS = 8_000


class SecurityHeaders:
    """ASGI middleware: the security headers on every response of the web app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                for name, value in HEADERS.items():
                    if name not in present:
                        headers.append((name, value))
                if b"cache-control" not in present:
                    # Static URLs carry their content's digest (?v=...): cache them for
                    # good. Pages carry balances: never store them.
                    headers.append((b"cache-control", IMMUTABLE if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_form(
    request: Request, viewer: Viewer | None, *, max_bytes: int = FORM_MAX_BYTES
) -> FormData:
    """Read a posted form within its limits and check CSRF (or Origin when signed out)."""
    # Starlette's form parser reads ``request.stream()``, which replays ``_body`` when set:
    # the bounded read above is what it parses.
    request._body = await read_body(request, max_bytes)
    form = await request.form(max_files=1, max_fields=FORM_FIELDS_MAX, max_part_size=max_bytes)
    try:
        for key, value in form.multi_items():
            if isinstance(value, str) and len(value) > FORM_FIELD_MAX_CHARS:
                raise PlatformError(400, f"{key} is longer than {FORM_FIELD_MAX_CHARS} characters")
        if viewer is None:
            check_same_origin(request)
        else:
            token = form.get("csrf_token")
            check_csrf(request, viewer.principal(), token if isinstance(token, str) else None)
    except PlatformError:
        await form.close()  # an uploaded file's temporary file
        raise
    return form


def field(form: FormData, name: str, default: str = "") -> str:
    """Return a text field of a form (stripped), or ``default``."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default
