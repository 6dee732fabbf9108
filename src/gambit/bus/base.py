"""The event bus interface: named events published on topics, delivered to subscribers."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, e.g. ``game:update`` with the new state as ``data``."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)


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

    async def close(self) -> None: ...


def battle_topic(battle_id: str) -> str:
    return f"battle:{battle_id}"
