"""The Stockfish pool (real Stockfish) and the built-in engine, on their own."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import chess
import pytest
import uvloop

from gambit.ai import create_chess_engine
from gambit.ai.builtin import BuiltinEngine
from gambit.ai.engine import ChessEngine, EngineMove
from gambit.ai.locate import find_stockfish
from gambit.ai.stockfish import StockfishPool

T = TypeVar("T")
STOCKFISH = find_stockfish(None)
needs_stockfish = pytest.mark.skipif(STOCKFISH is None, reason="STOCKFISH NOT INSTALLED")
HANGING = [sys.executable, str(Path(__file__).with_name("hanging_engine.py"))]
MATE_IN_ONE = "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1"
MATED_IN_ONE = "k7/8/1K6/8/8/8/8/7R b - - 0 1"  # Kb8, the only move, and Rh8#
HANGING_QUEEN = "rnb1kbnr/pppp1ppp/8/4p3/4P3/2Nq4/PPPP1PPP/R1BQKBNR w KQkq - 0 1"
MIDGAME = "r1bqk2r/pppp1ppp/2n2n2/2b1p3/2B1P3/3P1N2/PPP2PPP/RNBQK2R w KQkq - 1 5"


def run(work: Awaitable[T]) -> T:
    return asyncio.run(_run(work))


async def _run(work: Awaitable[T]) -> T:
    return await work


async def _with(engine: ChessEngine, fen: str, level: int, ms: int) -> EngineMove:
    await engine.start()
    try:
        return await engine.play(chess.Board(fen), level, ms)
    finally:
        await engine.close()


def _legal(fen: str, move: str) -> bool:
    return chess.Move.from_uci(move) in chess.Board(fen).legal_moves


@needs_stockfish
@pytest.mark.parametrize("fen", [chess.STARTING_FEN, MIDGAME])
def test_stockfish_plays_a_legal_move(fen: str) -> None:
    pool = StockfishPool(str(STOCKFISH), 1, BuiltinEngine(1))
    result = run(_with(pool, fen, 10, 200))
    assert _legal(fen, result.move)
    assert isinstance(result.score, int)
    assert result.depth
    assert result.depth > 1
    assert result.pv  # the engine's own line; below level 20 it may play another move
    assert pool.name.startswith("Stockfish")


@needs_stockfish
def test_stockfish_finds_mate_in_one() -> None:
    result = run(_with(StockfishPool(str(STOCKFISH), 1, BuiltinEngine(1)), MATE_IN_ONE, 20, 300))
    assert result.move == "a1a8"
    # Stockfish runs on to depth 245 once it sees the mate; the depth said is where it saw it.
    assert (result.mate, result.score, result.depth) == (1, None, 1)


@needs_stockfish
def test_stockfish_reports_being_mated_as_a_negative_mate() -> None:
    result = run(_with(StockfishPool(str(STOCKFISH), 1, BuiltinEngine(1)), MATED_IN_ONE, 20, 200))
    assert (result.move, result.mate, result.score) == ("a8b8", -1, None)


@needs_stockfish
def test_skill_level_is_sent_only_when_it_changes() -> None:
    async def scenario() -> list[int | None]:
        pool = StockfishPool(str(STOCKFISH), 1, BuiltinEngine(1))
        await pool.start()
        skills = []
        try:
            for level in (0, 0, 20):
                await pool.play(chess.Board(), level, 100)
                worker = pool._slots.get_nowait()
                skills.append(worker.skill if worker else None)
                pool._slots.put_nowait(worker)
        finally:
            await pool.close()
        return skills

    assert run(scenario()) == [0, 0, 20]


@needs_stockfish
def test_concurrent_games_share_the_pool_without_blocking_the_loop() -> None:
    async def scenario() -> tuple[list[EngineMove], int]:
        pool = StockfishPool(str(STOCKFISH), 2, BuiltinEngine(1))
        await pool.start()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        clock = asyncio.create_task(ticker())
        try:
            results = await asyncio.gather(*(pool.play(chess.Board(), 5, 200) for _ in range(6)))
        finally:
            clock.cancel()
            await pool.close()
        return list(results), ticks

    results, ticks = run(scenario())
    assert all(_legal(chess.STARTING_FEN, r.move) for r in results)
    assert ticks > 30  # six 200 ms searches on two workers: ~600 ms of a live loop


@needs_stockfish
def test_a_killed_worker_is_replaced_and_the_move_retried() -> None:
    async def scenario() -> tuple[EngineMove, int]:
        pool = StockfishPool(str(STOCKFISH), 1, BuiltinEngine(1))
        await pool.start()
        try:
            worker = pool._slots.get_nowait()
            assert worker is not None
            pid = worker.transport.get_pid()
            pool._slots.put_nowait(worker)
            thinking = asyncio.create_task(pool.play(chess.Board(), 10, 2000))
            await asyncio.sleep(0.3)
            os.kill(pid, signal.SIGKILL)
            result = await thinking
            replacement = pool._slots.get_nowait()
            assert replacement is not None
            assert replacement.transport.get_pid() != pid
            pool._slots.put_nowait(replacement)
            again = await pool.play(chess.Board(), 10, 100)
            assert _legal(chess.STARTING_FEN, again.move)
            return result, pool._slots.qsize()
        finally:
            await pool.close()

    result, size = run(scenario())
    assert _legal(chess.STARTING_FEN, result.move)
    assert size == 1


def test_closing_after_the_workers_died_is_quiet() -> None:
    """Ctrl-C on `make run` signals the whole process group, Stockfish included."""

    async def scenario() -> None:
        pool = StockfishPool(str(STOCKFISH), 2, BuiltinEngine(1))
        await pool.start()
        workers = [pool._slots.get_nowait() for _ in range(2)]
        for worker in workers:
            assert worker is not None
            os.kill(worker.transport.get_pid(), signal.SIGKILL)
            pool._slots.put_nowait(worker)
        await asyncio.sleep(0.3)
        await pool.close()

    uvloop.run(scenario())  # the server's loop, which refuses writes to a dead pipe


def test_a_hanging_engine_falls_back_to_the_builtin_engine() -> None:
    pool = StockfishPool(HANGING, 1, BuiltinEngine(1), attempts=2)
    started = time.monotonic()
    result = run(_with(pool, chess.STARTING_FEN, 5, 100))
    assert _legal(chess.STARTING_FEN, result.move)
    assert time.monotonic() - started < 15


def test_a_binary_that_is_not_an_engine_leaves_the_builtin_engine_playing() -> None:
    pool = StockfishPool("/bin/true", 1, BuiltinEngine(1))
    result = run(_with(pool, chess.STARTING_FEN, 5, 100))
    assert _legal(chess.STARTING_FEN, result.move)
    assert pool.name == "gambit built-in engine (Stockfish did not start)"


@pytest.mark.parametrize("level", [0, 5, 20])
def test_builtin_engine_plays_legal_moves_in_time(level: int) -> None:
    started = time.monotonic()
    result = run(_with(BuiltinEngine(1), MIDGAME, level, 300))
    assert _legal(MIDGAME, result.move)
    assert time.monotonic() - started < 3  # 300 ms of search plus a worker process start


def test_builtin_engine_tactics() -> None:
    mate = run(_with(BuiltinEngine(1), MATE_IN_ONE, 5, 300))
    assert mate.move == "a1a8"
    assert (mate.mate, mate.score) == (1, None)
    mated = run(_with(BuiltinEngine(1), MATED_IN_ONE, 5, 100))
    assert (mated.move, mated.mate, mated.score) == ("a8b8", -1, None)
    queen = run(_with(BuiltinEngine(1), HANGING_QUEEN, 5, 1000))
    assert queen.move in {"c2d3", "f1d3"}


def test_builtin_engine_thinks_for_the_time_asked_as_stockfish_does() -> None:
    level = 0  # a random move, found at once

    async def scenario() -> list[float]:
        engine = BuiltinEngine(1)
        await engine.start()
        try:
            await engine.play(chess.Board(), level, 10)  # the worker process starts
            took = []
            for fen in (chess.STARTING_FEN, MATE_IN_ONE):  # a mate found at once, too
                started = time.monotonic()
                await engine.play(chess.Board(fen), level, 400)
                took.append(time.monotonic() - started)
            return took
        finally:
            await engine.close()

    assert all(0.39 < seconds < 1.5 for seconds in run(scenario()))


def test_builtin_engine_level_zero_varies() -> None:
    async def scenario() -> set[str]:
        engine = BuiltinEngine(1)
        await engine.start()
        try:
            return {(await engine.play(chess.Board(), 0, 10)).move for _ in range(20)}
        finally:
            await engine.close()

    assert len(run(scenario())) > 1


def test_builtin_engine_keeps_the_history_for_repetitions() -> None:
    board = chess.Board()
    for move in ["g1f3", "g8f6", "f3g1", "f6g8"] * 2:
        board.push_uci(move)
    result = run(_with_board(BuiltinEngine(1), board))
    assert _legal(board.fen(), result.move)


async def _with_board(engine: ChessEngine, board: chess.Board) -> EngineMove:
    await engine.start()
    try:
        return await engine.play(board, 5, 200)
    finally:
        await engine.close()


def test_find_stockfish(tmp_path: Path) -> None:
    assert find_stockfish(str(tmp_path / "missing")) is None
    not_executable = tmp_path / "stockfish"
    not_executable.write_text("")
    assert find_stockfish(str(not_executable)) is None
    if STOCKFISH:
        assert find_stockfish(STOCKFISH) == STOCKFISH


def test_create_chess_engine_without_stockfish(tmp_path: Path) -> None:
    engine = create_chess_engine(str(tmp_path / "missing"), 1)
    assert isinstance(engine, BuiltinEngine)
    assert engine.name == "gambit built-in engine"
