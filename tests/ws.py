"""A small WebSocket test client: connect to a live server, send events, await events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class Socket:
    """One connection; ``expect`` skips events it was not asked for and keeps them."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.seen: list[dict[str, Any]] = []

    async def send(self, event: str, data: Any = None) -> None:
        await self.connection.send(json.dumps({"event": event, "data": data or {}}))

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        message = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
        self.seen.append(message)
        return dict(message)

    async def expect(self, event: str, timeout: float = 10, **match: Any) -> dict[str, Any]:
        """The next ``event`` whose data has the ``match`` items."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no {event} {match}; saw {[m['event'] for m in self.seen]}")
            message = await self.next(left)
            data = message["data"]
            if message["event"] == event and all(data.get(k) == v for k, v in match.items()):
                return message

    async def quiet(self, seconds: float = 0.3) -> list[dict[str, Any]]:
        """Whatever arrives within ``seconds``."""
        got = []
        while True:
            try:
                got.append(await self.next(seconds))
            except TimeoutError:
                return got


def ws_url(http_url: str, token: str | None = None) -> str:
    url = http_url.replace("http", "ws", 1) + "/api/v1/ws"
    return f"{url}?token={token}" if token else url


@asynccontextmanager
async def open_socket(
    http_url: str, token: str | None = None, **kwargs: Any
) -> AsyncIterator[Socket]:
    async with connect(ws_url(http_url, token), **kwargs) as connection:
        socket = Socket(connection)
        connected = await socket.next()
        assert connected["event"] == "connect", connected
        yield socket
