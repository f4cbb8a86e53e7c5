"""A WebSocket proxy for tests that injects faults between a client and the real server.

It forwards the client's signed handshake headers upstream (the signature covers the path
only, so it stays valid) and pumps frames both ways. While ``faults`` are on, each
``orderbook_delta`` frame from the server is dropped with probability ``drop_p`` (a seq
gap for the client) and the client's connection is cut with probability ``kill_p`` per
frame (a disconnect). Randomness comes from the seeded ``rng``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed


@dataclass
class FaultProxy:
    upstream: str
    rng: random.Random
    drop_p: float = 0.0
    kill_p: float = 0.0
    dropped: int = 0
    killed: int = 0
    server: Server | None = None
    port: int = 0
    _conns: set[ServerConnection] = field(default_factory=set)

    async def start(self) -> None:
        self.server = await serve(self._handle, "127.0.0.1", 0, compression=None)
        self.port = next(iter(self.server.sockets)).getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def calm(self) -> None:
        self.drop_p = self.kill_p = 0.0

    async def _handle(self, client: ServerConnection) -> None:
        request = client.request
        assert request is not None
        headers = {k: v for k, v in request.headers.raw_items() if k.lower().startswith("kalshi-")}
        async with connect(
            self.upstream + request.path, additional_headers=headers, compression=None
        ) as server:

            async def down() -> None:
                async for frame in server:
                    text = frame if isinstance(frame, str) else frame.decode()
                    if self.kill_p and self.rng.random() < self.kill_p:
                        self.killed += 1
                        await client.close()
                        return
                    if (
                        self.drop_p
                        and '"type":"orderbook_delta"' in text
                        and self.rng.random() < self.drop_p
                    ):
                        self.dropped += 1
                        continue
                    await client.send(text)

            async def up() -> None:
                async for frame in client:
                    await server.send(frame)

            tasks = [asyncio.ensure_future(down()), asyncio.ensure_future(up())]
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
