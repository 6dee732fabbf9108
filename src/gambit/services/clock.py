"""The battle clock: when a battle next needs looking at, and the looking.

Three things are timed: a battle left waiting for players expires, a human who takes
longer than ``turnSeconds`` over a turn forfeits, and under a time control (see
`gambit.games.clock`) a seat whose time runs out loses, or a first move comes too late
and the game is aborted. Each stored battle carries the moment
of its next deadline, so the clock finds the battles due with one indexed query, in any
process, however many battles are stored or held in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from gambit.games.battle import Battle, BattleStatus, SeatKind
from gambit.services.errors import ServiceError
from gambit.store import BattleStore, StorageUnavailable

log = logging.getLogger(__name__)

TURN_SECONDS = "turnSeconds"
"""Battle option: a human who takes longer than this over a turn forfeits."""
INTERVAL_SECONDS = 1.0  # between two looks at the deadlines


def deadline(battle: Battle, waiting_expiry_ms: int) -> int | None:
    """When the clock must next look at ``battle`` (epoch ms), or None."""
    if battle.status is BattleStatus.WAITING:
        return battle.created_at + waiting_expiry_ms
    if battle.status is BattleStatus.ACTIVE and battle.clock is not None:
        return battle.clock.deadline()  # AI seats are on this clock too
    limit_ms = int(battle.options.get(TURN_SECONDS, 0)) * 1000
    if (
        battle.status is BattleStatus.ACTIVE
        and limit_ms
        and not battle.thinking
        and battle.seats[battle.to_move()].kind is SeatKind.HUMAN
    ):
        return battle.turn_started_at + limit_ms
    return None


class BattleClock:
    """Every ``INTERVAL_SECONDS``, hands the battles whose deadline has come to ``due``."""

    def __init__(
        self,
        store: BattleStore,
        due: Callable[[str, int], Awaitable[None]],
        now: Callable[[], int],
    ) -> None:
        self._store = store
        self._due = due
        self._now = now
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="battle-clock")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def tick(self) -> None:
        now = self._now()
        for battle_id in await self._store.due(now):
            try:
                await self._due(battle_id, now)
            except ServiceError as exc:  # e.g. another process got there first
                log.info("the clock left battle %s: %s", battle_id, exc.message)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(INTERVAL_SECONDS)
            try:
                await self.tick()
            except StorageUnavailable:
                pass  # the database is away; the deadlines wait for it
            except Exception:
                log.exception("the battle clock failed; it goes on")
