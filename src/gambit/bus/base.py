"""The event bus interface: named events published on topics, delivered to subscribers."""

from __future__ import annotations

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
"""Called when this process may have missed events published by others."""


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

    @property
    def live(self) -> bool:
        """True while this process hears every event other processes publish."""
        ...

    def on_stale(self, hook: StaleHook) -> None:
        """Call ``hook`` whenever events of other processes may have been missed (the
        connection dropped, or came back after a gap)."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def battle_topic(battle_id: str) -> str:
    return f"battle:{battle_id}"
