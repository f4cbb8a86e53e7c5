"""Every transport, WebSocket and authentication limit of one server, in one place.

``ServerLimits`` holds the values; the modules that enforce them read them from here, and
``docs/SECURITY.md`` lists each one with the module that enforces it. The defaults are
what ``augury serve`` runs with. An operator (or a test that needs a short deadline) can
change any of them through the ``AUGURY_LIMITS`` environment variable, a comma-separated
list of ``name=value`` pairs, e.g. ``AUGURY_LIMITS="head_timeout_s=1,connections_max=64"``.

How the values were chosen
    Kalshi publishes none of these numbers, so each is the smallest round value that
    every documented Kalshi request fits in with a wide margin: the largest Kalshi body
    is a 20-order batch (about 6 KB), the largest header an RSA-4096 signature (684
    characters), the deepest JSON body four levels (``{"orders":[{...}]}`` plus one), a
    market ticker a few dozen characters. Limits that protect memory are sized so the
    worst case over every allowed connection stays bounded (see SECURITY.md).

Invariants
    - Every limit is a positive number; ``from_env`` refuses anything else at startup,
      naming the bad entry (no silent fallback to a default).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Final

__all__ = ["LIMITS_ENV", "ServerLimits"]

LIMITS_ENV: Final = "AUGURY_LIMITS"

_KIB: Final = 1024
_MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """The limits one server enforces (see the module docstring for the format)."""

    # --- HTTP request heads (api/http_protocol.py), refused before the app sees them ----
    head_bytes_max: int = 16 * _KIB  # request line + headers -> 431
    url_bytes_max: int = 8 * _KIB  # request target -> 414
    header_bytes_max: int = 8 * _KIB  # one header line's name or value -> 431
    headers_max: int = 100  # header lines per request -> 431
    # --- HTTP request bodies (api/body_guard.py), refused before anything parses them ---
    body_bytes_max: int = 64 * _KIB  # -> 413
    admin_body_bytes_max: int = 8 * _MIB  # /admin/v1 naming the operator key -> 413
    json_depth_max: int = 32  # nesting of arrays and objects -> 400
    # --- time (api/http_protocol.py) ----------------------------------------------------
    idle_timeout_s: float = 5.0  # a connection with no request in progress
    head_timeout_s: float = 10.0  # first byte of a request head to its end -> 408
    body_timeout_s: float = 30.0  # end of the head to the end of the body -> 408
    # --- connections (api/http_protocol.py, api/ws/endpoint.py) ------------------------
    connections_max: int = 4096  # HTTP + WebSocket; lowered to fit the process's fd limit
    ws_anonymous_per_address: int = 100  # unauthenticated WebSocket connections
    ws_anonymous_max: int = 1024  # ... from all addresses together (a quarter of the cap)
    # --- WebSocket messages and subscriptions (api/ws/transport.py, api/ws/session.py) --
    ws_message_bytes_max: int = 1 * _MIB  # one client message -> close 1009
    # --- failed authentication (api/auth_guard.py) --------------------------------------
    auth_failures_burst: int = 100  # failures an address may make at once ...
    auth_failures_per_s: int = 10  # ... and then per second -> 429
    key_failures_burst: int = 50  # failed signatures against one key id from untrusted
    key_failures_per_s: int = 5  # addresses -> 429 for those addresses
    replay_entries_max: int = 1_000_000  # signatures remembered for the replay window
    addresses_max: int = 65_536  # per-address records kept (least recently used go)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServerLimits:
        """Return the defaults, changed by ``AUGURY_LIMITS`` when it is set.

        Raises:
            ValueError: An entry names no limit, or its value is not a positive number.
        """
        text = (os.environ if environ is None else environ).get(LIMITS_ENV, "").strip()
        if not text:
            return cls()
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        changes: dict[str, int | float] = {}
        for entry in text.split(","):
            name, _, raw = entry.strip().partition("=")
            if name not in types:
                raise ValueError(f"{LIMITS_ENV}: unknown limit {name!r}")
            try:
                value: int | float = float(raw) if types[name] == "float" else int(raw)
            except ValueError:
                raise ValueError(f"{LIMITS_ENV}: {name} needs a number, got {raw!r}") from None
            if value <= 0:
                raise ValueError(f"{LIMITS_ENV}: {name} must be positive")
            changes[name] = value
        return dataclasses.replace(cls(), **changes)  # type: ignore[arg-type]
