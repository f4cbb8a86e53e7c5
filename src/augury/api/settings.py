"""Server settings: everything ``augury serve`` can be told, with safe local defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from augury.api.limits import ServerLimits
from augury.platform.settings import PlatformSettings
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY
from augury.seed.settings import SeedSettings

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """How one Augury server runs. Built by the CLI from flags and environment."""

    data_dir: Path = Path("./data")
    db_url: str | None = None  # default: SQLite file in data_dir
    host: str = "127.0.0.1"
    port: int = 8000
    instance_id: str = "augury"
    v1_orders: bool = True  # serve the retired v1 order writes (Kalshi answers deprecated)
    rate_limits: bool = True
    # The tier of users whose tier the operator never set (see
    # docs/decisions/0006-rate-limits.md); generous, since the exchange runs locally.
    default_tier: str = "prestige"
    legacy_pkcs1v15: bool = True  # accept PKCS#1 v1.5 signatures from 2024-2025 clients
    auth_window_ms: int = 30_000
    snapshot_every: int = DEFAULT_SNAPSHOT_EVERY
    engine: str | None = None  # native | python | None: native where built (runtime.engines)
    historical_cutoff_days: int = 90
    # Transport, WebSocket and authentication limits (docs/SECURITY.md).
    limits: ServerLimits = field(default_factory=ServerLimits)
    extra: dict[str, str] = field(default_factory=dict)
    # The /api/* platform: accounts, sessions, tokens, webhooks (augury.platform).
    platform: PlatformSettings = field(default_factory=PlatformSettings)
    # --compat tutorials (docs/compat-tutorials.md) and --profile 2026 (docs/profiles.md).
    compat_tutorials: bool = False
    profile: str = "default"
    # The seed integration API under /seed/v1 (docs/seed-api.md): its limits.
    seed: SeedSettings = field(default_factory=SeedSettings)

    @property
    def database_url(self) -> str:
        """Return the journal/store URL (an explicit --db wins)."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'augury.db').resolve()}"
