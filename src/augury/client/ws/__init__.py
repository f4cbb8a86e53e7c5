"""The WebSocket side of the client: ``WsClient``, local books, reconnect backoff."""

from augury.client.ws.backoff import Backoff
from augury.client.ws.book import LocalBook
from augury.client.ws.client import WsClient, WsCommandError, WsStats

__all__ = ["Backoff", "LocalBook", "WsClient", "WsCommandError", "WsStats"]
