"""WebSocket messages to toolkit events (``sim.events``), for recording and live bots.

``events_from(message, ts_ns)`` converts one Kalshi feed message: an ``orderbook_snapshot``
or ``orderbook_delta``, a public ``trade``, or a ``market_lifecycle_v2`` change
(``determined`` carries the result; ``settled`` closes the market). Anything else yields
nothing. Prices and sizes are parsed into integers.
"""

from __future__ import annotations

from typing import Any

from augury.client.sim.events import BookDelta, BookSnapshot, Event, Lifecycle, Trade
from augury.client.units import count_c, dollars_cc

__all__ = ["FEED_CHANNELS", "events_from"]

FEED_CHANNELS = ["orderbook_delta", "trade", "market_lifecycle_v2"]


def _levels(levels: list[list[str]] | None) -> tuple[tuple[int, int], ...]:
    return tuple((dollars_cc(p), count_c(s)) for p, s in levels or [])


def events_from(message: dict[str, Any], ts_ns: int) -> list[Event]:
    """Return the events one feed message carries (usually zero or one)."""
    kind = message.get("type")
    msg = message.get("msg") or {}
    if kind == "orderbook_delta":
        return [
            BookDelta(
                ts_ns,
                msg["market_ticker"],
                msg["side"],
                dollars_cc(msg["price_dollars"]),
                count_c(msg["delta_fp"]),
            )
        ]
    if kind == "orderbook_snapshot":
        return [
            BookSnapshot(
                ts_ns,
                msg["market_ticker"],
                _levels(msg.get("yes_dollars_fp")),
                _levels(msg.get("no_dollars_fp")),
            )
        ]
    if kind == "trade":
        return [
            Trade(
                ts_ns,
                msg["market_ticker"],
                dollars_cc(msg["yes_price_dollars"]),
                count_c(msg["count_fp"]),
                msg["taker_outcome_side"],
            )
        ]
    if kind == "market_lifecycle_v2":
        event = msg.get("event_type", "")
        value = msg.get("settlement_value")
        value_cc = dollars_cc(value, truncate=True) if isinstance(value, str) and value else 0
        return [Lifecycle(ts_ns, msg["market_ticker"], event, msg.get("result") or "", value_cc)]
    return []
