"""``GET /api/v1/ws``: seed 000's WebSocket protocol.

Text frames of JSON only, each ``{"event", "data"}`` from the client and
``{"event", "data", "seq", "ts"}`` from the server. Sign in with ``?token=``, an
``Authorization: Bearer`` header or a first ``auth`` event; without a token a connection
may only watch. Frames the protocol cannot take close the connection (binary 1003, over
16 KB 1009, invalid UTF-8 or JSON 1007) after an ``error`` event; a bad request inside
good JSON, or one the server fails on, gets an ``error`` event and the connection stays
open.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from limits import RateLimitItem
from limits.aio.strategies import MovingWindowRateLimiter

from gambit.api.deps import Services
from gambit.api.errors import BATTLE_FACE_ERRORS, status_and_code
from gambit.api.ws.hub import Hub, Session
from gambit.bus import Event, battle_topic
from gambit.metrics import RATE_LIMITED
from gambit.services.arena import seat_of
from gambit.services.errors import ServiceError, Unauthorized
from gambit.services.tournaments import tournament_topic
from gambit.store.errors import RETRY_AFTER_SECONDS, StorageUnavailable, is_outage

log = logging.getLogger(__name__)

router = APIRouter()

MAX_MESSAGE_BYTES = 16 * 1024
CLOSE_UNSUPPORTED, CLOSE_INVALID, CLOSE_TOO_BIG = 1003, 1007, 1009


class ClientError(Exception):
    """A request over the socket that is refused; the connection stays open."""

    def __init__(self, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


class Closing(Exception):
    """A frame the protocol cannot take: say why, then close with ``close_code``."""

    def __init__(self, close_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.close_code, self.code, self.message = close_code, code, message


Handler = Callable[["Client", dict[str, Any]], Awaitable[None]]


class Client:
    """One connection's conversation: reads frames, answers requests."""

    def __init__(self, websocket: WebSocket, services: Services, hub: Hub) -> None:
        self.websocket = websocket
        self.services = services
        self.hub = hub
        self.session: Session = hub.open(websocket, None)
        self._token: str | None = None
        self.limiter: MovingWindowRateLimiter = websocket.app.state.limiter
        self.action_limit: RateLimitItem = services.settings.limit("game_actions")

    async def run(self) -> None:
        settings = self.services.settings
        token = _token_of(self.websocket)
        refused: Unauthorized | None = None
        if token is not None:
            try:
                await self._sign_in(token)
            except Unauthorized as exc:
                refused = exc  # said after connect; the connection may still watch
        self.hub.send(
            self.session,
            "connect",
            {
                "sessionId": self.session.id,
                "userId": self.session.user_id,
                "heartbeat": {
                    "pingInterval": int(settings.ws_ping_interval * 1000),
                    "pongTimeout": int(settings.ws_pong_timeout * 1000),
                },
                "limits": {
                    "maxMessageBytes": MAX_MESSAGE_BYTES,
                    "gameActionsPerMinute": self.action_limit.amount,
                    "resumeSeconds": settings.ws_resume_seconds,
                    "resumeEvents": settings.ws_resume_events,
                    "queueSize": settings.ws_queue_size,
                },
            },
        )
        if refused is not None:
            self._error("UNAUTHORIZED", refused.message, refused.details)
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                try:
                    request = _parse(message)
                    await self._handle(request)
                except ClientError as exc:
                    self._error(exc.code, exc.message, exc.details)
        except Closing as exc:
            self._error(exc.code, exc.message)
            self.hub.send(self.session, "disconnect", {"reason": exc.message})
            await self._close(exc.close_code)
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            await self._leave()

    async def _handle(self, request: dict[str, Any]) -> None:
        name, data = request["event"], request["data"]
        handler = HANDLERS.get(name)
        if handler is None:
            raise ClientError(
                "UNKNOWN_EVENT", f"unknown event {name!r}", f"send one of {', '.join(HANDLERS)}"
            )
        try:
            await handler(self, data)
        except (ClientError, WebSocketDisconnect):
            raise
        except Exception as exc:  # whatever a request runs into, the connection stays
            if isinstance(exc, StorageUnavailable) or is_outage(exc):
                raise ClientError(
                    "STORAGE_UNAVAILABLE",
                    "the change could not be stored; nothing was changed",
                    f"retry in {RETRY_AFTER_SECONDS} s",
                ) from None
            log.exception("socket request %s failed", name)
            raise ClientError("INTERNAL_ERROR", "internal server error") from None

    # Requests

    async def auth(self, data: dict[str, Any]) -> None:
        token = data.get("token")
        if not isinstance(token, str):
            raise ClientError("INVALID_MESSAGE", "auth needs a token", 'send {"token": "..."}')
        try:
            await self._sign_in(token)
        except Unauthorized as exc:
            raise ClientError("UNAUTHORIZED", exc.message, exc.details) from None
        self.hub.send(self.session, "auth", {"userId": self.session.user_id})

    async def subscribe(self, data: dict[str, Any]) -> None:
        if "tournamentId" in data:
            tournament = await self._tournament(data)
            self.hub.subscribe(self.session, tournament_topic(tournament))
            self.hub.send(self.session, "subscribe", {"tournamentId": tournament})
            return
        battle = await self._battle(data)
        self.hub.subscribe(self.session, battle_topic(battle))
        self.hub.send(self.session, "subscribe", {"battleId": battle})

    async def unsubscribe(self, data: dict[str, Any]) -> None:
        if "tournamentId" in data:
            tournament = data["tournamentId"]
            if not isinstance(tournament, str):
                raise ClientError("INVALID_MESSAGE", "tournamentId must be a string")
            self.hub.unsubscribe(self.session, tournament_topic(tournament))
            self.hub.send(self.session, "unsubscribe", {"tournamentId": tournament})
            return
        battle = _battle_id(data)
        self.hub.unsubscribe(self.session, battle_topic(battle))
        self.hub.send(self.session, "unsubscribe", {"battleId": battle})

    async def act(self, data: dict[str, Any]) -> None:
        user_id = self.session.user_id
        if user_id is None or self._token is None:
            raise ClientError("UNAUTHORIZED", "sign in to play", "anonymous sockets may watch")
        try:  # the token may have expired, or been revoked, since it signed the socket in
            await self.services.accounts.authenticate(self._token)
        except Unauthorized as exc:
            raise ClientError(
                "UNAUTHORIZED", exc.message, "send auth with a fresh token to play on"
            ) from None
        battle_id = await self._battle(data)
        action = data.get("action")
        if not isinstance(action, dict):
            raise ClientError("INVALID_MESSAGE", "game:action needs an action object")
        limited = self.services.settings.rate_limit_enabled
        if limited and not await self.limiter.hit(
            self.action_limit, "game_actions", f"user:{user_id}"
        ):
            RATE_LIMITED.labels("game_actions").inc()
            raise ClientError(
                "RATE_LIMIT_EXCEEDED",
                "rate limit exceeded",
                f"at most {self.action_limit.amount} game actions per minute",
            )
        try:
            await self.services.arena.act(battle_id, user_id, action)
        except ServiceError as exc:
            _, code = status_and_code(BATTLE_FACE_ERRORS, exc)
            raise ClientError(code, exc.message, exc.details) from None
        self.hub.subscribe(self.session, battle_topic(battle_id))

    async def reconnect(self, data: dict[str, Any]) -> None:
        session_id, last_seq = data.get("sessionId"), data.get("lastSeq")
        if not isinstance(session_id, str) or not isinstance(last_seq, int):
            raise ClientError("INVALID_MESSAGE", "reconnect needs sessionId and lastSeq")
        resumed = self.hub.resume(self.session, session_id, last_seq)
        if resumed is None:
            self.hub.send(
                self.session,
                "reconnect",
                {
                    "resumed": False,
                    "sessionId": self.session.id,
                    "reason": "the session is gone or its events are past the resume window; "
                    "fetch the state again",
                },
            )
            return
        self.session = resumed
        self.hub.send(resumed, "reconnect", {"resumed": True, "sessionId": resumed.id})

    async def disconnect(self, data: dict[str, Any]) -> None:
        self.hub.send(self.session, "disconnect", {"reason": "you said goodbye"})
        await self._close(1000)
        raise WebSocketDisconnect(1000)

    # Helpers

    async def _sign_in(self, token: str) -> None:
        """Sign the socket in, or give it a fresh token of the same user."""
        claims = await self.services.accounts.authenticate(token)
        if self.session.user_id is not None:
            if claims.user_id != self.session.user_id:
                raise ClientError("INVALID_MESSAGE", "the socket is signed in as another user")
            self._token = token
            return
        self._token = token
        self.hub.sign_in(self.session, claims.user_id)
        own = await self.services.arena.playing(claims.user_id)
        for battle_id in own:  # held in memory while watched, for the events to show it
            with contextlib.suppress(ServiceError):
                await self.services.arena.get(battle_id)
        self.hub.subscribe_own_battles(self.session, own)

    async def _battle(self, data: dict[str, Any]) -> str:
        battle_id = _battle_id(data)
        try:
            return (await self.services.arena.get(battle_id)).id
        except ServiceError:
            raise ClientError("BATTLE_NOT_FOUND", f"no battle with id {battle_id}") from None

    async def _tournament(self, data: dict[str, Any]) -> str:
        tournament_id = data.get("tournamentId")
        if not isinstance(tournament_id, str) or not tournament_id:
            raise ClientError("INVALID_MESSAGE", "tournamentId must be a string")
        try:
            return (await self.services.tournaments.get(tournament_id)).id
        except ServiceError:
            raise ClientError("NOT_FOUND", f"no tournament with id {tournament_id}") from None

    def _error(self, code: str, message: str, details: str = "") -> None:
        self.hub.send(self.session, "error", {"code": code, "message": message, "details": details})

    async def _close(self, code: int) -> None:
        connection = self.session.connection
        if connection is not None:  # None: already cut off as too slow, and closing
            await connection.finish()
            await connection.close(code)

    async def _leave(self) -> None:
        session = self.session
        if session.connection is not None:
            session.connection.stop()
        self.hub.detach(session)
        if session.user_id is None:
            return
        for topic in session.topics:
            battle_id = topic.removeprefix("battle:")
            battle = self.services.battles.peek(battle_id)
            if battle is not None and seat_of(battle, session.user_id) is not None:
                await self.services.bus.publish(
                    topic,
                    Event(
                        "disconnect",
                        {"battleId": battle_id, "playerId": session.user_id, "reason": "left"},
                    ),
                )


HANDLERS: dict[str, Handler] = {
    "auth": Client.auth,
    "subscribe": Client.subscribe,
    "unsubscribe": Client.unsubscribe,
    "game:action": Client.act,
    "reconnect": Client.reconnect,
    "disconnect": Client.disconnect,
}


def _parse(message: Mapping[str, Any]) -> dict[str, Any]:
    """A client frame as ``{"event": str, "data": dict}``, or why it cannot be one."""
    if message.get("bytes") is not None:
        raise Closing(CLOSE_UNSUPPORTED, "BINARY_NOT_SUPPORTED", "binary frames are not supported")
    text = message.get("text") or ""
    if (
        len(text) > MAX_MESSAGE_BYTES
        or len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES
    ):
        raise Closing(
            CLOSE_TOO_BIG, "MESSAGE_TOO_LARGE", f"frames are at most {MAX_MESSAGE_BYTES} bytes"
        )
    try:
        request = json.loads(text)
    except (ValueError, RecursionError):  # nested deeper than the parser goes, too
        raise Closing(CLOSE_INVALID, "INVALID_JSON", "frames must be JSON text") from None
    if not isinstance(request, dict) or not isinstance(request.get("event"), str):
        raise ClientError("INVALID_MESSAGE", 'a message is {"event": name, "data": {...}}')
    data = request.get("data", {})
    if not isinstance(data, dict):
        raise ClientError("INVALID_MESSAGE", "data must be an object")
    return {"event": request["event"], "data": data}


def _battle_id(data: dict[str, Any]) -> str:
    battle_id = data.get("battleId")
    if not isinstance(battle_id, str) or not battle_id:
        raise ClientError("INVALID_MESSAGE", "battleId is required")
    return battle_id


def _token_of(websocket: WebSocket) -> str | None:
    token = websocket.query_params.get("token")
    if token:
        return token
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@router.websocket("/ws")
async def socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    hub: Hub = websocket.app.state.hub
    await websocket.accept()
    await Client(websocket, services, hub).run()
