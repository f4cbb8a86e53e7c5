"""The ASGI app mounted at ``/seed/v1``: REST requests and the ``/ws`` WebSocket."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from augury.seed.rest import SeedRest
from augury.seed.settings import SeedSettings
from augury.seed.ws import SeedHub

__all__ = ["SEED_PREFIX", "SeedApp"]

SEED_PREFIX = "/seed/v1"


class SeedApp:
    """One server's seed API: its REST pipeline (with its limits) and its WebSocket hub."""

    def __init__(self, settings: SeedSettings) -> None:
        self.settings = settings
        self.rest = SeedRest(settings)
        self.hub = SeedHub(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root.endswith(SEED_PREFIX) and path.startswith(root):
            path = path[len(root) :]
        elif path.startswith(SEED_PREFIX):
            path = path[len(SEED_PREFIX) :]
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive, send)
            if path == "/ws":
                await self.hub.serve(websocket)
            else:
                await websocket.close(code=1008)
            return
        if scope["type"] != "http":
            return
        response = await self.rest.respond(Request(scope, receive), path)
        await response(scope, receive, send)
