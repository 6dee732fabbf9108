"""The event bus across processes: Redis pub/sub, with local delivery in each process.

An event is delivered at once in the process that published it, and sent to Redis for
the others, tagged with the sender so that nobody hears its own event twice. Each
process listens on one pattern subscription and delivers what others published in the
order Redis gives it, after the remote hook has let this process catch up.

Pub/sub keeps nothing for a subscriber that is away: while the subscription is down,
other processes' events are lost to this one. The stale hooks say so when it drops and
again when Redis confirms it anew, and the subscription is retried with growing pauses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gambit.bus.base import BusStatus, Event, Listener, RemoteHook, StaleHook
from gambit.bus.memory import InProcessBus, QueueSubscription
from gambit.metrics import BUS_DELAY

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "gambit:"
FIRST_RETRY_SECONDS = 0.1
LAST_RETRY_SECONDS = 3.0
START_TIMEOUT_SECONDS = 10.0
PING_TIMEOUT_SECONDS = 3.0

OUTAGES = (redis.ConnectionError, redis.TimeoutError)
"""What an unreachable Redis raises (not a refused command)."""


def client_options() -> dict[str, Any]:
    """redis-py options for every gambit client: fail fast, since gambit handles outages
    itself. redis-py's default retries for seconds; one immediate retry is kept because
    a pooled connection goes stale when Redis restarts."""
    return {
        "retry": Retry(NoBackoff(), 1),
        "socket_connect_timeout": 1.0,
        "socket_timeout": 2.0,  # pub/sub's blocking reads are exempt
    }


def retry_delays() -> Iterator[float]:
    """Pauses between attempts to reach Redis: 0.1 s, doubling, then 3 s each."""
    delay = FIRST_RETRY_SECONDS
    while True:
        yield delay
        delay = min(delay * 2, LAST_RETRY_SECONDS)


def describe(error: BaseException) -> str:
    """Why Redis could not be reached, in a few words ("Connection refused")."""
    cause = error.__context__
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno:
            # asyncio words a refused connection "Connect call failed (...)"; the
            # system's name for the error number is plainer.
            return os.strerror(cause.errno) if cause.errno > 0 else str(cause.strerror)
        cause = cause.__context__
    return str(error) or type(error).__name__


async def why_unreachable(url: str) -> str | None:
    """None when Redis at ``url`` answers a PING, else the reason it does not."""
    client = redis.Redis.from_url(url, **client_options())
    try:
        await asyncio.wait_for(client.ping(), PING_TIMEOUT_SECONDS)
    except TimeoutError:
        return "no answer"
    except redis.RedisError as error:
        return describe(error)
    finally:
        await client.aclose()
    return None


class RedisBus:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, **client_options())
        self._local = InProcessBus()
        self._origin = uuid.uuid4().hex
        self._remote_hook: RemoteHook | None = None
        self._stale_hooks: list[StaleHook] = []
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._live = False
        self._outage_since: float | None = None  # monotonic time the subscription failed
        self._publishing_fails = False

    @property
    def status(self) -> BusStatus:
        return BusStatus.OK if self._live and not self._publishing_fails else BusStatus.DEGRADED

    @property
    def live(self) -> bool:
        return self._live

    async def start(self) -> None:
        """Listen for other processes' events; returns once the subscription is live."""
        self._listener = asyncio.create_task(self._listen(), name="redis-bus")
        await asyncio.wait_for(self._ready.wait(), START_TIMEOUT_SECONDS)

    async def publish(self, topic: str, event: Event) -> None:
        self._local.deliver(topic, event)
        message = json.dumps(
            # "sent": wall-clock time, for the delay to the other processes (their clocks
            # agree as far as NTP keeps them).
            {"origin": self._origin, "sent": time.time(), "name": event.name, "data": event.data}
        )
        try:
            await self._client.publish(CHANNEL_PREFIX + topic, message)
        except redis.RedisError as error:
            if not self._publishing_fails:
                log.warning(
                    "cannot publish to Redis (%s): other processes miss this one's events",
                    describe(error),
                )
            self._publishing_fails = True
        else:
            if self._publishing_fails:
                log.info("publishing to Redis works again")
            self._publishing_fails = False

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[QueueSubscription]:
        async with self._local.subscribe(topic) as subscription:
            yield subscription

    def add_listener(self, listener: Listener) -> None:
        self._local.add_listener(listener)

    def on_remote(self, hook: RemoteHook) -> None:
        self._remote_hook = hook

    def on_stale(self, hook: StaleHook) -> None:
        self._stale_hooks.append(hook)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._local.close()
        await self._client.aclose()

    async def _listen(self) -> None:
        delays = retry_delays()
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                    async for message in pubsub.listen():
                        if message["type"] == "psubscribe":
                            self._subscribed()
                            delays = retry_delays()
                        elif message["type"] == "pmessage":
                            await self._receive(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._unsubscribed(error)
            await asyncio.sleep(next(delays))

    def _subscribed(self) -> None:
        """Redis confirmed the subscription: from now on this process hears the others.

        redis-py may also have reconnected and resubscribed by itself, so a confirmation
        while live is a gap too."""
        missed = self._live or self._outage_since is not None
        if self._outage_since is not None:
            log.info(
                "the Redis subscription is back after %.1f s",
                time.monotonic() - self._outage_since,
            )
        self._live = True
        self._outage_since = None
        self._publishing_fails = False  # Redis answers; the next publish will tell
        self._ready.set()
        if missed:
            self._stale()

    def _unsubscribed(self, error: Exception) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            log.warning(
                "no Redis subscription (%s): other processes' events are missed until it is back",
                describe(error),
                exc_info=not isinstance(error, redis.RedisError),  # a bug, not an outage
            )
        if self._live:
            self._live = False
            self._stale()

    def _stale(self) -> None:
        for hook in self._stale_hooks:
            try:
                hook()
            except Exception:
                log.exception("a stale-events hook failed")

    async def _receive(self, channel: bytes, data: bytes) -> None:
        payload = json.loads(data)
        if payload["origin"] == self._origin:
            return
        if "sent" in payload:  # processes of an older version send no time
            BUS_DELAY.observe(max(0.0, time.time() - payload["sent"]))
        topic = channel.decode().removeprefix(CHANNEL_PREFIX)
        event = Event(payload["name"], payload["data"])
        if self._remote_hook is not None:
            try:
                await self._remote_hook(topic, event)
            except Exception:
                log.exception("catching up on %s from another process failed", topic)
        self._local.deliver(topic, event)
