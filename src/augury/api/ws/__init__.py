"""The Kalshi WebSocket API (``/trade-api/ws/v2``), fed by the sequencer's events.

``hub.Hub`` is the sequencer sink and the registry of connections; ``endpoint.routes``
holds the endpoint; ``transport.AuguryWebSocketProtocol`` is the uvicorn protocol
``augury serve`` runs (Kalshi heartbeat pings, no compression, batched frame writes);
``messages`` are the message shapes, built by ``augury.api.render``.

The package imports none of its modules itself, so the renderers can use ``messages``
without loading the hub.
"""
