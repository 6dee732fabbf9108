"""The built-in chess engine: `gambit.ai.search` in worker processes, scaled by level.

Used when no Stockfish binary is found, and by the Stockfish pool when a move cannot
be had from Stockfish. The search is CPU-bound Python, so it runs in other processes
where it can neither block the event loop nor hold this process's GIL.
"""

from __future__ import annotations

import asyncio
import random

import chess

from gambit.ai.engine import EngineMove, Progress
from gambit.ai.search import mate_in, search
from gambit.ai.workers import WorkerPool

NAME = "gambit built-in engine"
MAX_DEPTH = 5


def depth_for(level: int) -> int:
    """Search depth for a level: 0 plays random moves, 1 to 3 one ply, 16 and up five plies."""
    return 0 if level <= 0 else min(MAX_DEPTH, 1 + level // 4)


def _search_in_worker(fen: str, moves: list[str], level: int, seconds: float) -> EngineMove:
    board = chess.Board(fen)
    for move in moves:
        board.push_uci(move)
    result = search(board, depth_for(level), seconds, random.Random())
    mate = mate_in(result.score)
    return EngineMove(
        move=result.move.uci(),
        score=result.score if mate is None else None,
        depth=result.depth,
        pv=[move.uci() for move in result.pv],
        mate=mate,
    )


class BuiltinEngine:
    """A `ChessEngine` that needs nothing installed."""

    def __init__(self, workers: int) -> None:
        self._pool = WorkerPool(workers, "builtin")

    @property
    def name(self) -> str:
        return NAME

    async def start(self) -> None:
        """Nothing to start: the workers start with the first search."""

    async def play(
        self,
        board: chess.Board,
        level: int,
        search_time_ms: int,
        progress: Progress | None = None,
    ) -> EngineMove:
        """The search runs in a worker process and reports only its result, once the
        time asked for is up: Stockfish thinks for all of ``search_time_ms`` whatever its
        level, and a computer move takes as long whichever engine plays it (clients
        watch ``pending`` for it). The lower levels' shallow searches end early, so the
        rest is waited here, without holding a worker."""
        loop = asyncio.get_running_loop()
        due = loop.time() + search_time_ms / 1000
        # The root position plus the moves keep the history that repetition needs.
        root = board.root()
        moves = [move.uci() for move in board.move_stack]
        chosen = await self._pool.run(
            _search_in_worker, root.fen(), moves, level, search_time_ms / 1000
        )
        await asyncio.sleep(max(0.0, due - loop.time()))
        return chosen

    async def close(self) -> None:
        self._pool.close()
