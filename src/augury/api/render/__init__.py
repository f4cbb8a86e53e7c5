"""One renderer per wire noun: engine events, read-side views and history rows rendered in
Kalshi's 3.34 shapes.

Each noun has one module, and every shape of that noun lives there, whoever sends it: the
REST v2 body, the legacy v1 courtesy fields, the WebSocket message and the historical
tier. ``order``, ``fill``, ``trade``, ``position``, ``balance``, ``settlement``, ``cash``
(deposits, withdrawals, transfers), ``market`` (markets, tickers, lifecycle), ``event``
(series and events), ``book``, ``candle``, ``group`` and ``key``.

Rules, for every function here (CONTRACT §4, §8.5, §11.4):

- pure conversions, no I/O: integer units in (``*_cc``, ``*_c``, ``*_ns``), Kalshi's
  strings out (``dollars_cc_to_str``, ``count_c_to_str``, RFC 3339 times);
- prices are the YES price unless a field says ``no_`` (then ``$1 - yes``); an empty book
  side reads bid ``0`` and ask ``$1``;
- an order's or fill's outcome side follows its book side (``bid`` buys YES);
- legacy integer courtesy fields (cents, whole contracts) are floored from the same
  values (``legacy_cents``, ``legacy_contracts``) and sent alongside;
- WebSocket bodies are returned as encoded JSON bytes (the hub encodes each once).
"""
