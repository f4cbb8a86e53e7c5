"""Jinja2 with autoescape on everywhere, the money filters, and the page context.

Autoescaping is on for every template (not only ``.html``), so user text (names, bios,
notes, market titles from a catalogue) is always data, never markup. Templates never use
``|safe``; the one place HTML is built in Python (``Markup`` in ``developers``) escapes
every value it interpolates.

Static URLs carry a digest of the file (``/static/app.css?v=1a2b3c4d``), so a browser
may cache them for a year and still gets a new file after an upgrade.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from augury.platform import render as platform_render
from augury.web.money import FILTERS
from augury.web.session import Viewer

__all__ = ["STATIC_DIR", "Templates"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def _when(ts_ns: int | None) -> str:
    """``2026-12-04 21:23 UTC`` from nanoseconds (display only)."""
    text = platform_render.iso(ts_ns) if ts_ns else None
    return "—" if not text else text[:16].replace("T", " ") + " UTC"


def _when_iso(value: str | None) -> str:
    return "—" if not value else value[:16].replace("T", " ") + " UTC"


class Templates:
    """The web app's template environment."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(FILTERS)
        self.env.filters["when"] = _when
        self.env.filters["when_iso"] = _when_iso
        self.env.globals["static"] = self.static_url
        self._digests: dict[str, str] = {}

    def static_url(self, name: str) -> str:
        digest = self._digests.get(name)
        if digest is None:
            path = (STATIC_DIR / name).resolve()
            assert path.is_relative_to(STATIC_DIR.resolve()), name
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            self._digests[name] = digest
        return f"/static/{name}?v={digest}"

    def render_text(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(name).render(**context)

    def page(
        self,
        request: Request,
        name: str,
        viewer: Viewer | None,
        context: Mapping[str, Any] | None = None,
        status: int = 200,
        unread: int = 0,
    ) -> HTMLResponse:
        """Render a full page (or, for an htmx request of a partial, just that template)."""
        values: dict[str, Any] = {
            "request": request,
            "viewer": viewer,
            "csrf": viewer.csrf if viewer else "",
            "theme": ("dark" if viewer.account.dark_mode else "light") if viewer else "auto",
            "unread": unread,
            "path": request.url.path,
        }
        values.update(context or {})
        return HTMLResponse(self.render_text(name, values), status_code=status)
