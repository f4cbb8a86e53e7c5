"""The Kalshi WebSocket API (``/trade-api/ws/v2``), fed by the sequencer's events.

``Hub`` is the sequencer sink and the registry of connections; ``routes`` holds the
endpoint; ``augury.api.ws.transport.AuguryWebSocketProtocol`` is the uvicorn protocol
``augury serve`` runs (Kalshi heartbeat pings, no compression, batched frame writes).
"""

from augury.api.ws.endpoint import WS_PATH, routes, websocket_endpoint
from augury.api.ws.hub import DEFAULT_BUFFER_BYTES, Hub

__all__ = ["DEFAULT_BUFFER_BYTES", "WS_PATH", "Hub", "routes", "websocket_endpoint"]
