"""AI players as the battle core sees them: given a state, choose an action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import chess

from gambit.ai.engine import ChessEngine, EngineMove
from gambit.games.base import Action


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen action and what the engine said about it (score or mate, depth, pv)."""

    action: Action
    info: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[dict[str, Any]], Awaitable[None]]
"""Told ``{depth, score, pv}`` (``mate`` instead of ``score`` for a forced mate) each
time a player's search gets further."""


class AIPlayer(Protocol):
    """Chooses actions for the AI seats of one game."""

    async def choose(
        self, state: Any, level: int, search_time_ms: int, progress: Progress | None = None
    ) -> Decision:
        """An action for the seat to move in ``state``, which is not modified; players
        that report as they think call ``progress`` on the way."""
        ...


class ChessAI:
    """Chess moves from a `ChessEngine` (the Stockfish pool or the built-in engine)."""

    def __init__(self, engine: ChessEngine) -> None:
        self.engine = engine

    async def choose(
        self,
        state: chess.Board,
        level: int,
        search_time_ms: int,
        progress: Progress | None = None,
    ) -> Decision:
        async def report(line: EngineMove) -> None:
            assert progress is not None
            await progress(_info(line))

        result = await self.engine.play(
            state, level, search_time_ms, report if progress is not None else None
        )
        return Decision({"type": "move", "move": result.move}, _info(result))


def _info(line: EngineMove) -> dict[str, Any]:
    """What the engine said: ``pv``, and ``score`` (or ``mate``) and ``depth`` when it
    gave them."""
    info: dict[str, Any] = {"pv": line.pv}
    if line.score is not None:
        info["score"] = line.score
    if line.mate is not None:
        info["mate"] = line.mate
    if line.depth is not None:
        info["depth"] = line.depth
    return info
