"""Sign in, sign up, sign out: the platform's accounts and sessions, as forms.

Registration and login run the same ``platform.signup`` code as ``/api/auth/*`` (argon2id
off the loop, login throttling per email and address, ``Origin`` checked against login
CSRF); the session cookie is the platform's. After signing in the browser goes back to
``next`` when it is a path on this site (never to another site).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from augury.platform import credentials, signup
from augury.platform.cookies import clear_session_cookie, set_session_cookie
from augury.platform.http import PlatformError, client_address
from augury.web.pages.common import local_path, render, require_viewer
from augury.web.security import field, read_form
from augury.web.session import platform_of, viewer_of

__all__ = ["routes"]


async def login_page(request: Request) -> Response:
    if await viewer_of(request) is not None:
        return RedirectResponse(local_path(request.query_params.get("next")), 303)
    return await render(
        request,
        "pages/login.html",
        {"next": local_path(request.query_params.get("next")), "error": "", "email": ""},
    )


def _signed_in(request: Request, session_id: str, next_path: str) -> Response:
    response = RedirectResponse(next_path, 303)
    platform = platform_of(request)
    set_session_cookie(response, request, session_id, platform.settings.session_lifetime_s)
    return response


async def login(request: Request) -> Response:
    form = await read_form(request, None)
    email, next_path = field(form, "email"), local_path(field(form, "next"))
    try:
        _account, session_id, _csrf = await signup.login(
            platform_of(request), email, str(form.get("password") or ""), client_address(request)
        )
    except PlatformError as error:
        if error.status == 429:
            raise
        return await render(
            request,
            "pages/login.html",
            {"next": next_path, "error": error.message, "email": email},
            error.status,
        )
    return _signed_in(request, session_id, next_path)


async def signup_page(request: Request) -> Response:
    return await render(request, "pages/signup.html", {"error": "", "values": {}})


async def signup_post(request: Request) -> Response:
    form = await read_form(request, None)
    values = {k: field(form, k) for k in ("email", "first_name", "last_name", "referral_code")}
    password = str(form.get("password") or "")
    platform = platform_of(request)
    try:
        await signup.register(
            platform,
            email=values["email"],
            password=password,
            first_name=values["first_name"],
            last_name=values["last_name"],
            referral_code=values["referral_code"] or None,
        )
        _account, session_id, _csrf = await signup.login(
            platform, values["email"], password, client_address(request)
        )
    except PlatformError as error:
        if error.status == 429:
            raise
        return await render(
            request, "pages/signup.html", {"error": error.message, "values": values}, error.status
        )
    return _signed_in(request, session_id, "/portfolio")


async def logout(request: Request) -> Response:
    viewer = await require_viewer(request)
    await read_form(request, viewer)
    digest = viewer.session_hash
    await platform_of(request).db.run(lambda tx: credentials.end_session(tx, digest))
    response = RedirectResponse("/", 303)
    clear_session_cookie(response, request)
    return response


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/signup", signup_page, methods=["GET"]),
    Route("/signup", signup_post, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
