"""The session cookie, for the JSON API and for server-rendered pages alike.

``HttpOnly`` (scripts cannot read it), ``SameSite=Lax`` (not sent on cross-site
sub-requests or form posts), ``Path=/``, ``Secure`` whenever the request arrived over TLS.
The web app (server-rendered forms) uses the same two helpers plus
``platform.auth.check_csrf`` with the form's ``csrf_token`` field.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from augury.platform.credentials import SESSION_COOKIE

__all__ = ["clear_session_cookie", "set_session_cookie"]


def set_session_cookie(
    response: Response, request: Request, session_id: str, lifetime_s: int
) -> None:
    """Attach the session cookie to ``response``."""
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=lifetime_s,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    """Tell the browser to forget the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
