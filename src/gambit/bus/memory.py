"""The in-process event bus: subscribers of a topic get their own queue of its events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gambit.bus.base import BusStatus, Event, Listener, RemoteHook, StaleHook


class QueueSubscription:
    """A subscriber's queue; the bus fills it, the subscriber drains it."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    async def next(self, timeout: float | None = None) -> Event | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class InProcessBus:
    """Delivers events to subscribers in this process; the default without Redis."""

    def __init__(self) -> None:
        self._topics: dict[str, set[QueueSubscription]] = {}
        self._listeners: list[Listener] = []

    def subscriber_count(self, topic: str) -> int:
        return len(self._topics.get(topic, ()))

    async def publish(self, topic: str, event: Event) -> None:
        self.deliver(topic, event)

    def deliver(self, topic: str, event: Event) -> None:
        """Hand ``event`` to this process's listeners and subscribers."""
        for listener in self._listeners:
            listener(topic, event)
        for subscription in self._topics.get(topic, ()):
            subscription.queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[QueueSubscription]:
        subscription = QueueSubscription()
        self._topics.setdefault(topic, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._topics[topic]
            subscribers.discard(subscription)
            if not subscribers:
                del self._topics[topic]

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def on_remote(self, hook: RemoteHook) -> None:
        """Nothing comes from other processes here."""

    def on_stale(self, hook: StaleHook) -> None:
        """Nothing is ever missed here."""

    @property
    def status(self) -> BusStatus:
        return BusStatus.OK

    @property
    def live(self) -> bool:
        return True  # every event of this bus is published in this process

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        self._topics.clear()
        self._listeners.clear()
