"""The ``/api/*`` wire shapes: msgspec Structs, camelCase on the wire.

Requests are validated by msgspec on decode (types, lengths, ranges); the handlers check
what depends on state. Responses are built from these Structs too, and
``/api/openapi.json`` is generated from them (``platform.openapi``), so the document and
the code cannot disagree. Amounts are integers: cents (``...Cents``), basis points of
probability (``...Bps``, 1 bp = $0.0001 per contract), whole contracts (``quantity``) and
hundredths of a contract (``quantityCentis``) where a market allows fractions.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta


class _In(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """A request body: unknown fields are refused, so a typo is an error, not a no-op."""


class _Out(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=False):
    """A response body."""


Email = Annotated[str, Meta(min_length=3, max_length=254)]
Password = Annotated[str, Meta(min_length=1, max_length=256)]
Name = Annotated[str, Meta(max_length=64)]
Code = Annotated[str, Meta(min_length=1, max_length=64)]
PriceCents = Annotated[int, Meta(ge=1, le=99)]
Bps = Annotated[int, Meta(ge=1, le=9_999)]
Quantity = Annotated[int | str, Meta()]
Side = Literal["YES", "NO"]
Action = Literal["BUY", "SELL"]

# --- auth ----------------------------------------------------------------------------


class RegisterRequest(_In):
    email: Email
    password: Password
    first_name: Name = ""
    last_name: Name = ""
    referral_code: Code | None = None
    invite_code: Code | None = None


class LoginRequest(_In):
    email: Email
    password: Password


class PasswordChangeRequest(_In):
    current_password: Password
    new_password: Password


class User(_Out):
    id: str
    username: str
    email: str
    first_name: str
    last_name: str
    bio: str
    dark_mode: bool
    avatar_url: str | None
    referral_code: str
    status: str
    created_at: str


class UserResponse(_Out):
    user: User


class MeResponse(_Out):
    user: User
    auth: Literal["session", "token"]
    scopes: list[str]
    csrf_token: str | None


class OkResponse(_Out):
    ok: bool


# --- tokens --------------------------------------------------------------------------


class TokenCreateRequest(_In):
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    scopes: Annotated[list[Literal["read", "write"]], Meta(min_length=1, max_length=2)] = (
        msgspec.field(default_factory=lambda: ["read"])
    )


class Token(_Out):
    id: str
    name: str
    scopes: list[str]
    hint: str
    created_at: str
    revoked_at: str | None


class TokenCreated(_Out):
    token: Token
    secret: str  # the pred_ token: shown this once


class TokenList(_Out):
    tokens: list[Token]


class ApiKeyCreateRequest(_In):
    name: Annotated[str, Meta(min_length=1, max_length=64)] = "platform key"
    type: Literal["rsa", "ed25519"] = "rsa"
    scopes: Annotated[list[Literal["read", "write"]], Meta(min_length=1, max_length=2)] = (
        msgspec.field(default_factory=lambda: ["read", "write"])
    )


class ApiKey(_Out):
    id: str
    name: str
    scopes: list[str]
    created_at: str


class ApiKeyCreated(_Out):
    api_key: ApiKey
    private_key: str


class ApiKeyList(_Out):
    api_keys: list[ApiKey]
