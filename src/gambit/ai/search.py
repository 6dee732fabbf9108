"""The built-in engine's search: iterative-deepening alpha-beta on python-chess boards.

Pure and synchronous, so it can run in a worker process. It is no Stockfish, but it
sees tactics a few plies deep, which is plenty for a fallback opponent.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass

import chess

from gambit.ai.engine import MATE_SCORE

PIECE_VALUES = {
    chess.PAWN: 100,
    chess.KNIGHT: 320,
    chess.BISHOP: 330,
    chess.ROOK: 500,
    chess.QUEEN: 900,
    chess.KING: 0,
}

# Piece-square tables from white's side, a8 first (as printed); mirrored for black.
_TABLES = {
    chess.PAWN: [
        0, 0, 0, 0, 0, 0, 0, 0,
        50, 50, 50, 50, 50, 50, 50, 50,
        10, 10, 20, 30, 30, 20, 10, 10,
        5, 5, 10, 25, 25, 10, 5, 5,
        0, 0, 0, 20, 20, 0, 0, 0,
        5, -5, -10, 0, 0, -10, -5, 5,
        5, 10, 10, -20, -20, 10, 10, 5,
        0, 0, 0, 0, 0, 0, 0, 0,
    ],
    chess.KNIGHT: [
        -50, -40, -30, -30, -30, -30, -40, -50,
        -40, -20, 0, 0, 0, 0, -20, -40,
        -30, 0, 10, 15, 15, 10, 0, -30,
        -30, 5, 15, 20, 20, 15, 5, -30,
        -30, 0, 15, 20, 20, 15, 0, -30,
        -30, 5, 10, 15, 15, 10, 5, -30,
        -40, -20, 0, 5, 5, 0, -20, -40,
        -50, -40, -30, -30, -30, -30, -40, -50,
    ],
    chess.BISHOP: [
        -20, -10, -10, -10, -10, -10, -10, -20,
        -10, 0, 0, 0, 0, 0, 0, -10,
        -10, 0, 5, 10, 10, 5, 0, -10,
        -10, 5, 5, 10, 10, 5, 5, -10,
        -10, 0, 10, 10, 10, 10, 0, -10,
        -10, 10, 10, 10, 10, 10, 10, -10,
        -10, 5, 0, 0, 0, 0, 5, -10,
        -20, -10, -10, -10, -10, -10, -10, -20,
    ],
    chess.ROOK: [
        0, 0, 0, 0, 0, 0, 0, 0,
        5, 10, 10, 10, 10, 10, 10, 5,
        -5, 0, 0, 0, 0, 0, 0, -5,
        -5, 0, 0, 0, 0, 0, 0, -5,
        -5, 0, 0, 0, 0, 0, 0, -5,
        -5, 0, 0, 0, 0, 0, 0, -5,
        -5, 0, 0, 0, 0, 0, 0, -5,
        0, 0, 0, 5, 5, 0, 0, 0,
    ],
    chess.QUEEN: [
        -20, -10, -10, -5, -5, -10, -10, -20,
        -10, 0, 0, 0, 0, 0, 0, -10,
        -10, 0, 5, 5, 5, 5, 0, -10,
        -5, 0, 5, 5, 5, 5, 0, -5,
        0, 0, 5, 5, 5, 5, 0, -5,
        -10, 5, 5, 5, 5, 5, 0, -10,
        -10, 0, 5, 0, 0, 0, 0, -10,
        -20, -10, -10, -5, -5, -10, -10, -20,
    ],
    chess.KING: [
        -30, -40, -40, -50, -50, -40, -40, -30,
        -30, -40, -40, -50, -50, -40, -40, -30,
        -30, -40, -40, -50, -50, -40, -40, -30,
        -30, -40, -40, -50, -50, -40, -40, -30,
        -20, -30, -30, -40, -40, -30, -30, -20,
        -10, -20, -20, -20, -20, -20, -20, -10,
        20, 20, 0, 0, 0, 0, 20, 20,
        20, 30, 10, 0, 0, 10, 30, 20,
    ],
}  # fmt: skip


class _OutOfTime(Exception):
    pass


def mate_in(score: int) -> int | None:
    """The moves to mate that a score of this search stands for (``MATE_SCORE`` less the
    moves; negative when the mover is mated), or None for a score in centipawns."""
    if abs(score) < MATE_SCORE - _MATE_HORIZON:
        return None
    return MATE_SCORE - score if score > 0 else -(MATE_SCORE + score)


_MATE_HORIZON = 100  # moves: far beyond what the search can see


@dataclass(frozen=True, slots=True)
class SearchResult:
    move: chess.Move
    score: int  # centipawns, from the mover's view
    depth: int
    pv: list[chess.Move]


def evaluate(board: chess.Board) -> int:
    """Material and piece placement, in centipawns from the side to move's view."""
    score = 0
    for square, piece in board.piece_map().items():
        index = square ^ 56 if piece.color == chess.WHITE else square  # tables start at a8
        value = PIECE_VALUES[piece.piece_type] + _TABLES[piece.piece_type][index]
        score += value if piece.color == chess.WHITE else -value
    return score if board.turn == chess.WHITE else -score


def search(
    board: chess.Board, max_depth: int, time_limit: float, rng: random.Random
) -> SearchResult:
    """The best move found by searching up to ``max_depth`` plies within ``time_limit`` seconds.

    ``max_depth`` 0 plays a random legal move. Ties between equally good root moves are
    broken at random, so the engine does not always play the same game.
    """
    moves = list(board.legal_moves)
    if not moves:
        raise ValueError("no legal moves in this position")
    rng.shuffle(moves)
    if max_depth <= 0:
        return SearchResult(moves[0], evaluate(board), 0, [moves[0]])
    deadline = time.monotonic() + time_limit
    best = SearchResult(moves[0], evaluate(board), 0, [moves[0]])
    for depth in range(1, max_depth + 1):
        try:
            best = _root(board, moves, depth, deadline, best.move)
        except _OutOfTime:
            break
        if mate_in(best.score) is not None:
            break  # a forced mate was found; deeper search cannot change the verdict
    return best


def _root(
    board: chess.Board, moves: list[chess.Move], depth: int, deadline: float, first: chess.Move
) -> SearchResult:
    ordered = [first] + [move for move in _ordered(board, moves) if move != first]
    alpha, beta = -MATE_SCORE - 1, MATE_SCORE + 1
    best_move, best_pv = ordered[0], [ordered[0]]
    for move in ordered:
        board.push(move)
        try:
            score, pv = _negamax(board, depth - 1, -beta, -alpha, 1, deadline)
        finally:
            board.pop()
        score = -score
        if score > alpha:
            alpha, best_move, best_pv = score, move, [move, *pv]
    return SearchResult(best_move, alpha, depth, best_pv)


def _negamax(
    board: chess.Board, depth: int, alpha: int, beta: int, ply: int, deadline: float
) -> tuple[int, list[chess.Move]]:
    if time.monotonic() > deadline:
        raise _OutOfTime
    if board.is_checkmate():
        return -(MATE_SCORE - (ply + 1) // 2), []  # mated, counted in moves as UCI does
    if board.is_stalemate() or board.is_insufficient_material() or board.is_repetition(3):
        return 0, []
    if depth <= 0:
        return _quiescence(board, alpha, beta, deadline), []
    best_pv: list[chess.Move] = []
    for move in _ordered(board, board.legal_moves):
        board.push(move)
        try:
            score, pv = _negamax(board, depth - 1, -beta, -alpha, ply + 1, deadline)
        finally:
            board.pop()
        score = -score
        if score >= beta:
            return beta, []
        if score > alpha:
            alpha, best_pv = score, [move, *pv]
    return alpha, best_pv


def _quiescence(board: chess.Board, alpha: int, beta: int, deadline: float) -> int:
    """Search captures only, so the evaluation never stops in the middle of an exchange."""
    if time.monotonic() > deadline:
        raise _OutOfTime
    stand_pat = evaluate(board)
    if stand_pat >= beta:
        return beta
    alpha = max(alpha, stand_pat)
    for move in _ordered(board, board.generate_legal_captures()):
        board.push(move)
        try:
            score = -_quiescence(board, -beta, -alpha, deadline)
        finally:
            board.pop()
        if score >= beta:
            return beta
        alpha = max(alpha, score)
    return alpha


def _ordered(board: chess.Board, moves: Iterable[chess.Move]) -> list[chess.Move]:
    """Captures first, most valuable victim by least valuable attacker; then promotions."""

    def key(move: chess.Move) -> int:
        score = 0
        if board.is_capture(move):
            victim = board.piece_type_at(move.to_square) or chess.PAWN  # en passant
            attacker = board.piece_type_at(move.from_square) or chess.PAWN
            score += 10 * PIECE_VALUES[victim] - PIECE_VALUES[attacker] + 10_000
        if move.promotion:
            score += PIECE_VALUES[move.promotion]
        return -score

    return sorted(moves, key=key)
