"""The per-server context routes work with: the runtime, the read port, the key ring, auth
and replies.

Routes stay thin (STYLE.md practice 10): they authenticate, parse, call ``submit`` or ask
the read port (``context.queries``), and serialise. The port's live answers are read on
the event loop, between sequencer batches, so a read never sees a half-applied command.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from augury.api.auth import ApiKeyRecord, AuthError, KeyRing, authenticate, has_scope
from augury.api.errors import ApiError, from_reject
from augury.api.schemas.codec import encode
from augury.api.settings import Settings
from augury.engine import commands as c
from augury.engine.events import ApiKeyUpdate
from augury.engine.exchange import Outcome
from augury.queries import ApiKeyView, Queries
from augury.runtime.boot import Runtime
from augury.runtime.clock import Clock

__all__ = ["OPERATOR_USER", "Context", "context_of", "json_response"]

OPERATOR_USER = "__operator__"
Scope = Literal["read", "write", "admin"]


def json_response(body: object, status: int = 200) -> Response:
    """Encode a wire Struct (or plain data) as a JSON response."""
    return Response(encode(body), status_code=status, media_type="application/json")


def context_of(request: Request) -> Context:
    """Return the server's context (built by ``create_app``'s lifespan)."""
    context: Context = request.app.state.context
    return context


class Context:
    """Everything a route needs, built once by the app's lifespan."""

    def __init__(
        self, settings: Settings, clock: Clock, runtime: Runtime, queries: Queries
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = runtime
        self.queries = queries
        self.keys = KeyRing()
        # Users whose keys must stop working (platform accounts suspended by the
        # operator; kept current by augury.platform). Checked after the signature.
        self.blocked_users: set[str] = set()
        # The /api/* platform once it has started (augury.platform.service.Platform).
        self.platform: Any = None
        for info in queries.api_keys():
            self.keys.add(_record(info))
        runtime.sequencer.subscribe(self._on_applied)

    def _on_applied(self, _seq: int, _command: c.Command, outcome: Outcome) -> None:
        for event in outcome.events:
            if isinstance(event, ApiKeyUpdate):
                if event.active:
                    # None only if a later item of the same batch revoked it again.
                    info = self.queries.api_key(event.api_key_id)
                    if info is not None:
                        self.keys.add(_record(info))
                else:
                    self.keys.remove(event.api_key_id)

    async def submit(self, command: c.Command) -> Outcome:
        """Sequence a command; raise its wire error if the engine refused it."""
        outcome = await self.runtime.sequencer.submit(command)
        if outcome.reject is not None:
            raise from_reject(outcome.reject)
        return outcome

    def principal(self, request: Request, scope: Scope) -> ApiKeyRecord:
        """Authenticate a signed request and check its key's scope."""
        asgi = request.scope
        key_id, timestamp, signature = _auth_headers(asgi["headers"])
        raw_path = asgi.get("raw_path") or asgi["path"].encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        try:
            record = authenticate(
                self.keys,
                key_id=key_id,
                timestamp=timestamp,
                signature_b64=signature,
                method=request.method,
                path=path,
                now_ms=self.clock.now_ns() // 1_000_000,
                window_ms=self.settings.auth_window_ms,
                allow_pkcs1v15=self.settings.legacy_pkcs1v15,
            )
        except AuthError as error:
            raise ApiError(error.status, error.code, error.message, error.details) from None
        if record.user_id in self.blocked_users:
            raise ApiError(403, "account_suspended", "this account is suspended")
        if scope == "admin":
            if "admin" not in record.scopes:
                raise ApiError(403, "forbidden", "this endpoint needs the operator key")
        elif not has_scope(record, scope):
            raise ApiError(403, "forbidden", f"this API key lacks the {scope} scope")
        return record


_KEY = b"kalshi-access-key"
_TIMESTAMP = b"kalshi-access-timestamp"
_SIGNATURE = b"kalshi-access-signature"


def _auth_headers(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None, str | None]:
    """Return the three ``KALSHI-ACCESS-*`` header values, or None for each one absent.

    One pass over the raw ASGI headers instead of three ``request.headers.get`` calls, each
    of which builds a ``Headers`` view and lower-cases the name again. The result is the
    same: ASGI servers give lower-cased names, and the first occurrence of a name wins.
    """
    key_id = timestamp = signature = None
    for name, value in headers:
        if name == _KEY:
            if key_id is None:
                key_id = value.decode("latin-1")
        elif name == _TIMESTAMP:
            if timestamp is None:
                timestamp = value.decode("latin-1")
        elif name == _SIGNATURE and signature is None:
            signature = value.decode("latin-1")
    return key_id, timestamp, signature


def _record(info: ApiKeyView) -> ApiKeyRecord:
    return ApiKeyRecord(
        api_key_id=info.api_key_id,
        user_id=info.user_id,
        name=info.name,
        scopes=info.scopes,
        key_type="ed25519" if info.key_type == "ed25519" else "rsa",
        public_key_pem=info.public_key_pem,
        subaccount=info.subaccount,
    )
