"""The event bus across processes: Redis pub/sub, with local delivery in each process.

An event is delivered at once in the process that published it, and sent to Redis for
the others, tagged with the sender so that nobody hears its own event twice. Each
process listens on one pattern subscription and delivers what others published in the
order Redis gives it, after the remote hook has let this process catch up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis

from gambit.bus.base import Event, Listener, RemoteHook, StaleHook
from gambit.bus.memory import InProcessBus, QueueSubscription

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "gambit:"
RETRY_SECONDS = 1.0


class RedisBus:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url)
        self._local = InProcessBus()
        self._origin = uuid.uuid4().hex
        self._remote_hook: RemoteHook | None = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stale_hooks: list[StaleHook] = []
        self._live = False

    async def start(self) -> None:
        """Listen for other processes' events; returns once the subscription is live."""
        self._listener = asyncio.create_task(self._listen(), name="redis-bus")
        await asyncio.wait_for(self._ready.wait(), 10)

    async def publish(self, topic: str, event: Event) -> None:
        self._local.deliver(topic, event)
        message = json.dumps({"origin": self._origin, "name": event.name, "data": event.data})
        try:
            await self._client.publish(CHANNEL_PREFIX + topic, message)
        except redis.RedisError:
            log.exception("could not publish %s on %s to Redis", event.name, topic)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[QueueSubscription]:
        async with self._local.subscribe(topic) as subscription:
            yield subscription

    def add_listener(self, listener: Listener) -> None:
        self._local.add_listener(listener)

    def on_remote(self, hook: RemoteHook) -> None:
        self._remote_hook = hook

    @property
    def live(self) -> bool:
        return self._live

    def on_stale(self, hook: StaleHook) -> None:
        self._stale_hooks.append(hook)

    def _stale(self) -> None:
        for hook in self._stale_hooks:
            hook()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._local.close()
        await self._client.aclose()

    async def _listen(self) -> None:
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                    if self._ready.is_set():
                        self._stale()  # back after a gap: what was published meanwhile is lost
                    self._live = True
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            await self._receive(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                self._live = False
                self._stale()
                log.exception("lost the Redis subscription; retrying")
                await asyncio.sleep(RETRY_SECONDS)

    async def _receive(self, channel: bytes, data: bytes) -> None:
        payload = json.loads(data)
        if payload["origin"] == self._origin:
            return
        topic = channel.decode().removeprefix(CHANNEL_PREFIX)
        event = Event(payload["name"], payload["data"])
        if self._remote_hook is not None:
            try:
                await self._remote_hook(topic, event)
            except Exception:
                log.exception("catching up on %s from another process failed", topic)
        self._local.deliver(topic, event)
