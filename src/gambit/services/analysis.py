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

import chess

from gambit.ai.player import AIPlayer
from gambit.games import RULESETS, InvalidOptions, duel
from gambit.games.base import Action
from gambit.games.battle import BattleStatus, name_line, name_seats, player_ids
from gambit.games.chess import parse_fen
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
        if game == "chess":
            board = _board(state)
            action, evaluation = await self._choose(game, board, level, search_time_ms)
            return Hint(game, action, evaluation)
        if not isinstance(state, Mapping) or not isinstance(state.get("players"), Mapping):
            raise InvalidRequest("invalid state", 'a duel state needs "players" and "currentTurn"')
        ids = list(state["players"])
        if state.get("currentTurn") not in ids:
            raise InvalidRequest("invalid state", "currentTurn must be one of the players")
        try:
            position = duel.position(
                list(state["players"].values()),
                ids.index(state["currentTurn"]),
                size=_int(state.get("size", duel.DEFAULT_SIZE), "size"),
                round=_int(state.get("round", 1), "round"),
            )
        except InvalidOptions as exc:
            raise InvalidRequest("invalid state", str(exc)) from None
        action, evaluation = await self._choose(game, position, level, search_time_ms)
        return Hint(
            game,
            name_seats(game, ids, action),
            name_line(game, ids, evaluation),
            state["currentTurn"],
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


def _board(state: Mapping[str, Any] | str) -> chess.Board:
    fen = state.get("fen") if isinstance(state, Mapping) else state
    if not isinstance(fen, str):
        raise InvalidRequest("invalid state", 'a chess state is a FEN, or {"fen": FEN}')
    try:
        board = parse_fen(fen)
    except InvalidOptions as exc:
        raise InvalidRequest("invalid FEN", str(exc)) from None
    if board.is_game_over():
        raise GameOver("the game is over in this position")
    return board


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRequest("invalid state", f"{name} must be an integer")
    return value
