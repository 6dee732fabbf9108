"""The bus's health and staleness signals, against a redis-server of the test's own that
is killed and started again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
import redis.asyncio as redis

from gambit.bus import BusStatus, Event, InProcessBus, RedisBus
from tests.conftest import RedisServer


async def _until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never met"
        await asyncio.sleep(0.02)


def test_the_in_process_bus_is_always_live() -> None:
    bus = InProcessBus()
    bus.on_stale(lambda: pytest.fail("nothing is ever missed in one process"))
    assert bus.live
    assert bus.status is BusStatus.OK


def test_a_lost_subscription_is_signalled_and_comes_back(
    throwaway_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gambit.bus.redis")
    heard: list[tuple[bool, BusStatus]] = []  # live and status as each stale hook ran

    async def run() -> None:
        bus = RedisBus(throwaway_redis.url)
        bus.on_stale(lambda: heard.append((bus.live, bus.status)))
        await bus.start()
        try:
            assert (bus.live, bus.status) == (True, BusStatus.OK)
            assert heard == []

            throwaway_redis.kill()
            await _until(lambda: len(heard) == 1)
            assert heard == [(False, BusStatus.DEGRADED)]
            await asyncio.sleep(1.5)  # several attempts to subscribe again fail meanwhile
            assert (bus.live, bus.status, len(heard)) == (False, BusStatus.DEGRADED, 1)

            throwaway_redis.start()
            await _until(lambda: len(heard) == 2)
            assert heard[1] == (True, BusStatus.OK)
            # Other processes' events arrive again.
            other = RedisBus(throwaway_redis.url)
            await other.start()
            try:
                async with bus.subscribe("battle:1") as subscription:
                    await other.publish("battle:1", Event("game:update", {"id": "1"}))
                    assert await subscription.next(5) == Event("game:update", {"id": "1"})
            finally:
                await other.close()
        finally:
            await bus.close()

    asyncio.run(run())
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in messages] == ["WARNING", "INFO"], messages
    assert "no Redis subscription" in messages[0][1]
    assert "back after" in messages[1][1]


def test_failing_publishes_degrade_the_bus_until_one_works(
    throwaway_redis: RedisServer,
) -> None:
    async def run() -> None:
        admin = redis.Redis.from_url(throwaway_redis.url)
        await admin.acl_setuser(
            "mute", enabled=True, nopass=True, keys="*", channels="*", commands=["+@all"]
        )
        bus = RedisBus(throwaway_redis.url.replace("//", "//mute:@"))
        await bus.start()
        try:
            await admin.acl_setuser("mute", enabled=True, commands=["-publish"])
            await bus.publish("battle:1", Event("game:update"))
            assert (bus.live, bus.status) == (True, BusStatus.DEGRADED)

            await admin.acl_setuser("mute", enabled=True, commands=["+publish"])
            await bus.publish("battle:1", Event("game:update"))
            assert (bus.live, bus.status) == (True, BusStatus.OK)
        finally:
            await bus.close()
            await admin.aclose()

    asyncio.run(run())
