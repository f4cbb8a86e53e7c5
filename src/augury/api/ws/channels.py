"""Channels: what each one accepts.

Each channel's rules (CONTRACT §8.4) live in one :class:`ChannelSpec`: whether it needs an
authenticated connection, whether its messages carry ``seq`` (in either spec version,
§8.9), how it filters by market and which ``update_subscription`` actions it supports.
The message bodies are built by the renderer of their noun (``augury.api.render``).
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["CHANNELS", "MARKET_ACTIONS", "ChannelSpec"]

MARKET_ACTIONS = frozenset({"add_markets", "delete_markets"})


class ChannelSpec(NamedTuple):
    """How one channel subscribes and what its messages look like."""

    name: str
    auth: bool  # needs an authenticated connection (code 9 otherwise)
    per_user: bool  # carries only the connection's own user's events
    has_seq: bool  # its data messages carry the per-sid ``seq``
    markets: str  # "required" | "optional" | "ignored"
    actions: frozenset[str]  # update_subscription actions it supports
    by_id: bool = False  # accepts market_id / market_ids filters


_NONE: frozenset[str] = frozenset()
_BOOK_ACTIONS = MARKET_ACTIONS | {"get_snapshot"}
_INDEX_ACTIONS = frozenset({"subscribe_indices", "unsubscribe_indices", "indexlist"})
_PYTH_ACTIONS = frozenset({"subscribe_underlyings", "unsubscribe_underlyings", "underlying_list"})

CHANNELS: Final[dict[str, ChannelSpec]] = {
    spec.name: spec
    for spec in (
        ChannelSpec("orderbook_delta", True, False, True, "required", _BOOK_ACTIONS),
        ChannelSpec("ticker", False, False, False, "optional", MARKET_ACTIONS, by_id=True),
        ChannelSpec("trade", False, False, True, "optional", MARKET_ACTIONS),
        ChannelSpec("fill", True, True, False, "optional", MARKET_ACTIONS),
        ChannelSpec("market_positions", True, True, False, "optional", MARKET_ACTIONS),
        ChannelSpec("user_orders", True, True, False, "optional", MARKET_ACTIONS),
        ChannelSpec("order_group_updates", True, True, True, "ignored", _NONE),
        ChannelSpec("market_lifecycle_v2", False, False, True, "ignored", _NONE),
        # Accepted because the spec lists them; Augury has no multivariate events, RFQs or
        # index feeds, so these subscriptions never carry data.
        ChannelSpec("multivariate_market_lifecycle", False, False, True, "ignored", _NONE),
        ChannelSpec("communications", True, True, True, "ignored", _NONE),
        ChannelSpec("cfbenchmarks_value", True, False, True, "ignored", _INDEX_ACTIONS),
        ChannelSpec("pyth_value", True, False, True, "ignored", _PYTH_ACTIONS),
    )
}
