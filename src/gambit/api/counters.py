"""Where rate-limit and failed-login counts live: Redis if configured, else memory.

With Redis, several server processes share the counts. When Redis cannot be reached,
counting goes on in this process's memory (each process then allows a client its whole
budget) rather than failing the request, and a background probe switches back as soon
as Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from limits.aio.storage import MemoryStorage, MovingWindowSupport, RedisStorage, Storage

from gambit.bus import BusStatus
from gambit.bus.redis import OUTAGES, client_options, describe, retry_delays

log = logging.getLogger(__name__)

T = TypeVar("T")
Backend = RedisStorage | MemoryStorage


class Counters(Storage, MovingWindowSupport):
    """A `limits` storage for the moving-window limiter, counting in Redis while it
    answers and in memory while it does not."""

    def __init__(self, redis_url: str | None) -> None:
        super().__init__()
        self._redis = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", **client_options())
            if redis_url
            else None
        )
        self._memory = MemoryStorage()
        self._waiting_for_redis: asyncio.Task[None] | None = None

    @property
    def status(self) -> BusStatus:
        """`DEGRADED` while Redis is configured but counts are kept in memory."""
        return BusStatus.OK if self._waiting_for_redis is None else BusStatus.DEGRADED

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return OUTAGES

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return await self._count(lambda store: store.acquire_entry(key, limit, expiry, amount))

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return await self._count(lambda store: store.get_moving_window(key, limit, expiry))

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return await self._count(lambda store: store.incr(key, expiry, amount))

    async def get(self, key: str) -> int:
        return await self._count(lambda store: store.get(key))

    async def get_expiry(self, key: str) -> float:
        return await self._count(lambda store: store.get_expiry(key))

    async def clear(self, key: str) -> None:
        await self._count(lambda store: store.clear(key))

    async def reset(self) -> int | None:
        return await self._count(lambda store: store.reset())

    async def check(self) -> bool:
        return self.status is BusStatus.OK

    async def close(self) -> None:
        if self._waiting_for_redis is not None:
            self._waiting_for_redis.cancel()
            await asyncio.gather(self._waiting_for_redis, return_exceptions=True)

    async def _count(self, operation: Callable[[Backend], Awaitable[T]]) -> T:
        if self._redis is not None and self._waiting_for_redis is None:
            try:
                return await operation(self._redis)
            except OUTAGES as error:
                self._fall_back(self._redis, error)
        return await operation(self._memory)

    def _fall_back(self, redis: RedisStorage, error: Exception) -> None:
        if self._waiting_for_redis is not None:  # a concurrent request got there first
            return
        log.warning(
            "Redis is unreachable (%s): rate limits and failed logins count per process "
            "until it is back",
            describe(error),
        )
        self._waiting_for_redis = asyncio.create_task(
            self._wait_for(redis), name="counters-wait-for-redis"
        )

    async def _wait_for(self, redis: RedisStorage) -> None:
        for delay in retry_delays():
            await asyncio.sleep(delay)
            with contextlib.suppress(*OUTAGES):
                await redis.get("probe")  # any cheap read; limits' check() eats cancellation
                break
        log.info("Redis is back: rate limits and failed logins are shared again")
        self._waiting_for_redis = None
