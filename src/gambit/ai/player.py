"""AI players as the battle core sees them: given a state, choose an action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import chess

from gambit.ai.engine import ChessEngine
from gambit.games.base import Action


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen action and what the engine said about it (score, depth, pv)."""

    action: Action
    info: dict[str, Any] = field(default_factory=dict)


class AIPlayer(Protocol):
    """Chooses actions for the AI seats of one game."""

    async def choose(self, state: Any, level: int, search_time_ms: int) -> Decision:
        """An action for the seat to move in ``state``, which is not modified."""
        ...


class ChessAI:
    """Chess moves from a `ChessEngine` (the Stockfish pool or the built-in engine)."""

    def __init__(self, engine: ChessEngine) -> None:
        self.engine = engine

    async def choose(self, state: chess.Board, level: int, search_time_ms: int) -> Decision:
        result = await self.engine.play(state, level, search_time_ms)
        info: dict[str, Any] = {"pv": result.pv}
        if result.score is not None:
            info["score"] = result.score
        if result.depth is not None:
            info["depth"] = result.depth
        return Decision({"type": "move", "move": result.move}, info)
