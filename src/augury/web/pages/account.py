"""Account and security: profile, avatar, dark mode, password, sessions, ``pred_`` tokens,
and Kalshi API keys.

Profile, avatar, tokens and key deletion are the ``/api/me/*`` handlers (same checks,
same limits). The password change is ``platform.signup.change_password``: it ends every
session and opens a new one for this browser (the cookie is replaced).

Sessions: the viewer's live sessions, each named by the first 12 characters of its
stored SHA-256 (the cookie's secret never appears); ending one deletes only a session of
the viewer's own (any other id is a 404).

Tokens are shown once: the create response renders the secret in a box that the next
page load no longer has.

Kalshi API keys are made in the browser (WebCrypto: Ed25519, or RSA-PSS 2048) or pasted
as a public key; the server only ever sees the public half, checks it exactly like the
Kalshi ``POST /api_keys`` and the operator's key endpoint do (``api.auth.check_uploaded_key``:
SPKI RSA 2048-4096 bits with an odd exponent below 2**32, or Ed25519; PEM at most 4,096
characters), and journals ``RegisterApiKey``. At most ``tokens_per_user_max`` keys per user.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from augury.api.auth import PEM_CHARS_MAX, KeyFormatError, check_uploaded_key, new_key_id
from augury.engine import commands as c
from augury.platform import schemas as s
from augury.platform import signup
from augury.platform.cookies import set_session_cookie
from augury.platform.db import Tx
from augury.platform.endpoints import account as api_account
from augury.platform.endpoints import profile as api_profile
from augury.platform.http import PlatformError
from augury.web.bridge import call_api, charge
from augury.web.pages.common import is_htmx, local_path, render, require_viewer
from augury.web.security import field, read_form
from augury.web.session import Viewer, platform_of

__all__ = ["routes"]

SESSION_ID_CHARS = 12


async def _sessions(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    user_id = viewer.user_id
    now = platform_of(request).clock.now_ns()
    rows = await platform_of(request).db.read(
        lambda tx: tx.all(
            "SELECT session_hash, created_ns, expires_ns FROM platform_sessions "
            "WHERE user_id = ? AND expires_ns > ? ORDER BY created_ns DESC LIMIT 100",
            (user_id, now),
        )
    )
    return [
        {
            "id": str(digest)[:SESSION_ID_CHARS],
            "created_ns": int(str(created)),
            "expires_ns": int(str(expires)),
            "current": digest == viewer.session_hash,
        }
        for digest, created, expires in rows
    ]


async def account_context(request: Request, viewer: Viewer) -> dict[str, Any]:
    tokens = await call_api(request, viewer, api_account.list_tokens, s.TokenList)
    keys = await call_api(request, viewer, api_account.list_api_keys, s.ApiKeyList)
    prefs = await call_api(request, viewer, api_profile.get_preferences, s.Preferences)
    base = str(request.base_url).rstrip("/")
    return {
        "prefs": prefs,
        "account": viewer.account,
        "tokens": [t for t in tokens.tokens if t.revoked_at is None],
        "keys": keys.api_keys,
        "sessions": await _sessions(request, viewer),
        "host": base + "/trade-api/v2",
        "base": base,
        "secret": None,
        "private_key": None,
        "new_key_id": request.query_params.get("key", "")[:64],
        "notice": request.query_params.get("notice", "")[:200],
        "error": "",
    }


async def account_page(request: Request) -> Response:
    viewer = await require_viewer(request)
    return await render(request, "pages/account.html", await account_context(request, viewer))


async def _page_with(request: Request, viewer: Viewer, **extra: Any) -> Response:
    fresh = await _refreshed(request, viewer)
    context = await account_context(request, fresh)
    context.update(extra)
    request.state.viewer = fresh
    # htmx swaps only successful responses: a refusal it should show comes back as 200.
    status = 400 if extra.get("error") and not is_htmx(request) else 200
    return await render(request, "pages/account.html", context, status)


async def _refreshed(request: Request, viewer: Viewer) -> Viewer:
    from augury.platform import accounts

    user_id = viewer.user_id
    account = await platform_of(request).db.read(lambda tx: accounts.by_id(tx, user_id))
    return viewer if account is None else Viewer(account, viewer.csrf, viewer.session_hash)


def _done(notice: str, key: str = "") -> Response:
    suffix = f"&key={key}" if key else ""
    return RedirectResponse("/account?notice=" + notice.replace(" ", "+") + suffix, 303)


async def save_profile(request: Request) -> Response:
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    body = s.PreferencesUpdate(
        bio=str(form.get("bio") or "")[:10_000],
        first_name=field(form, "first_name"),
        last_name=field(form, "last_name"),
        dark_mode=form.get("dark_mode") == "on",
    )
    try:
        await call_api(request, viewer, api_profile.patch_preferences, s.Preferences, body=body)
    except PlatformError as error:
        return await _page_with(request, viewer, error=error.message)
    return _done("Profile saved.")


async def toggle_theme(request: Request) -> Response:
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    body = s.PreferencesUpdate(dark_mode=not viewer.account.dark_mode)
    await call_api(request, viewer, api_profile.patch_preferences, s.Preferences, body=body)
    return RedirectResponse(local_path(field(form, "back"), "/account"), 303)


async def upload_avatar(request: Request) -> Response:
    viewer = await require_viewer(request)
    try:
        # The API handler reads the multipart body itself, with its byte and pixel limits,
        # and checks the form's csrf_token.
        await call_api(request, viewer, api_profile.upload_avatar, s.AvatarResponse)
    except PlatformError as error:
        if error.status == 403:
            raise
        return await _page_with(request, viewer, error=error.message)
    return _done("Avatar updated.")


async def change_password(request: Request) -> Response:
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    platform = platform_of(request)
    try:
        session_id, _csrf = await signup.change_password(
            platform,
            viewer.account,
            str(form.get("current_password") or ""),
            str(form.get("new_password") or ""),
        )
    except PlatformError as error:
        return await _page_with(request, viewer, error=error.message)
    response = _done("Password changed; every other session was signed out.")
    set_session_cookie(response, request, session_id, platform.settings.session_lifetime_s)
    return response


async def end_session(request: Request) -> Response:
    viewer = await require_viewer(request)
    await read_form(request, viewer)
    prefix = request.path_params["session_id"]
    if len(prefix) != SESSION_ID_CHARS or not all(ch in "0123456789abcdef" for ch in prefix):
        raise PlatformError(404, "no such session")
    user_id = viewer.user_id

    def end(tx: Tx) -> int:
        rows = tx.all("SELECT session_hash FROM platform_sessions WHERE user_id = ?", (user_id,))
        mine = [str(r[0]) for r in rows if str(r[0]).startswith(prefix)]
        for digest in mine:
            tx.exec("DELETE FROM platform_sessions WHERE session_hash = ?", (digest,))
        return len(mine)

    if not await platform_of(request).db.run(end):
        raise PlatformError(404, "no such session")
    if viewer.session_hash.startswith(prefix):
        return RedirectResponse("/login", 303)
    return _done("Session ended.")


async def create_token(request: Request) -> Response:
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    scopes: list[Literal["read", "write"]] = (
        ["read", "write"] if form.get("write") == "on" else ["read"]
    )
    try:
        body = s.TokenCreateRequest(name=field(form, "name") or "token", scopes=scopes)
        made = await call_api(request, viewer, api_account.create_token, s.TokenCreated, body=body)
    except PlatformError as error:
        return await _page_with(request, viewer, error=error.message)
    return await _page_with(request, viewer, secret=made.secret, notice="Token created.")


async def revoke_token(request: Request) -> Response:
    viewer = await require_viewer(request)
    await read_form(request, viewer)
    token_id = request.path_params["token_id"][:64]
    await call_api(
        request, viewer, api_account.revoke_token, s.OkResponse, path={"id": token_id}, body=None
    )
    return _done("Token revoked.")


async def register_key(request: Request) -> Response:
    """Register a public key made in the browser or pasted in (never a private key)."""
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    pem = str(form.get("public_key") or "").strip()
    name = field(form, "name") or "web key"
    platform = platform_of(request)
    try:
        if len(pem) > PEM_CHARS_MAX or "PRIVATE KEY" in pem:
            raise PlatformError(
                400, f"paste a PUBLIC key (PEM, at most {PEM_CHARS_MAX} characters)"
            )
        if len(name) > 64:
            raise PlatformError(400, "a key name is at most 64 characters")
        try:
            key_type = check_uploaded_key(pem)
        except KeyFormatError as error:
            raise PlatformError(400, f"not a usable public key: {error}") from None
        if len(platform.reads.api_keys(viewer.user_id)) >= platform.settings.tokens_per_user_max:
            raise PlatformError(409, "too many API keys; delete one first")
        charge(request, viewer)
        key_id = new_key_id()
        scopes = ["read", "write"] if form.get("read_only") != "on" else ["read"]
        outcome = await platform.submit(
            c.RegisterApiKey(
                api_key_id=key_id,
                user_id=viewer.user_id,
                name=name,
                public_key_pem=pem,
                key_type=key_type,
                scopes=scopes,
            )
        )
        if outcome.reject is not None:
            raise PlatformError(409, outcome.reject.message)
    except PlatformError as error:
        return await _page_with(request, viewer, error=error.message)
    return _done("API key registered.", key_id)


async def delete_key(request: Request) -> Response:
    viewer = await require_viewer(request)
    await read_form(request, viewer)
    key_id = request.path_params["key_id"][:64]
    await call_api(
        request, viewer, api_account.delete_api_key, s.OkResponse, path={"id": key_id}, body=None
    )
    return _done("API key deleted.")


routes = [
    Route("/account", account_page, methods=["GET"]),
    Route("/account/profile", save_profile, methods=["POST"]),
    Route("/account/theme", toggle_theme, methods=["POST"]),
    Route("/account/avatar", upload_avatar, methods=["POST"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/account/sessions/{session_id}/end", end_session, methods=["POST"]),
    Route("/account/tokens", create_token, methods=["POST"]),
    Route("/account/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
    Route("/account/keys", register_key, methods=["POST"]),
    Route("/account/keys/{key_id}/delete", delete_key, methods=["POST"]),
]
