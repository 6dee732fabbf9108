"""AI turns: an AI seat chooses its action in the background, then the referee plays it.

On the battle face (option ``autoAi``) an AI seat takes its turn as soon as it comes
round; on the chess face the computer moves only when a client asks (``cccc``). While
it thinks the battle is marked ``thinking`` in the database, so a server that stopped
mid-thought resumes the turn when it starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from typing import Any

from gambit.ai.engine import DEFAULT_SEARCH_TIME_MS
from gambit.ai.player import AIPlayer, Decision
from gambit.games.battle import Battle, BattleStatus, SeatKind, name_line, player_ids
from gambit.services.announcer import Announcer
from gambit.services.errors import GameOver, ServiceError
from gambit.services.referee import Actor, Referee
from gambit.services.repository import BattleRepository
from gambit.store import BattleStore, StorageUnavailable

log = logging.getLogger(__name__)

AUTO_AI = "autoAi"
"""Battle option: AI seats take their turns by themselves (the battle face)."""


class AITurns:
    def __init__(
        self,
        repository: BattleRepository,
        referee: Referee,
        announcer: Announcer,
        ai_players: Mapping[str, AIPlayer],
    ) -> None:
        self._repository = repository
        self._referee = referee
        self._announcer = announcer
        self._ai_players = ai_players
        self._tasks: dict[str, asyncio.Task[None]] = {}
        referee.after_change(self._after_change)
        repository.pin(self.thinking_in)

    def thinking_in(self, battle_id: str) -> bool:
        return battle_id in self._tasks

    async def resume(self, store: BattleStore) -> None:
        """Take up the turns that were being thought about when the server stopped."""
        for battle_id in await store.thinking():
            battle = await self._repository.get(battle_id)
            if battle.thinking and battle.status is BattleStatus.ACTIVE:
                self._spawn(battle)

    async def start(self, battle_id: str, check: Actor) -> Battle:
        """Let the AI seat to move choose its action (``check`` says it may)."""
        battle = await self._referee.set_thinking(battle_id, True, check)
        self._spawn(battle)
        return battle

    async def close(self) -> None:
        """Stop the turns in progress; they are stored as thinking and resume at the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _after_change(self, battle: Battle) -> None:
        if (
            battle.options.get(AUTO_AI)
            and battle.status is BattleStatus.ACTIVE
            and not battle.thinking
            and battle.seats[battle.to_move()].kind is SeatKind.AI
        ):
            # The battle may have ended since this change (a hook before this one
            # adjudicated it): then there is no turn to take.
            with contextlib.suppress(GameOver):
                await self.start(battle.id, lambda battle: battle.to_move())

    def _spawn(self, battle: Battle) -> None:
        task = asyncio.create_task(self._think(battle), name=f"ai-turn-{battle.id}")
        self._tasks[battle.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(battle.id, None))

    async def _think(self, battle: Battle) -> None:
        """Choose for the seat to move in ``battle`` (as it was when thinking began) and
        play it, unless the battle changed meanwhile."""
        seat = battle.seats[battle.to_move()]
        ids = player_ids(battle)
        publish = self._announcer.publish
        await publish(battle, "ai:thinking", playerId=seat.player_id)

        async def report(info: dict[str, Any]) -> None:
            await publish(
                battle, "ai:thinking", playerId=seat.player_id, **name_line(battle.game, ids, info)
            )

        try:
            decision = await self._ai_players[battle.game].choose(
                battle.ruleset.copy(battle.state),
                seat.level or 0,
                seat.search_time or DEFAULT_SEARCH_TIME_MS,
                report,
            )
        except Exception as exc:
            log.exception("AI move failed in battle %s", battle.id)
            await publish(battle, "ai:error", playerId=seat.player_id, message=str(exc))
            if not battle.options.get(AUTO_AI):
                # The chess face gives the turn back: the client may ask again (cccc).
                await self._give_back(battle)
                return
            # Nobody would ask again on the battle face: play on rather than stall.
            decision = _fallback(battle)
        try:
            await self._referee.play_for_ai(
                battle.id, battle.version, decision.action, decision.info
            )
        except (ServiceError, StorageUnavailable) as exc:
            # Stored as thinking still: the turn resumes once the battle is used again.
            log.warning("could not store the AI's action in battle %s: %s", battle.id, exc)

    async def _give_back(self, battle: Battle) -> None:
        def unchanged(current: Battle) -> int:
            if current.version != battle.version:
                raise _Moved()
            return current.to_move()

        with contextlib.suppress(_Moved, ServiceError, StorageUnavailable):
            await self._referee.set_thinking(battle.id, False, unchanged)


class _Moved(Exception):
    """The battle changed while the AI thought."""


def _fallback(battle: Battle) -> Decision:
    """A legal action when the AI failed: chosen at random, but the same on every retry."""
    rng = random.Random(battle.seed + len(battle.actions))
    return Decision(rng.choice(battle.ruleset.legal_actions(battle.state)), {"fallback": True})
