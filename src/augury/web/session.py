"""Who is looking at a page: the platform session behind the cookie, or nobody.

Pages authenticate by the platform's session cookie only (``platform.cookies``): a bearer
token is an API credential and means nothing to a page. The session row gives the account
and its CSRF token; a suspended account is treated as signed out, as on ``/api``.

Operators: an account whose ``role`` is ``operator`` (set by ``augury admin accounts
operator EMAIL on``, decision 0049) may open ``/operator``; everyone else gets a 404 there,
so the console's existence is not advertised.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from augury.platform import credentials
from augury.platform.accounts import Account
from augury.platform.auth import Principal
from augury.platform.service import Platform

__all__ = ["OPERATOR_ROLE", "Viewer", "platform_of", "viewer_of"]

OPERATOR_ROLE = "operator"
_SESSION_ID_MAX_CHARS = 128


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person looking at a page."""

    account: Account
    csrf: str
    session_hash: str

    @property
    def user_id(self) -> str:
        return self.account.user_id

    @property
    def is_operator(self) -> bool:
        return self.account.role == OPERATOR_ROLE

    @property
    def display(self) -> str:
        return self.account.first_name or self.account.username

    def principal(self) -> Principal:
        """The same principal ``/api`` would resolve for this session."""
        return Principal(
            self.account,
            "session",
            ("read", "write"),
            "s:" + self.session_hash,
            self.session_hash,
            self.csrf,
        )


def platform_of(request: Request) -> Platform:
    """Return the running platform (the lifespan put it on the app's state)."""
    platform = getattr(request.app.state, "platform", None)
    assert isinstance(platform, Platform), "the web app runs inside create_app's lifespan"
    return platform


async def viewer_of(request: Request) -> Viewer | None:
    """Return the signed-in viewer of this request (memoised per request), or None."""
    if "viewer" in request.state._state:
        found: Viewer | None = request.state.viewer
        return found
    viewer = await _resolve(request)
    request.state.viewer = viewer
    return viewer


async def _resolve(request: Request) -> Viewer | None:
    session_id = request.cookies.get(credentials.SESSION_COOKIE)
    if not session_id or len(session_id) > _SESSION_ID_MAX_CHARS:
        return None
    platform = platform_of(request)
    now = platform.clock.now_ns()
    found = await platform.db.read(lambda tx: credentials.session_account(tx, session_id, now))
    if found is None:
        return None
    account, csrf, digest = found
    if not account.active:
        return None
    return Viewer(account, csrf, digest)
