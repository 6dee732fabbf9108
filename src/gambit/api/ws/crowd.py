"""How many people watch each battle, counted over every server process.

Each process counts the spectators of its own sockets and publishes that count on the
battle's topic (at most once per ``SETTLE_SECONDS``, so a crowd arriving at once makes one
event, not one per arrival); every process keeps the latest count of each process and
tells its watchers the sum as ``battle:spectators``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from gambit.bus import Event, EventBus

log = logging.getLogger(__name__)

SPECTATORS = "battle:spectators"
SETTLE_SECONDS = 0.5


class Crowd:
    def __init__(
        self,
        bus: EventBus,
        local_count: Callable[[str], int],
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self._bus = bus
        self._local_count = local_count  # spectators of one topic on this process's sockets
        self._settle_seconds = settle_seconds
        self._process = uuid.uuid4().hex
        self._published: dict[str, int] = {}  # topic -> the count this process last said
        self._heard: dict[str, dict[str, int]] = {}  # topic -> process -> its count
        self._pending: dict[str, asyncio.Task[None]] = {}

    def changed(self, topic: str) -> None:
        """Someone started or stopped watching ``topic`` here: say so once it settles."""
        if topic not in self._pending:
            self._pending[topic] = asyncio.get_running_loop().create_task(self._publish(topic))

    def heard(self, event: Event) -> dict[str, Any]:
        """Take in a process's count; what the watchers are told."""
        topic, process, count = event.data["topic"], event.data["process"], event.data["count"]
        counts = self._heard.setdefault(topic, {})
        if count:
            counts[process] = count
        else:
            counts.pop(process, None)
        total = sum(counts.values())
        if not counts:
            del self._heard[topic]
        return {"battleId": event.data["battleId"], "spectators": total}

    async def close(self) -> None:
        for task in self._pending.values():
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)

    async def _publish(self, topic: str) -> None:
        try:
            await asyncio.sleep(self._settle_seconds)
        finally:
            del self._pending[topic]
        count = self._local_count(topic)
        if self._published.get(topic, 0) == count:
            return
        if count:
            self._published[topic] = count
        else:
            self._published.pop(topic, None)
        battle_id = topic.partition(":")[2]
        data = {"battleId": battle_id, "topic": topic, "process": self._process, "count": count}
        try:
            await self._bus.publish(topic, Event(SPECTATORS, data))
        except Exception:  # the bus is away; the next change says it again
            self._published.pop(topic, None)
            log.info("could not publish the spectators of %s", topic)
