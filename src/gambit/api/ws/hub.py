"""The WebSocket hub: sessions, what they watch, and the fan-out of bus events to them.

A *session* outlives its connection for the resume window: it stays subscribed and
keeps its recent events, so a client that drops and comes back with ``reconnect``
misses nothing. Each event is rendered to JSON once and then framed per session (the
envelope's ``seq`` is the session's own). A connection sends from a bounded queue; a
client that stops reading fills it and is disconnected, without slowing anyone else: it
gets the close timeout to take the close, then its TCP connection is reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket

from gambit.api.ws.crowd import SPECTATORS, Crowd
from gambit.bus import SYSTEM_TOPIC, Event, EventBus, battle_topic
from gambit.metrics import WS_EVENTS_SENT

log = logging.getLogger(__name__)

CLOSE_SLOW_CONSUMER = 1013  # "try again later"
SWEEP_SECONDS = 5.0
ABORT_EXTENSION = "gambit.abort"
"""The ASGI scope extension of `gambit.api.server`: ``{"abort": callable}`` resets the
connection at once."""

Renderer = Callable[[str, Event], str | None]
"""The ``data`` of an event as JSON, or None to drop it; called once per event."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Connection:
    """One open socket, sending what the session queues for it, in order."""

    def __init__(self, websocket: WebSocket, queue_size: int, close_timeout: float) -> None:
        self.websocket = websocket
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(queue_size)
        self._close_timeout = close_timeout
        self.overflowed = False
        self._sender = asyncio.create_task(self._send_forever())
        self._closer: asyncio.Task[None] | None = None

    def push(self, text: str) -> bool:
        """Queue ``text``; False (and the socket closing) if the client fell too far behind."""
        if self.overflowed:
            return False
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True
            self._sender.cancel()
            self._closer = asyncio.create_task(self.close(CLOSE_SLOW_CONSUMER, "slow consumer"))
            return False
        return True

    def stop(self) -> None:
        """The peer is gone: drop whatever is queued."""
        self._sender.cancel()

    async def finish(self) -> None:
        """Send what is queued, then stop sending."""
        if not self._sender.done():
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._sender), self._close_timeout)
        self._sender.cancel()

    async def close(self, code: int, reason: str = "") -> None:
        """Close the socket, and reset the connection if it is still open after the close
        timeout: a client that does not read leaves no room to send the close, or never
        reads it to answer, and would hold the connection for ever."""
        extension = self.websocket.scope.get("extensions", {}).get(ABORT_EXTENSION)
        if extension is not None:  # the abort does nothing to a connection already gone
            asyncio.get_running_loop().call_later(self._close_timeout, extension["abort"])
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code, reason), self._close_timeout)

    async def _send_forever(self) -> None:
        try:
            while (text := await self.queue.get()) is not None:
                await self.websocket.send_text(text)
                WS_EVENTS_SENT.inc()
        except Exception:  # the peer is gone; the receive loop will notice
            return


@dataclass(frozen=True, slots=True)
class Sent:
    """An event as a session sent it. ``data`` is the rendering every watcher shares, so
    a thousand sessions keeping an event keep one copy of its body."""

    seq: int
    at: float  # monotonic seconds, for the resume window
    ts: int
    name: str
    data: str

    def text(self) -> str:
        return f'{{"event":"{self.name}","data":{self.data},"seq":{self.seq},"ts":{self.ts}}}'


@dataclass(eq=False)
class Session:
    """A client's subscriptions and recent events; may outlive its connection."""

    id: str
    user_id: str | None
    topics: set[str] = field(default_factory=set)
    seq: int = 0
    recent: deque[Sent] = field(default_factory=deque)
    connection: Connection | None = None
    detached_at: float | None = None


class Hub:
    def __init__(
        self,
        bus: EventBus,
        render: Renderer,
        seats_of: Callable[[str], Iterable[str]],
        *,
        queue_size: int,
        close_timeout: float,
        resume_seconds: float,
        resume_events: int,
    ) -> None:
        self._render = render
        self._seats_of = seats_of  # the user ids seated in a battle
        self._queue_size = queue_size
        self._close_timeout = close_timeout  # for a client to take its last events, its close
        self._resume_seconds = resume_seconds
        self._resume_events = resume_events
        self._sessions: dict[str, Session] = {}
        self._watchers: dict[str, set[Session]] = {}
        self._by_user: dict[str, set[Session]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._crowd = Crowd(bus, self.spectators)
        bus.add_listener(self._on_event)

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="ws-sweeper")

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self._crowd.close()

    def watching(self, topic: str) -> bool:
        """Whether any session watches ``topic``."""
        return topic in self._watchers

    def spectators(self, topic: str) -> int:
        """The connected sessions here watching ``topic`` that do not play in it."""
        watchers = self._watchers.get(topic, ())
        if not watchers:
            return 0
        seated = set(self._seats_of(topic.partition(":")[2]))
        return sum(1 for s in watchers if s.connection is not None and s.user_id not in seated)

    @property
    def connections(self) -> int:
        return sum(1 for s in self._sessions.values() if s.connection is not None)

    # Sessions

    def open(self, websocket: WebSocket, user_id: str | None) -> Session:
        session = Session(uuid.uuid4().hex, None)
        self._sessions[session.id] = session
        session.connection = Connection(websocket, self._queue_size, self._close_timeout)
        if user_id is not None:
            self.sign_in(session, user_id)
        return session

    def sign_in(self, session: Session, user_id: str) -> None:
        session.user_id = user_id
        self._by_user.setdefault(user_id, set()).add(session)

    def detach(self, session: Session) -> None:
        """The connection closed: keep the session for the resume window."""
        session.connection = None
        session.detached_at = time.monotonic()
        for topic in session.topics:
            self._crowd.changed(topic)
        if self._resume_seconds <= 0:
            self._drop(session)

    def resume(self, current: Session, session_id: str, last_seq: int) -> Session | None:
        """Move ``current``'s connection onto the earlier session ``session_id`` and resend
        its events after ``last_seq``; None when that is no longer possible."""
        old = self._sessions.get(session_id)
        if (
            old is None
            or old is current
            or old.connection is not None
            or (old.user_id is not None and old.user_id != current.user_id)
            or not _covers(old, last_seq)
        ):
            return None
        connection, current.connection = current.connection, None
        self._drop(current)
        old.connection, old.detached_at = connection, None
        for topic in old.topics:
            self._crowd.changed(topic)
        if current.user_id is not None and old.user_id is None:
            self.sign_in(old, current.user_id)
        assert connection is not None
        for sent in old.recent:
            if sent.seq > last_seq:
                connection.push(sent.text())
        return old

    def subscribe(self, session: Session, topic: str) -> None:
        session.topics.add(topic)
        self._watchers.setdefault(topic, set()).add(session)
        self._crowd.changed(topic)

    def unsubscribe(self, session: Session, topic: str) -> None:
        session.topics.discard(topic)
        watchers = self._watchers.get(topic)
        if watchers is not None:
            watchers.discard(session)
            if not watchers:
                del self._watchers[topic]
            self._crowd.changed(topic)

    def send(self, session: Session, name: str, data: Any) -> None:
        """An event for this session alone (``connect``, ``error``, replies)."""
        self._deliver(session, name, json.dumps(data, separators=(",", ":")))

    async def close_all(self, events: Iterable[tuple[str, dict[str, Any]]], code: int) -> None:
        """Send ``events`` to every open connection, then close them all with ``code``."""
        sessions = [s for s in self._sessions.values() if s.connection is not None]
        for session in sessions:
            for name, data in events:
                self.send(session, name, data)
        connections = [s.connection for s in sessions if s.connection is not None]
        await asyncio.gather(*(c.finish() for c in connections), return_exceptions=True)
        await asyncio.gather(*(c.close(code) for c in connections), return_exceptions=True)

    # Fan-out

    def _on_event(self, topic: str, event: Event) -> None:
        if topic == SYSTEM_TOPIC:
            watchers: Iterable[Session] = list(self._sessions.values())
        elif event.name == SPECTATORS:
            told = json.dumps(self._crowd.heard(event), separators=(",", ":"))
            for session in list(self._watchers.get(topic, ())):
                self._deliver(session, event.name, told)
            return
        else:
            self._seat_players(topic, event)
            watchers = list(self._watchers.get(topic, ()))
        if not watchers:
            return
        try:
            data = self._render(topic, event)
        except Exception:
            log.exception("could not render %s for %s", event.name, topic)
            return
        if data is None:
            return
        for session in watchers:
            self._deliver(session, event.name, data)

    def _seat_players(self, topic: str, event: Event) -> None:
        """Players are subscribed to their own battles as soon as they sit down."""
        if event.name not in ("game:start", "game:update") or not self._by_user:
            return
        battle_id = event.data.get("battleId")
        if not isinstance(battle_id, str):
            return
        for user_id in self._seats_of(battle_id):
            for session in self._by_user.get(user_id, ()):
                if topic not in session.topics:
                    self.subscribe(session, topic)

    def subscribe_own_battles(self, session: Session, battle_ids: Iterable[str]) -> None:
        for battle_id in battle_ids:
            self.subscribe(session, battle_topic(battle_id))

    def _deliver(self, session: Session, name: str, data: str) -> None:
        session.seq += 1
        sent = Sent(session.seq, time.monotonic(), now_ms(), name, data)
        if self._resume_events:
            session.recent.append(sent)
            if len(session.recent) > self._resume_events:
                session.recent.popleft()
        if session.connection is not None and not session.connection.push(sent.text()):
            self.detach(session)  # too slow: cut off, its events kept for a resume

    # Housekeeping

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            self.sweep(time.monotonic())

    def sweep(self, now: float) -> None:
        """Forget events and detached sessions older than the resume window."""
        horizon = now - self._resume_seconds
        for session in list(self._sessions.values()):
            if session.detached_at is not None and session.detached_at < horizon:
                self._drop(session)
                continue
            while session.recent and session.recent[0].at < horizon:
                session.recent.popleft()

    def _drop(self, session: Session) -> None:
        self._sessions.pop(session.id, None)
        for topic in list(session.topics):
            self.unsubscribe(session, topic)
        if session.user_id is not None:
            sessions = self._by_user.get(session.user_id)
            if sessions is not None:
                sessions.discard(session)
                if not sessions:
                    del self._by_user[session.user_id]


def _covers(session: Session, last_seq: int) -> bool:
    """Whether every event after ``last_seq`` is still kept."""
    if last_seq > session.seq or last_seq < 0:
        return False
    if last_seq == session.seq:
        return True
    return bool(session.recent) and session.recent[0].seq <= last_seq + 1
