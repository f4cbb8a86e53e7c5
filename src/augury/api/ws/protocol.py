"""The WebSocket command protocol: envelopes, numbered errors and reply frames.

Commands arrive as ``{"id": <int>, "cmd": "<name>", "params": {…}}`` (CONTRACT §8.3).
``parse_command`` turns one text frame into a :class:`Command` or raises :class:`WsError`
with the numbered code the client matches on. Replies are built here as JSON bytes:

- ``subscribed`` — ``{"id", "type": "subscribed", "msg": {"channel", "sid"}}``, one per channel;
- ``unsubscribed`` — ``{"id", "sid", "seq", "type": "unsubscribed"}``, one per sid;
- ``ok`` — ``{"id", "sid", "seq", "type": "ok", "msg": {"market_tickers": […]}}`` after an
  update, and ``{"id", "type": "ok", "msg": [{"channel", "sid"}, …]}`` (an **array**) for
  ``list_subscriptions``;
- ``error`` — ``{"id", "type": "error", "msg": {"code", "msg", "market_ticker"?}}``.

Invariants
    - Every error text is the verbatim text of CONTRACT §8.6 / the AsyncAPI enum; clients
      compare them (e.g. ``"Exactly one subscription ID is required"``).
    - An ``id`` of 0 means "no id" (AsyncAPI ``commandId``), so replies leave it out.
    - Parsing never raises anything but ``WsError``: a frame that is not JSON, not an
      object, nested deeper than ``JSON_DEPTH_MAX`` levels (checked before decoding, as
      for REST bodies), or has a mistyped ``id``/``cmd``/``params`` is code 1.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import msgspec

from augury.api.body_guard import json_too_deep

__all__ = [
    "ERROR_TEXT",
    "JSON_DEPTH_MAX",
    "Command",
    "ErrorCode",
    "WsError",
    "error_frame",
    "feed_list_frame",
    "list_frame",
    "ok_frame",
    "parse_command",
    "subscribed_frame",
    "unsubscribed_frame",
]


class ErrorCode(IntEnum):
    """Kalshi's numbered WebSocket errors (AsyncAPI 2026-08-22, §8.6)."""

    UNABLE_TO_PROCESS = 1
    PARAMS_REQUIRED = 2
    CHANNELS_REQUIRED = 3
    SIDS_REQUIRED = 4
    UNKNOWN_COMMAND = 5
    ALREADY_SUBSCRIBED = 6  # retired: subscribe is idempotent; kept for the table only
    UNKNOWN_SID = 7
    UNKNOWN_CHANNEL = 8
    AUTH_REQUIRED = 9
    CHANNEL_ERROR = 10
    INVALID_PARAMETER = 11
    EXACTLY_ONE_SID = 12
    UNSUPPORTED_ACTION = 13
    MARKET_TICKER_REQUIRED = 14
    ACTION_REQUIRED = 15
    MARKET_NOT_FOUND = 16
    INTERNAL_ERROR = 17
    COMMAND_TIMEOUT = 18
    SHARD_FACTOR_POSITIVE = 19
    SHARD_FACTOR_REQUIRED = 20
    SHARD_KEY_RANGE = 21
    SHARD_FACTOR_MAX = 22
    MATCH_IDS_REQUIRED = 23
    INDEX_IDS_REQUIRED = 24
    BUFFER_OVERFLOW = 25
    MARKET_LIMIT = 26
    TOO_MANY_REQUESTS = 27
    UNDERLYING_TICKERS_REQUIRED = 28


ERROR_TEXT: dict[ErrorCode, str] = {
    ErrorCode.UNABLE_TO_PROCESS: "Unable to process message",
    ErrorCode.PARAMS_REQUIRED: "Params required",
    ErrorCode.CHANNELS_REQUIRED: "Channels required",
    ErrorCode.SIDS_REQUIRED: "Subscription IDs required",
    ErrorCode.UNKNOWN_COMMAND: "Unknown command",
    ErrorCode.ALREADY_SUBSCRIBED: "Already subscribed",
    ErrorCode.UNKNOWN_SID: "Unknown subscription ID",
    ErrorCode.UNKNOWN_CHANNEL: "Unknown channel name",
    ErrorCode.AUTH_REQUIRED: "Authentication required",
    ErrorCode.CHANNEL_ERROR: "Channel error",
    ErrorCode.INVALID_PARAMETER: "Invalid parameter",
    ErrorCode.EXACTLY_ONE_SID: "Exactly one subscription ID is required",
    ErrorCode.UNSUPPORTED_ACTION: "Unsupported action",
    ErrorCode.MARKET_TICKER_REQUIRED: "Market Ticker required",
    ErrorCode.ACTION_REQUIRED: "Action required",
    ErrorCode.MARKET_NOT_FOUND: "Market not found",
    ErrorCode.INTERNAL_ERROR: "Internal error",
    ErrorCode.COMMAND_TIMEOUT: "Command timeout",
    ErrorCode.SHARD_FACTOR_POSITIVE: "shard_factor must be > 0",
    ErrorCode.SHARD_FACTOR_REQUIRED: "shard_factor is required when shard_key is set",
    ErrorCode.SHARD_KEY_RANGE: "shard_key must be >= 0 and < shard_factor",
    ErrorCode.SHARD_FACTOR_MAX: "shard_factor must be <= 100",
    ErrorCode.MATCH_IDS_REQUIRED: "Match IDs required",
    ErrorCode.INDEX_IDS_REQUIRED: "Index IDs required",
    ErrorCode.BUFFER_OVERFLOW: "Subscription buffer overflow",
    ErrorCode.MARKET_LIMIT: "Subscription market limit exceeded",
    ErrorCode.TOO_MANY_REQUESTS: "Too many requests",
    ErrorCode.UNDERLYING_TICKERS_REQUIRED: "Underlying tickers required",
}


class WsError(Exception):
    """A command refused with a numbered code; ``market_ticker`` names the culprit."""

    def __init__(
        self,
        code: ErrorCode,
        market_ticker: str | None = None,
        *,
        cmd_id: int = 0,
        details: str | None = None,
    ) -> None:
        super().__init__(ERROR_TEXT[code])
        self.code = code
        self.market_ticker = market_ticker
        self.cmd_id = cmd_id
        self.details = details  # how to fix it (issue 16); the code and text stay Kalshi's


class Command:
    """One parsed command envelope."""

    __slots__ = ("cmd", "id", "params")

    def __init__(self, cmd_id: int, cmd: str, params: dict[str, Any] | None) -> None:
        self.id = cmd_id
        self.cmd = cmd
        self.params = params


JSON_DEPTH_MAX = 32  # as ServerLimits.json_depth_max; a command nests three levels
_DECODER = msgspec.json.Decoder()
_ENCODER = msgspec.json.Encoder()


def parse_command(raw: str | bytes) -> Command:
    """Decode one frame into a command envelope (errors carry the frame's id if any)."""
    data_bytes = raw.encode() if isinstance(raw, str) else raw
    if json_too_deep(data_bytes, JSON_DEPTH_MAX):
        raise WsError(ErrorCode.UNABLE_TO_PROCESS)
    try:
        data = _DECODER.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise WsError(ErrorCode.UNABLE_TO_PROCESS) from None
    if not isinstance(data, dict):
        raise WsError(ErrorCode.UNABLE_TO_PROCESS)
    cmd_id = data.get("id", 0)
    if cmd_id is None:
        cmd_id = 0
    # bool is an int subclass in Python but not a JSON integer: refuse it.
    if type(cmd_id) is not int or cmd_id < 0:
        raise WsError(ErrorCode.UNABLE_TO_PROCESS)
    cmd = data.get("cmd")
    if cmd is None:
        raise WsError(ErrorCode.UNKNOWN_COMMAND, cmd_id=cmd_id)
    if not isinstance(cmd, str):
        raise WsError(ErrorCode.UNABLE_TO_PROCESS, cmd_id=cmd_id)
    params = data.get("params")
    if params is not None and not isinstance(params, dict):
        raise WsError(ErrorCode.UNABLE_TO_PROCESS, cmd_id=cmd_id)
    return Command(cmd_id, cmd, params)


def _with_id(cmd_id: int, body: dict[str, Any]) -> bytes:
    if cmd_id:
        return _ENCODER.encode({"id": cmd_id, **body})
    return _ENCODER.encode(body)


def error_frame(
    cmd_id: int, code: ErrorCode, market_ticker: str | None = None, details: str | None = None
) -> bytes:
    """Build an ``error`` reply (``details``, when given, is an extra key clients ignore)."""
    msg: dict[str, Any] = {"code": int(code), "msg": ERROR_TEXT[code]}
    if market_ticker is not None:
        msg["market_ticker"] = market_ticker
    if details is not None:
        msg["details"] = details
    return _with_id(cmd_id, {"type": "error", "msg": msg})


def subscribed_frame(cmd_id: int, channel: str, sid: int) -> bytes:
    """Build the ``subscribed`` acknowledgement for one channel."""
    return _with_id(cmd_id, {"type": "subscribed", "msg": {"channel": channel, "sid": sid}})


def unsubscribed_frame(cmd_id: int, sid: int, seq: int) -> bytes:
    """Build the ``unsubscribed`` acknowledgement for one sid."""
    return _with_id(cmd_id, {"sid": sid, "seq": seq, "type": "unsubscribed"})


def ok_frame(cmd_id: int, sid: int, seq: int, msg: dict[str, Any] | None) -> bytes:
    """Build the ``ok`` reply to ``update_subscription``."""
    body: dict[str, Any] = {"sid": sid, "seq": seq, "type": "ok"}
    if msg is not None:
        body["msg"] = msg
    return _with_id(cmd_id, body)


def list_frame(cmd_id: int, subscriptions: list[tuple[str, int]]) -> bytes:
    """Build the ``list_subscriptions`` reply: ``type`` ok with an array ``msg``."""
    items = [{"channel": channel, "sid": sid} for channel, sid in subscriptions]
    return _with_id(cmd_id, {"type": "ok", "msg": items})


def feed_list_frame(cmd_id: int, kind: str, sid: int, seq: int, msg: dict[str, Any]) -> bytes:
    """Build the reply to ``indexlist`` / ``underlying_list`` (a data message with ``seq``)."""
    return _with_id(cmd_id, {"type": kind, "sid": sid, "seq": seq, "msg": msg})
