"""The chess engine interface the services use, whatever plays behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import chess


@dataclass(frozen=True, slots=True)
class EngineMove:
    """A move chosen by an engine, with what it reported about the position, from the
    point of view of the side that moves: ``score`` in centipawns, or, when the engine
    sees a forced mate, ``mate``: the moves to it, as UCI's ``score mate`` counts them
    (negative when the mover is the one mated), and no ``score``.
    """

    move: str
    score: int | None = None
    depth: int | None = None
    pv: list[str] = field(default_factory=list)
    mate: int | None = None


MATE_SCORE = 100_000
"""A mate as a score beyond any material, for rules that compare scores: `mate_as_score`."""
MIN_LEVEL, MAX_LEVEL = 0, 20
DEFAULT_LEVEL = 10
DEFAULT_SEARCH_TIME_MS = 1000


def mate_as_score(mate: int) -> int:
    """A mate in ``mate`` moves as centipawns: the nearer the mate, the further from 0
    (cutechess reads mates so when adjudicating)."""
    return MATE_SCORE - mate if mate > 0 else -MATE_SCORE - mate


Progress = Callable[[EngineMove], Awaitable[None]]
"""Told the best line so far, each time an engine's search reaches a new depth."""


class ChessEngine(Protocol):
    """Something that picks a move for a position: the Stockfish pool or the built-in engine."""

    @property
    def name(self) -> str:
        """Name and version, as reported by ``/health``."""
        ...

    async def start(self) -> None:
        """Start worker processes; called once before the first ``play``."""
        ...

    async def play(
        self,
        board: chess.Board,
        level: int,
        search_time_ms: int,
        progress: Progress | None = None,
    ) -> EngineMove:
        """Choose a move for the side to move on ``board`` (which is not modified).

        ``level`` is 0 (weakest) to 20 (strongest); ``search_time_ms`` bounds the
        thinking time. Never hangs: a stuck worker is replaced and the move retried.
        Engines that report as they search (Stockfish) call ``progress`` on the way.
        """
        ...

    async def close(self) -> None:
        """Stop every worker process."""
        ...
