"""Players that think: the Stockfish pool, the built-in engine, and how to pick one."""

from __future__ import annotations

from gambit.ai.builtin import BuiltinEngine
from gambit.ai.engine import MATE_SCORE, ChessEngine, EngineMove, mate_as_score
from gambit.ai.locate import find_stockfish
from gambit.ai.stockfish import StockfishPool


def create_chess_engine(stockfish_path: str | None, workers: int) -> ChessEngine:
    """The Stockfish pool when a binary is found (the built-in engine as its fallback),
    else the built-in engine alone. Call ``await engine.start()`` before use."""
    builtin = BuiltinEngine(workers)
    path = find_stockfish(stockfish_path)
    return StockfishPool(path, workers, builtin) if path else builtin


__all__ = ["MATE_SCORE", "ChessEngine", "EngineMove", "create_chess_engine", "mate_as_score"]
