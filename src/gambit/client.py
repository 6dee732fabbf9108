"""An async Python client for gambit: the REST faces and the WebSocket, for bots and tools.

    async with GambitClient("http://localhost:8080") as gambit:
        await gambit.login("alice", "SecurePass123")
        battle = await gambit.create_battle("duel", [{"type": "human"}, {"type": "ai"}])
        async with gambit.socket() as socket:
            async for event in socket.events():
                ...

The socket follows seed 000's reconnect policy: when the connection drops it tries again
up to 5 times, 1000 ms apart, and resumes its session with ``reconnect`` so that no
event is lost; if the server can no longer resume, the ``reconnect`` event it yields
says ``resumed: false`` and the caller should fetch the state again.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

EventName = Literal[
    "connect",
    "disconnect",
    "reconnect",
    "error",
    "auth",
    "subscribe",
    "unsubscribe",
    "game:start",
    "game:action",
    "game:update",
    "game:end",
    "ai:thinking",
    "ai:action",
    "ai:error",
    "ai:ready",
    "system:maintenance",
    "system:error",
    "system:restart",
    "system:update",
]

RECONNECT_ATTEMPTS = 5
RECONNECT_DELAY = 1.0  # seconds


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One message from the server: ``{"event", "data", "seq", "ts"}``."""

    event: EventName
    data: dict[str, Any]
    seq: int
    ts: int


class GambitError(Exception):
    """An error answer from the server, with its status and error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class GambitClient:
    """The REST API, signed in once ``register`` or ``login`` has run."""

    def __init__(self, base_url: str = "http://localhost:8080", token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.user_id: str | None = None
        self._http = httpx.AsyncClient(base_url=self.base_url + "/api/v1", timeout=30)

    async def __aenter__(self) -> GambitClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    # Accounts

    async def register(self, username: str, password: str, email: str | None = None) -> Any:
        body = {"username": username, "password": password, "email": email}
        return self._signed_in(await self.request("POST", "/auth/register", body))

    async def login(self, identifier: str, password: str) -> Any:
        body = {"identifier": identifier, "password": password}
        return self._signed_in(await self.request("POST", "/auth/login", body))

    # Battles

    async def create_battle(
        self, game: str, seats: list[Mapping[str, Any]], options: Mapping[str, Any] | None = None
    ) -> Any:
        body = {"game": game, "seats": seats, "options": options}
        return await self.request("POST", "/battles", body)

    async def battle(self, battle_id: str) -> Any:
        return await self.request("GET", f"/battles/{battle_id}")

    async def join(self, battle_id: str) -> Any:
        return await self.request("POST", f"/battles/{battle_id}/join")

    async def act(self, battle_id: str, action: Mapping[str, Any]) -> Any:
        return await self.request("POST", f"/battles/{battle_id}/actions", {"action": action})

    async def forfeit(self, battle_id: str) -> Any:
        return await self.request("POST", f"/battles/{battle_id}/forfeit")

    async def state(self, battle_id: str | None = None) -> Any:
        params = {"battleId": battle_id} if battle_id else None
        return await self.request("GET", "/state", params=params)

    async def ai_action(self, **body: Any) -> Any:
        """``battleId=…`` or ``game=…, state=…``; ``level``, ``searchTime``."""
        return await self.request("POST", "/ai/action", body)

    async def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """Any endpoint under ``/api/v1``; raises `GambitError` on an error answer."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        json_body = {k: v for k, v in body.items() if v is not None} if body else None
        response = await self._http.request(
            method, path, json=json_body, params=params, headers=headers
        )
        if response.status_code >= 400:
            error = response.json()
            raise GambitError(response.status_code, error.get("code", ""), error.get("message", ""))
        return response.json()

    def _signed_in(self, session: Any) -> Any:
        self.token, self.user_id = session["token"], session["userId"]
        return session

    # The socket

    @asynccontextmanager
    async def socket(self) -> AsyncIterator[Socket]:
        socket = Socket(self.base_url, self.token)
        await socket.open()
        try:
            yield socket
        finally:
            await socket.close()


class Socket:
    """The WebSocket, resumed across drops; read it with ``events()``."""

    def __init__(self, base_url: str, token: str | None) -> None:
        scheme, _, rest = base_url.partition("://")
        self._url = f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/v1/ws"
        self._token = token
        self._connection: ClientConnection | None = None
        self._pending: deque[ServerEvent] = deque()  # replayed, not yet yielded
        self._closing = False
        self.session_id: str | None = None
        self.last_seq = 0

    async def open(self) -> None:
        hello = await self._connect()
        self.session_id, self.last_seq = hello.data["sessionId"], hello.seq

    async def close(self) -> None:
        self._closing = True
        if self._connection is not None:
            await self._connection.close()

    async def send(self, event: str, data: Mapping[str, Any] | None = None) -> None:
        """Send one event; if the connection is down, once it has been resumed."""
        message = json.dumps({"event": event, "data": dict(data or {})})
        try:
            assert self._connection is not None
            await self._connection.send(message)
        except ConnectionClosed:
            await self._resume()
            assert self._connection is not None
            await self._connection.send(message)

    async def act(self, battle_id: str, action: Mapping[str, Any]) -> None:
        await self.send("game:action", {"battleId": battle_id, "action": action})

    async def subscribe(self, battle_id: str) -> None:
        await self.send("subscribe", {"battleId": battle_id})

    async def unsubscribe(self, battle_id: str) -> None:
        await self.send("unsubscribe", {"battleId": battle_id})

    async def events(self) -> AsyncIterator[ServerEvent]:
        """Every event, in order, across reconnects; ends when the connection is closed
        on purpose (by ``close``, a goodbye, or the server after five failed tries)."""
        while True:
            if self._pending:
                event = self._pending.popleft()
            else:
                assert self._connection is not None
                try:
                    event = _event(await self._connection.recv())
                except ConnectionClosed as closed:
                    if self._closing or (closed.rcvd is not None and closed.rcvd.code == 1000):
                        return
                    await self._resume()
                    continue
            self.last_seq = max(self.last_seq, event.seq)
            yield event

    async def _connect(self) -> ServerEvent:
        """A new connection; its ``connect`` event."""
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else None
        self._connection = await connect(self._url, additional_headers=headers)
        return _event(await self._connection.recv())

    async def _resume(self) -> None:
        """Reconnect (5 tries, 1 s apart) and ask for the session back. The missed
        events, then the server's ``reconnect`` answer, are queued for ``events()``."""
        for attempt in range(1, RECONNECT_ATTEMPTS + 1):
            await asyncio.sleep(RECONNECT_DELAY)
            try:
                await self._connect()
                request = {"sessionId": self.session_id, "lastSeq": self.last_seq}
                assert self._connection is not None
                await self._connection.send(json.dumps({"event": "reconnect", "data": request}))
                while (event := _event(await self._connection.recv())).event != "reconnect":
                    self._pending.append(event)
            except (OSError, ConnectionClosed):
                if attempt == RECONNECT_ATTEMPTS:
                    raise
                continue
            if not event.data.get("resumed"):
                # A new session: its numbering starts over.
                self.session_id, self.last_seq = event.data["sessionId"], 0
            self._pending.append(event)
            return


def _event(raw: str | bytes) -> ServerEvent:
    message = json.loads(raw)
    return ServerEvent(message["event"], message["data"], message["seq"], message["ts"])
