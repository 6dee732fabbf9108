"""The event bus interface: named events published on topics, delivered to subscribers."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

SYSTEM_TOPIC = "system"
"""Announcements to every connection of every process (``system:*`` events)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, e.g. ``game:update`` with the battle's id as ``data``."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[str, Event], None]
"""Called, without awaiting, with every event delivered in this process."""

RemoteHook = Callable[[str, Event], Awaitable[None]]
"""Awaited before an event published by another process is delivered here."""

StaleHook = Callable[[], None]
"""Called, without awaiting, when this process may have missed other processes' events."""


class BusStatus(enum.StrEnum):
    """Whether events cross between this process and the others."""

    OK = "ok"
    DEGRADED = "degraded"  # events may not be crossing between processes


class Subscription(Protocol):
    """Events of one topic, in the order they were published, from subscribing on."""

    async def next(self, timeout: float | None = None) -> Event | None:
        """The next event, or None when ``timeout`` seconds pass first."""
        ...


class EventBus(Protocol):
    """Publish/subscribe by topic; topics are strings such as ``battle:<id>``."""

    async def publish(self, topic: str, event: Event) -> None: ...

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive the topic's events until the context exits."""
        ...

    def add_listener(self, listener: Listener) -> None:
        """Hear every event delivered in this process, of every topic."""
        ...

    def on_remote(self, hook: RemoteHook) -> None:
        """Run ``hook`` on events from other processes before delivering them here, so
        that this process can catch up (reload a battle) before anyone hears of it."""
        ...

    def on_stale(self, hook: StaleHook) -> None:
        """Call ``hook`` whenever this process may have missed other processes' events:
        when it stops hearing them, and again as soon as it hears them again (what was
        published in between is lost), so that it can stop trusting what it holds."""
        ...

    @property
    def status(self) -> BusStatus:
        """`DEGRADED` while events may not reach this process or leave it."""
        ...

    @property
    def live(self) -> bool:
        """True while this process hears other processes' events."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def battle_topic(battle_id: str) -> str:
    return f"battle:{battle_id}"


def user_topic(user_id: str) -> str:
    """A user's own news: their battles starting and ending, challenges to and from them."""
    return f"user:{user_id}"
