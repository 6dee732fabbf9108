"""AI analysis: what an AI player would do in a battle or a given position, not applied.

Hints for players and agents (seed 000's ``POST /ai/action``): for chess the engine's
best move, score and principal variation; for duel the search AI's action, score and
line. The battle, if one is named, is not changed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gambit.ai.player import AIPlayer
from gambit.games import RULESETS, InvalidOptions
from gambit.games.base import Action
from gambit.games.battle import BattleStatus, name_line, name_seats, player_ids
from gambit.services.errors import EngineFailed, GameOver, InvalidRequest
from gambit.services.repository import BattleRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hint:
    """The action an AI chose for ``player_id`` (None for a bare position), with its
    evaluation: ``score`` from the mover's side, ``depth``, ``pv``."""

    game: str
    action: Action
    evaluation: dict[str, Any]
    player_id: str | None = None
    battle_id: str | None = None


class Analysis:
    def __init__(self, battles: BattleRepository, ai_players: Mapping[str, AIPlayer]) -> None:
        self._battles = battles
        self._ai_players = ai_players

    async def of_battle(self, battle_id: str, level: int, search_time_ms: int) -> Hint:
        """The hint for the player to move in a running battle."""
        battle = await self._battles.get(battle_id)
        if battle.status is not BattleStatus.ACTIVE:
            raise GameOver(f"the battle is {battle.status.value.lower()}; nobody is to move")
        seat = battle.seats[RULESETS[battle.game].to_move(battle.state)]
        action, evaluation = await self._choose(battle.game, battle.state, level, search_time_ms)
        ids = player_ids(battle)
        return Hint(
            battle.game,
            name_seats(battle.game, ids, action),
            name_line(battle.game, ids, evaluation),
            seat.player_id or None,
            battle.id,
        )

    async def of_position(
        self, game: str, state: Mapping[str, Any] | str, level: int, search_time_ms: int
    ) -> Hint:
        """The hint for a position sent by the client: chess as a FEN (or ``{"fen"}``),
        duel as seed 000's GameState (``currentTurn``, ``players``; ``size``, ``round``)."""
        ruleset = RULESETS[game]
        try:
            position = ruleset.position(state)
        except InvalidOptions as exc:
            raise InvalidRequest("invalid state", str(exc)) from None
        if ruleset.outcome(position.state) is not None:
            raise GameOver("the game is over in this position")
        action, evaluation = await self._choose(game, position.state, level, search_time_ms)
        ids = position.ids
        return Hint(
            game,
            name_seats(game, ids, action),
            name_line(game, ids, evaluation),
            ids[ruleset.to_move(position.state)] if ids else None,
        )

    async def _choose(
        self, game: str, state: Any, level: int, search_time_ms: int
    ) -> tuple[Action, dict[str, Any]]:
        try:
            decision = await self._ai_players[game].choose(state, level, search_time_ms)
        except Exception as exc:
            log.exception("analysis failed")
            raise EngineFailed("the engine could not analyse this position", str(exc)) from exc
        return decision.action, decision.info
