"""The battle core: its collaborators wired together, started and stopped as one.

As in lichess's round module, each collaborator has one job: the repository holds the
battles in play in front of the database, the referee makes and stores every change,
AI turns let AI seats choose, the clock times turns and waiting battles, sync keeps
this process in step with the others, and the faces (`Arena`, `ChessGames`) use them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from gambit.ai.player import AIPlayer
from gambit.bus import EventBus
from gambit.services.ai_turns import AITurns
from gambit.services.announcer import Announcer
from gambit.services.clock import BattleClock
from gambit.services.referee import Referee, now_ms
from gambit.services.repository import BattleRepository
from gambit.services.sync import keep_in_step
from gambit.store import BattleStore

log = logging.getLogger(__name__)


class BattleCore:
    def __init__(
        self,
        store: BattleStore,
        bus: EventBus,
        ai_players: Mapping[str, AIPlayer],
        *,
        waiting_expiry_seconds: float,
        idle_seconds: float,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self.repository = BattleRepository(store, idle_seconds=idle_seconds)
        announcer = Announcer(bus)
        self.referee = Referee(
            self.repository,
            store,
            announcer,
            waiting_expiry_seconds=waiting_expiry_seconds,
            now=now,
        )
        self.ai_turns = AITurns(self.repository, self.referee, announcer, ai_players)
        self._clock = BattleClock(store, self.referee.on_deadline, now)
        keep_in_step(bus, self.repository)
        self._idle_seconds = idle_seconds
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resume the AI turns cut off by a stop, and start the clock and the sweeper.
        Nothing else is read: battles come into memory when they are used."""
        await self.ai_turns.resume(self._store)
        self._clock.start()
        self._sweeper = asyncio.create_task(self._sweep(), name="battle-sweeper")

    async def close(self) -> None:
        await self.ai_turns.close()
        await self._clock.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(max(self._idle_seconds / 10, 0.1))
            evicted = self.repository.evict_idle()
            if evicted:
                log.debug("%d idle battles left memory", evicted)
