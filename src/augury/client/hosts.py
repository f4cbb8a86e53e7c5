"""Where a client connects: named Kalshi hosts and any Kalshi-compatible URL.

``resolve("prod" | "demo" | "local" | URL)`` returns a :class:`Host` with the REST base
(ending in ``/trade-api/v2``) and the WebSocket URL (ending in ``/trade-api/ws/v2``). The
production and demo hosts are the constants below (CONTRACT §1.1); switching between
Augury and Kalshi is this one setting, nothing else changes: both speak the same paths
and the same signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

__all__ = ["DEMO", "HOSTS", "LOCAL", "PROD", "REST_PREFIX", "WS_PATH", "Host", "resolve"]

REST_PREFIX: Final = "/trade-api/v2"
WS_PATH: Final = "/trade-api/ws/v2"


@dataclass(frozen=True, slots=True)
class Host:
    """One exchange: a name for people, the REST base URL and the WebSocket URL."""

    name: str
    rest_url: str
    ws_url: str

    @property
    def origin(self) -> str:
        """Return ``scheme://host[:port]`` of the REST API."""
        parts = urlsplit(self.rest_url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


PROD: Final = Host(
    "prod",
    "https://external-api.kalshi.com/trade-api/v2",
    "wss://external-api-ws.kalshi.com/trade-api/ws/v2",
)
DEMO: Final = Host(
    "demo",
    "https://external-api.demo.kalshi.co/trade-api/v2",
    "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2",
)
LOCAL: Final = Host(
    "local", "http://127.0.0.1:8000/trade-api/v2", "ws://127.0.0.1:8000/trade-api/ws/v2"
)
HOSTS: Final = {host.name: host for host in (PROD, DEMO, LOCAL)}


def resolve(spec: str | Host) -> Host:
    """Return the host named ``spec``, or the Kalshi-compatible server at URL ``spec``.

    A URL may be the bare origin (``http://127.0.0.1:8000``) or already end in
    ``/trade-api/v2``; ``http`` maps to ``ws`` and ``https`` to ``wss``.
    """
    if isinstance(spec, Host):
        return spec
    named = HOSTS.get(spec.strip().lower())
    if named is not None:
        return named
    parts = urlsplit(spec.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"host must be prod, demo, local or an http(s) URL, got {spec!r}")
    path = parts.path.rstrip("/")
    if path.endswith(REST_PREFIX):
        path = path[: -len(REST_PREFIX)]
    rest = urlunsplit((parts.scheme, parts.netloc, path + REST_PREFIX, "", ""))
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    ws = urlunsplit((ws_scheme, parts.netloc, path + WS_PATH, "", ""))
    return Host(spec.strip(), rest, ws)
