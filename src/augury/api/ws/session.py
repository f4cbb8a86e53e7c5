"""Commands of one connection: subscribe, unsubscribe, update_subscription, list_subscriptions.

``Session.handle`` processes one text frame synchronously: it validates the whole command
first (so a refused command changes nothing), then registers or changes subscriptions in
the hub and buffers the replies — and, for new order-book markets, their snapshots — in
the connection's queue, in that order. Because nothing awaits in between, no engine event
can slip between a snapshot and the subscription that continues it.

Rules (CONTRACT §8.3 / §8.6):
    - One ``subscribed`` ack per channel. Subscribing again to a channel the connection
      already has is idempotent: new markets join the existing sid (an "every market"
      filter absorbs them) and the ack repeats that sid. Options keep their first value.
    - ``market_ticker`` (string) and ``market_tickers`` (list) are both accepted and
      combined; ``market_id(s)`` only on ``ticker``. Public channels without a filter
      cover every market, including markets created later.
    - ``update_subscription`` needs exactly one sid (``sid`` or a one-element ``sids``),
      else code 12. ``get_snapshot`` re-sends snapshots on the same sid (next seq) and
      leaves the subscription as it was.
    - Error precedence in ``update_subscription``: params (2), action present (15), one
      sid (12), known sid (7), rate (27), action supported by the channel (13).
    - Wrong JSON types of the envelope or of ``channels``/``sids`` are code 1; a malformed
      optional parameter is code 11.
    - Limits: 10,000 commands/s per connection and 100 updates/s per subscription (code
      27), 10,000 markets per subscription and 500,000 per connection (code 26).
    - Bounds on what one command may carry, checked before anything is registered, so a
      connection's memory and the work of one command stay bounded (docs/SECURITY.md):
      at most ``CHANNELS_PER_COMMAND_MAX`` channels, ``SIDS_PER_COMMAND_MAX`` sids and
      ``TICKERS_PER_COMMAND_MAX`` tickers or ids (code 26 for tickers, 11 otherwise),
      each ticker or id at most ``TICKER_CHARS_MAX`` characters (code 11; the refusal
      never echoes it); at most ``UNKNOWN_MARKETS_MAX`` tickers per subscription that
      name no market yet, and ``FEED_IDS_MAX`` index ids / underlyings per subscription
      (code 26); and at most ``TICKERS_PER_S`` tickers or ids handled per second per
      connection (code 27).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from augury.api.tutorials import channel_alias
from augury.api.ws.channels import CHANNELS, ChannelSpec
from augury.api.ws.connection import Connection, Subscription, TokenBucket
from augury.api.ws.hub import Hub
from augury.api.ws.protocol import (
    Command,
    ErrorCode,
    WsError,
    error_frame,
    feed_list_frame,
    list_frame,
    ok_frame,
    parse_command,
    subscribed_frame,
    unsubscribed_frame,
)
from augury.domain.limits import TICKER_MAX_LEN

__all__ = [
    "CHANNELS_PER_COMMAND_MAX",
    "COMMANDS_PER_S",
    "FEED_IDS_MAX",
    "MAX_MARKETS_PER_CONNECTION",
    "MAX_MARKETS_PER_SUBSCRIPTION",
    "SIDS_PER_COMMAND_MAX",
    "TICKERS_PER_COMMAND_MAX",
    "TICKERS_PER_S",
    "TICKER_CHARS_MAX",
    "UNKNOWN_MARKETS_MAX",
    "UPDATES_PER_S",
    "Session",
]

log = logging.getLogger(__name__)

COMMANDS_PER_S = 10_000
UPDATES_PER_S = 100
MAX_MARKETS_PER_SUBSCRIPTION = 10_000
MAX_MARKETS_PER_CONNECTION = 500_000
CHANNELS_PER_COMMAND_MAX = 32  # there are 14 channels
SIDS_PER_COMMAND_MAX = 100  # one sid per channel
TICKERS_PER_COMMAND_MAX = MAX_MARKETS_PER_SUBSCRIPTION
TICKER_CHARS_MAX = TICKER_MAX_LEN  # as REST: Kalshi's OpenAPI maxLength for tickers
UNKNOWN_MARKETS_MAX = 1_000  # tickers naming no market, per subscription
FEED_IDS_MAX = 1_000  # index_ids / underlying_tickers per subscription
TICKERS_PER_S = 100_000  # tickers and ids a connection may have handled per second

E = ErrorCode
_HANDLERS = {
    "subscribe": "_subscribe",
    "unsubscribe": "_unsubscribe",
    "update_subscription": "_update",
    "list_subscriptions": "_list",
}


def _list_of(
    value: object,
    kind: type,
    code: ErrorCode,
    most: int | None = None,
    too_many: ErrorCode = E.INVALID_PARAMETER,
) -> list[Any]:
    if not isinstance(value, list):
        raise WsError(code)
    if most is not None and len(value) > most:
        raise WsError(too_many)
    if not all(type(v) is kind for v in value):
        raise WsError(code)
    return value


def _names(value: object) -> list[str]:
    """A list of tickers or ids: at most ``TICKERS_PER_COMMAND_MAX``, each short enough."""
    names = _list_of(value, str, E.INVALID_PARAMETER, TICKERS_PER_COMMAND_MAX, E.MARKET_LIMIT)
    if any(len(name) > TICKER_CHARS_MAX for name in names):
        raise WsError(E.INVALID_PARAMETER)
    return names


def _flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise WsError(E.INVALID_PARAMETER)
    return value


def _tickers(params: dict[str, Any], one: str, many: str) -> list[str] | None:
    """Combine the single and list forms of a filter; None when neither was given."""
    single, plural = params.get(one), params.get(many)
    if single is None and plural is None:
        return None
    out: list[str] = []
    if single is not None:
        if not isinstance(single, str) or not single or len(single) > TICKER_CHARS_MAX:
            raise WsError(E.INVALID_PARAMETER)
        out.append(single)
    if plural is not None:
        out.extend(_names(plural))
    return list(dict.fromkeys(out))


def _check_shards(params: dict[str, Any]) -> None:
    factor, key = params.get("shard_factor"), params.get("shard_key")
    if factor is None:
        if key is not None:
            raise WsError(E.SHARD_FACTOR_REQUIRED)
        return
    if type(factor) is not int:
        raise WsError(E.INVALID_PARAMETER)
    if factor <= 0:
        raise WsError(E.SHARD_FACTOR_POSITIVE)
    if factor > 100:
        raise WsError(E.SHARD_FACTOR_MAX)
    if key is not None and (type(key) is not int or not 0 <= key < factor):
        raise WsError(E.SHARD_KEY_RANGE)


class Session:
    """Interprets the commands of one connection."""

    def __init__(self, hub: Hub, conn: Connection, clock: Callable[[], float]) -> None:
        self.hub = hub
        self.conn = conn
        self.clock = clock
        self.bucket = TokenBucket(COMMANDS_PER_S, COMMANDS_PER_S, clock())
        self.ticker_bucket = TokenBucket(TICKERS_PER_S, TICKERS_PER_S, clock())
        self.by_channel: dict[str, Subscription] = {}

    def handle(self, raw: str | bytes) -> None:
        """Process one frame; every outcome, error included, goes to the client."""
        cmd_id = 0
        try:
            command = parse_command(raw)
            cmd_id = command.id
            if not self.bucket.take(self.clock()):
                raise WsError(E.TOO_MANY_REQUESTS)
            # Handler names, not bound methods kept on self: a session holding its own
            # methods is a reference cycle, freed only by a full collection.
            name = _HANDLERS.get(command.cmd)
            if name is None:
                raise WsError(E.UNKNOWN_COMMAND)
            getattr(self, name)(command)
        except WsError as error:
            self.conn.push(
                error_frame(cmd_id or error.cmd_id, error.code, error.market_ticker, error.details)
            )
        except Exception:
            log.exception("WebSocket command failed")
            self.conn.push(error_frame(cmd_id, E.INTERNAL_ERROR))

    # --- subscribe -------------------------------------------------------------------------

    def _specs(self, params: dict[str, Any]) -> list[ChannelSpec]:
        channels = params.get("channels")
        if channels is None or channels == []:
            raise WsError(E.CHANNELS_REQUIRED)
        specs: dict[str, ChannelSpec] = {}
        for name in _list_of(channels, str, E.UNABLE_TO_PROCESS, CHANNELS_PER_COMMAND_MAX):
            spec = CHANNELS.get(name)
            if spec is None:
                # Tutorials' ``order_update``: user_orders under --compat, else a hint.
                alias, hint = channel_alias(name)
                spec = CHANNELS.get(alias) if alias is not None else None
                if spec is None:
                    raise WsError(E.UNKNOWN_CHANNEL, details=hint)
            specs[name] = spec
        if self.conn.user_id is None and any(spec.auth for spec in specs.values()):
            raise WsError(E.AUTH_REQUIRED)
        return list(specs.values())

    def _markets(self, spec: ChannelSpec, params: dict[str, Any]) -> list[str] | None:
        """Return the filter a channel gets from the params (None = every market)."""
        if spec.markets == "ignored":
            return None
        tickers = _tickers(params, "market_ticker", "market_tickers")
        ids = _tickers(params, "market_id", "market_ids")
        named = len(tickers or ()) + len(ids or ())
        if named and not self.ticker_bucket.take(self.clock(), named):
            raise WsError(E.TOO_MANY_REQUESTS)
        if ids is not None:
            if not spec.by_id:
                raise WsError(E.INVALID_PARAMETER)
            tickers = tickers or []
            for mid in ids:
                ticker = self.hub.ticker_for_id(mid)
                if ticker is None:
                    raise WsError(E.MARKET_NOT_FOUND)
                tickers.append(ticker)
            tickers = list(dict.fromkeys(tickers))
        if spec.markets == "required" and not tickers:
            raise WsError(E.MARKET_TICKER_REQUIRED)
        return tickers

    def _check_markets(self, spec: ChannelSpec, sub: Subscription | None, new: list[str]) -> None:
        current = sub.markets if sub is not None and sub.markets is not None else {}
        added = [t for t in new if t not in current]
        if len(current) + len(added) > MAX_MARKETS_PER_SUBSCRIPTION:
            raise WsError(E.MARKET_LIMIT)
        total = sum(len(s.markets) for s in self.conn.subs.values() if s.markets is not None)
        if total + len(added) > MAX_MARKETS_PER_CONNECTION:
            raise WsError(E.MARKET_LIMIT)
        markets = self.hub.exchange.markets
        if spec.name == "orderbook_delta":
            for ticker in added:
                if ticker not in markets:
                    raise WsError(E.MARKET_NOT_FOUND, ticker)
            return
        # Tickers of markets that do not exist (yet) cost memory and nothing else.
        unknown = sum(1 for t in added if t not in markets)
        if unknown and unknown + sum(1 for t in current if t not in markets) > UNKNOWN_MARKETS_MAX:
            raise WsError(E.MARKET_LIMIT)

    def _subscribe(self, command: Command) -> None:
        params = self._params(command)
        specs = self._specs(params)
        options = {name: _flag(params, name) for name in ("use_yes_price", "send_initial_snapshot")}
        skip_ack = _flag(params, "skip_ticker_ack")
        if any(spec.name == "communications" for spec in specs):
            _check_shards(params)
        for name in ("index_ids", "underlying_tickers"):
            if params.get(name) is not None and len(_names(params[name])) > FEED_IDS_MAX:
                raise WsError(E.MARKET_LIMIT)
        plans = []
        for spec in specs:
            markets = self._markets(spec, params)
            if markets is not None:
                self._check_markets(spec, self.by_channel.get(spec.name), markets)
            plans.append((spec, markets))
        # Everything is valid: from here on nothing refuses.
        for spec, markets in plans:
            sub = self.by_channel.get(spec.name)
            if sub is None:
                sub = self._new_subscription(spec, markets, params, options, skip_ack)
                added = list(sub.markets or ())
            else:
                added = self._widen(sub, markets)
            self.conn.push(subscribed_frame(command.id, spec.name, sub.sid))
            self._initial_messages(sub, added, options["send_initial_snapshot"])

    def _new_subscription(
        self,
        spec: ChannelSpec,
        markets: list[str] | None,
        params: dict[str, Any],
        options: dict[str, bool],
        skip_ack: bool,
    ) -> Subscription:
        conn = self.conn
        sub = Subscription(conn, conn.next_sid, spec)
        conn.next_sid += 1
        sub.markets = dict.fromkeys(markets) if markets is not None else None
        sub.use_yes_price = options["use_yes_price"]
        sub.skip_ticker_ack = skip_ack
        sub.bucket = TokenBucket(UPDATES_PER_S, UPDATES_PER_S, self.clock())
        for name in ("index_ids", "underlying_tickers", "shard_factor", "shard_key"):
            if params.get(name) is not None:
                sub.extra[name] = params[name]
        conn.subs[sub.sid] = sub
        self.by_channel[spec.name] = sub
        self.hub.register(sub)
        return sub

    def _widen(self, sub: Subscription, markets: list[str] | None) -> list[str]:
        """Merge a repeated subscribe into ``sub``; return the markets it gained."""
        if sub.markets is None:
            return []
        if markets is None:  # no filter now: the subscription covers every market
            self.hub.unregister(sub)
            sub.markets = None
            self.hub.register(sub)
            return []
        added = [t for t in markets if t not in sub.markets]
        sub.markets.update(dict.fromkeys(added))
        self.hub.index_markets(sub, added)
        return added

    def _initial_messages(self, sub: Subscription, tickers: list[str], tick: bool) -> None:
        if sub.channel == "orderbook_delta":
            for ticker in tickers:
                self.hub.send_snapshot(sub, ticker)
        elif sub.channel == "ticker" and tick:
            for ticker in tickers if sub.markets is not None else list(self.hub.exchange.markets):
                self.hub.send_ticker(sub, ticker)

    # --- unsubscribe, list -----------------------------------------------------------------

    def _params(self, command: Command) -> dict[str, Any]:
        if command.params is None:
            raise WsError(E.PARAMS_REQUIRED)
        return command.params

    def _unsubscribe(self, command: Command) -> None:
        sids = self._params(command).get("sids")
        if sids is None or sids == []:
            raise WsError(E.SIDS_REQUIRED)
        sids = list(dict.fromkeys(_list_of(sids, int, E.UNABLE_TO_PROCESS, SIDS_PER_COMMAND_MAX)))
        for sid in sids:
            if sid not in self.conn.subs:
                raise WsError(E.UNKNOWN_SID)
        for sid in sids:
            sub = self.conn.subs.pop(sid)
            self.hub.unregister(sub)
            del self.by_channel[sub.channel]
            self.conn.push(unsubscribed_frame(command.id, sid, sub.ack_seq))

    def _list(self, command: Command) -> None:
        subs = sorted(self.conn.subs.values(), key=lambda s: s.sid)
        self.conn.push(list_frame(command.id, [(s.channel, s.sid) for s in subs]))

    # --- update_subscription ---------------------------------------------------------------

    def _target(self, params: dict[str, Any]) -> Subscription:
        sid, sids = params.get("sid"), params.get("sids")
        if (sid is None) == (sids is None):
            raise WsError(E.EXACTLY_ONE_SID)
        if sids is not None:
            if not isinstance(sids, list) or len(sids) != 1:
                raise WsError(E.EXACTLY_ONE_SID)
            sid = sids[0]
        if type(sid) is not int:
            raise WsError(E.INVALID_PARAMETER)
        sub = self.conn.subs.get(sid)
        if sub is None:
            raise WsError(E.UNKNOWN_SID)
        return sub

    def _update(self, command: Command) -> None:
        params = self._params(command)
        action = params.get("action")
        if action is None or action == "":
            raise WsError(E.ACTION_REQUIRED)
        sub = self._target(params)
        assert sub.bucket is not None
        if not sub.bucket.take(self.clock()):
            raise WsError(E.TOO_MANY_REQUESTS)
        if not isinstance(action, str) or action not in sub.spec.actions:
            raise WsError(E.UNSUPPORTED_ACTION)
        if action in ("add_markets", "delete_markets"):
            self._change_markets(command, sub, params, action == "add_markets")
        elif action == "get_snapshot":
            self._get_snapshot(sub, params)
        else:
            self._feed_action(command, sub, params, action)

    def _change_markets(
        self, command: Command, sub: Subscription, params: dict[str, Any], add: bool
    ) -> None:
        tickers = self._markets(sub.spec, params)
        if not tickers:
            raise WsError(E.MARKET_TICKER_REQUIRED)
        added: list[str] = []
        if add:
            self._check_markets(sub.spec, sub, tickers)
            added = self._widen(sub, tickers)
        elif sub.markets is not None:
            gone = [t for t in tickers if t in sub.markets]
            self.hub.unindex_markets(sub, gone)
            for ticker in gone:
                del sub.markets[ticker]
        msg = None
        if sub.markets is not None and not sub.skip_ticker_ack:
            msg = {"market_tickers": list(sub.markets)}
        self.conn.push(ok_frame(command.id, sub.sid, sub.ack_seq, msg))
        self._initial_messages(sub, added, _flag(params, "send_initial_snapshot"))

    def _get_snapshot(self, sub: Subscription, params: dict[str, Any]) -> None:
        tickers = _tickers(params, "market_ticker", "market_tickers")
        subscribed = list(sub.markets or ())
        if not tickers:
            tickers = subscribed
        for ticker in tickers:
            if ticker not in subscribed:
                raise WsError(E.INVALID_PARAMETER, ticker)
        for ticker in tickers:
            self.hub.send_snapshot(sub, ticker)

    def _feed_action(
        self, command: Command, sub: Subscription, params: dict[str, Any], action: str
    ) -> None:
        """The index-feed actions: Augury has no such feeds, so the lists stay empty."""
        is_index = sub.channel == "cfbenchmarks_value"
        key = "index_ids" if is_index else "underlying_tickers"
        if action in ("indexlist", "underlying_list"):
            kind = "cfbenchmarks_value_indexlist" if is_index else "pyth_value_underlying_list"
            sub.seq += 1
            self.conn.push(feed_list_frame(command.id, kind, sub.sid, sub.seq, {key: []}))
            return
        values = params.get(key)
        if not values:
            code = E.INDEX_IDS_REQUIRED if is_index else E.UNDERLYING_TICKERS_REQUIRED
            raise WsError(code)
        values = _names(values)
        current = sub.extra.get(key)
        held = list(current) if isinstance(current, list) else []
        if action.startswith("subscribe"):
            held = list(dict.fromkeys([*held, *values]))
            if len(held) > FEED_IDS_MAX:
                raise WsError(E.MARKET_LIMIT)
        else:
            gone = set(values)
            held = [v for v in held if v not in gone]
        sub.extra[key] = held
        self.conn.push(ok_frame(command.id, sub.sid, sub.ack_seq, {key: held}))
