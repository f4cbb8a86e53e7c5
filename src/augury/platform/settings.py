"""What the platform (``/api/*``) can be told: limits and switches, with safe defaults.

Every limit the platform enforces is named here with its unit, so ``docs/SECURITY.md``
("Platform") and the code cannot drift apart: the section lists these values.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PlatformSettings"]


@dataclass(frozen=True, slots=True)
class PlatformSettings:
    """The platform's limits and switches (``augury serve`` flags set some of them)."""

    # Webhook targets on loopback, private, link-local or reserved addresses are refused
    # unless the operator allows them (``augury serve --webhooks-allow-private``).
    webhooks_allow_private: bool = False
    # 60 requests per rolling minute per token, per session, or per address when anonymous.
    requests_per_minute: int = 60
    # argon2id cost. The defaults are argon2-cffi's (RFC 9106 low-memory profile); tests
    # pass cheaper ones so that hundreds of registrations stay fast.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    argon2_parallelism: int = 4
    # Login throttling: failures counted over a rolling window, per email and per address.
    login_window_s: int = 900
    login_failures_per_email: int = 5
    login_failures_per_address: int = 20
    session_lifetime_s: int = 14 * 24 * 3600
    password_min_chars: int = 10
    password_max_chars: int = 256
    json_body_max_bytes: int = 64 * 1024
    avatar_max_bytes: int = 2 * 1024 * 1024
    avatar_max_pixels: int = 4096 * 4096
    avatar_side_px: int = 256
    tokens_per_user_max: int = 20
    webhooks_per_user_max: int = 10
    notes_per_user_max: int = 1_000
    note_max_chars: int = 2_000
    watchlist_per_user_max: int = 200
    bio_max_chars: int = 500
    name_max_chars: int = 64
    pending_cash_requests_max: int = 10
    cash_request_max_cents: int = 100_000_000  # $1,000,000
    webhook_timeout_s: float = 5.0
    webhook_attempts_max: int = 8
    webhook_payload_max_bytes: int = 16 * 1024
