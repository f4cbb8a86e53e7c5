"""The ``/api/*`` wire shapes: msgspec Structs, camelCase on the wire.

Requests are validated by msgspec on decode (types, lengths, ranges); the handlers check
what depends on state. Responses are built from these Structs too, and
``/api/openapi.json`` is generated from them (``platform.openapi``), so the document and
the code cannot disagree. Amounts are integers: cents (``...Cents``), basis points of
probability (``...Bps``, 1 bp = $0.0001 per contract), whole contracts (``quantity``) and
hundredths of a contract (``quantityCentis``) where a market allows fractions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

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


# --- events and books ----------------------------------------------------------------


class Option(_Out):
    id: str  # the market ticker
    label: str
    title: str
    status: str
    tradable: bool
    yes_price_cents: int | None  # mid of the book, else the last trade
    yes_bid_cents: int | None
    yes_ask_cents: int | None
    last_price_cents: int | None
    volume: int  # whole contracts traded
    close_time: str
    result: str


class EventSummary(_Out):
    id: str  # the event ticker
    slug: str
    title: str
    subtitle: str
    category: str
    featured: bool
    status: Literal["open", "closed"]
    volume: int
    options: list[Option]


class EventList(_Out):
    events: list[EventSummary]
    next_cursor: str | None


class PricePoint(_Out):
    t: str
    price_cents: int
    price_bps: int


class OptionHistory(_Out):
    option_id: str
    points: list[PricePoint]


class EventDetail(_Out):
    event: EventSummary
    rules: dict[str, str]  # option id -> rules text
    price_history: list[OptionHistory]


class EventRef(_Out):
    id: str
    slug: str
    title: str


class Level(_Out):
    price_cents: int  # floor, for grids finer than a cent see price_bps
    price_bps: int
    quantity: int
    quantity_centis: int


class BookSide(_Out):
    bids: list[Level]
    asks: list[Level]


class Orderbook(_Out):
    option_id: str
    yes: BookSide
    no: BookSide


# --- trading ---------------------------------------------------------------------------


class TradeRequest(_In):
    side: Side
    action: Action
    quantity: Quantity
    price_cents: PriceCents
    option_id: Annotated[str, Meta(min_length=1, max_length=100)] | None = None
    event_slug: Annotated[str, Meta(min_length=1, max_length=100)] | None = None
    option_label: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class TradeResult(_Out):
    order_id: str
    option_id: str
    side: Side
    action: Action
    status: str
    requested_quantity_centis: int
    filled_quantity: int
    filled_quantity_centis: int
    average_price_cents: int
    average_price_bps: int
    notional_cents: int
    fee_cents: int
    balance_cents: int


class Trade(_Out):
    id: str  # the fill id
    order_id: str
    option_id: str
    event_slug: str | None
    label: str
    side: Side
    action: Action
    quantity: int
    quantity_centis: int
    price_cents: int
    price_bps: int
    fee_cents: int
    is_taker: bool
    status: Literal["open", "closed"]
    created_at: str


class TradeList(_Out):
    trades: list[Trade]
    next_cursor: str | None


class LimitOrderRequest(_In):
    option_id: Annotated[str, Meta(min_length=1, max_length=100)]
    side: Side
    action: Action
    quantity: Quantity
    limit_price_cents: PriceCents
    expires_in_hours: Annotated[int, Meta(ge=1, le=8_760)] | None = None


class LimitOrder(_Out):
    id: str
    option_id: str
    event_slug: str | None
    label: str
    side: Side
    action: Action
    quantity_centis: int
    filled_quantity_centis: int
    remaining_quantity_centis: int
    limit_price_cents: int
    status: Literal["open", "filled", "cancelled"]
    created_at: str
    expires_at: str | None


class LimitOrderList(_Out):
    orders: list[LimitOrder]
    next_cursor: str | None


class LimitOrderResponse(_Out):
    order: LimitOrder


# --- positions ---------------------------------------------------------------------------


class Protection(_Out):
    id: str
    stop_loss_prob_bps: int | None
    take_profit_prob_bps: int | None
    status: str
    trigger: str | None
    order_id: str | None
    created_at: str
    updated_at: str


class ProtectionRequest(_In):
    stop_loss_prob_bps: Bps | None = None
    take_profit_prob_bps: Bps | None = None


class ProtectionResponse(_Out):
    protection: Protection


class Position(_Out):
    id: str  # the option id: a position is yours in one option
    option_id: str
    event_slug: str | None
    event_title: str
    label: str
    side: Side
    quantity: int
    quantity_centis: int
    average_price_cents: int
    cost_basis_cents: int
    mark_price_cents: int
    market_value_cents: int
    unrealized_pnl_cents: int
    realized_pnl_cents: int
    fees_paid_cents: int
    market_status: str
    protection: Protection | None


class PortfolioSummary(_Out):
    cash_cents: int
    reserved_cents: int
    invested_cents: int
    market_value_cents: int
    unrealized_pnl_cents: int
    realized_pnl_cents: int
    equity_cents: int


class PositionList(_Out):
    positions: list[Position]
    summary: PortfolioSummary


# --- notifications and webhooks ---------------------------------------------------------

NotificationKind = Literal[
    "fill", "settlement", "protection", "order_cancelled", "deposit", "withdrawal"
]


class Notification(_Out):
    id: int
    kind: str
    data: dict[str, Any]
    read: bool
    created_at: str


class NotificationList(_Out):
    notifications: list[Notification]
    next_cursor: str | None
    unread_count: int


class NotificationUpdate(_In):
    mark_all_read: bool = False
    id: Annotated[int, Meta(ge=1)] | None = None


class NotificationUpdated(_Out):
    ok: bool
    unread_count: int


class WebhookCreateRequest(_In):
    url: Annotated[str, Meta(min_length=1, max_length=2048)]
    events: Annotated[list[NotificationKind], Meta(max_length=6)] = msgspec.field(
        default_factory=list
    )


class Delivery(_Out):
    id: int
    kind: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: str | None  # pending deliveries only
    created_at: str
    updated_at: str


class Webhook(_Out):
    id: str
    url: str
    events: list[str]
    created_at: str
    deliveries: list[Delivery]


class WebhookList(_Out):
    webhooks: list[Webhook]


class WebhookCreated(_Out):
    webhook: Webhook
    secret: str  # the HMAC signing secret: shown this once


# --- preferences, notes, watchlist, profiles, leaderboard --------------------------------


class Preferences(_Out):
    bio: str
    dark_mode: bool
    first_name: str
    last_name: str
    notifications: dict[str, bool]


class PreferencesUpdate(_In):
    bio: Annotated[str, Meta(max_length=500)] | None = None
    dark_mode: bool | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    notifications: dict[NotificationKind, bool] | None = None


class AvatarResponse(_Out):
    avatar_url: str


class NoteCreateRequest(_In):
    body: Annotated[str, Meta(min_length=1, max_length=2_000)]
    option_id: Annotated[str, Meta(min_length=1, max_length=100)] | None = None


class Note(_Out):
    id: int
    body: str
    option_id: str | None
    created_at: str


class NoteList(_Out):
    notes: list[Note]
    next_cursor: str | None


class NoteResponse(_Out):
    note: Note


class WatchRequest(_In):
    event_slug: Annotated[str, Meta(min_length=1, max_length=100)]


class WatchedEvent(_Out):
    added_at: str
    event: EventSummary


class Watchlist(_Out):
    events: list[WatchedEvent]


class Stats(_Out):
    profit_cents: int
    volume: int
    predictions: int


class Profile(_Out):
    username: str
    display_name: str
    bio: str
    avatar_url: str | None
    joined_at: str
    stats: Stats


class ProfileResponse(_Out):
    profile: Profile


class Standing(_Out):
    rank: int
    username: str
    display_name: str
    avatar_url: str | None
    profit_cents: int
    volume: int
    predictions: int


class Leaderboard(_Out):
    metric: Literal["profit", "volume", "predictions"]
    period: Literal["all", "30d", "7d"]
    standings: list[Standing]


# --- money, gateways, flags ----------------------------------------------------------------


class CashRequestBody(_In):
    amount_cents: Annotated[int, Meta(ge=1, le=100_000_000)]
    gateway: Annotated[str, Meta(min_length=1, max_length=32)] = "manual"


class CashRequest(_Out):
    id: str
    kind: Literal["deposit", "withdrawal"]
    gateway: str
    amount_cents: int
    status: str
    reason: str | None
    created_at: str
    decided_at: str | None


class CashRequestResponse(_Out):
    request: CashRequest


class CashRequestList(_Out):
    requests: list[CashRequest]


class Gateway(_Out):
    id: str
    name: str
    mode: Literal["deposit", "withdrawal"]
    requires_approval: bool
    min_cents: int
    max_cents: int


class GatewayList(_Out):
    gateways: list[Gateway]


class Flags(_Out):
    flags: dict[str, bool]
