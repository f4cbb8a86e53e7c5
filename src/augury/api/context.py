"""The per-server context routes work with: the runtime, the key ring, auth and replies.

Routes stay thin (STYLE.md practice 10): they authenticate, parse, call ``submit`` or read
engine memory, and serialise. Engine memory is only read on the event loop, between
sequencer batches, so a read never sees a half-applied command.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from augury.api.auth import ApiKeyRecord, KeyRing, has_scope
from augury.api.auth_guard import AuthGuard
from augury.api.errors import ApiError, from_reject
from augury.api.modes import current
from augury.api.profile import contract_body
from augury.api.schemas.codec import encode
from augury.api.settings import Settings
from augury.engine import commands as c
from augury.engine.events import ApiKeyUpdate
from augury.engine.exchange import Exchange, Outcome
from augury.runtime.boot import Runtime
from augury.runtime.clock import Clock

R = TypeVar("R")

__all__ = ["OPERATOR_USER", "Context", "json_response"]

OPERATOR_USER = "__operator__"
Scope = Literal["read", "write", "admin"]


def json_response(body: object, status: int = 200) -> Response:
    """Encode a wire Struct (or plain data) as a JSON response (the 2026 profile: only the
    current contract's keys, ``augury.api.profile``)."""
    payload = contract_body(body) if current().strict else encode(body)
    return Response(payload, status_code=status, media_type="application/json")


class Context:
    """Everything a route needs, built once by the app's lifespan."""

    def __init__(self, settings: Settings, clock: Clock, runtime: Runtime) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = runtime
        self.keys = KeyRing()
        # Users whose keys must stop working (platform accounts suspended by the
        # operator; kept current by augury.platform). Checked after the signature.
        self.blocked_users: set[str] = set()
        # The /api/* platform once it has started (augury.platform.service.Platform).
        self.platform: Any = None
        for info in runtime.exchange.api_keys.values():
            self.keys.add(_record(info))
        # Verifies each signed request once (the rate limiter and the route share it),
        # refuses replayed writes and throttles failures (docs/decisions/0020).
        self.auth = AuthGuard(
            self.keys,
            clock,
            settings.limits,
            window_ms=settings.auth_window_ms,
            allow_pkcs1v15=settings.legacy_pkcs1v15,
            tutorial_forms=settings.compat_tutorials,
        )
        runtime.sequencer.subscribe(self._on_applied)

    @property
    def exchange(self) -> Exchange:
        return self.runtime.exchange

    def _on_applied(self, _seq: int, _command: c.Command, outcome: Outcome[object]) -> None:
        for event in outcome.events:
            if isinstance(event, ApiKeyUpdate):
                if event.active:
                    self.keys.add(_record(self.exchange.api_keys[event.api_key_id]))
                else:
                    self.keys.remove(event.api_key_id)
                    self.auth.forget_key(event.api_key_id)

    async def submit(self, command: c.Cmd[R]) -> Outcome[R]:
        """Sequence a command; raise its wire error if the engine refused it."""
        outcome = await self.runtime.sequencer.submit(command)
        if outcome.reject is not None:
            raise from_reject(outcome.reject)
        return outcome

    def principal(self, request: Request, scope: Scope) -> ApiKeyRecord:
        """Authenticate a signed request and check its key's scope."""
        record = self.auth.authenticate(request.scope)
        if record.user_id in self.blocked_users:
            raise ApiError(403, "account_suspended", "this account is suspended")
        if scope == "admin":
            if "admin" not in record.scopes:
                raise ApiError(403, "forbidden", "this endpoint needs the operator key")
        elif not has_scope(record, scope):
            raise ApiError(403, "forbidden", f"this API key lacks the {scope} scope")
        return record


def _record(info: object) -> ApiKeyRecord:
    from augury.engine.exchange import ApiKeyInfo

    assert isinstance(info, ApiKeyInfo)
    return ApiKeyRecord(
        api_key_id=info.api_key_id,
        user_id=info.user_id,
        name=info.name,
        scopes=info.scopes,
        key_type="ed25519" if info.key_type == "ed25519" else "rsa",
        public_key_pem=info.public_key_pem,
        subaccount=info.subaccount,
    )
