"""A pool of Stockfish processes, driven over UCI by python-chess.

Each process searches one position at a time; callers wait their turn in order. A
process that dies, errs or overruns its time is killed and replaced and the move is
tried again; when Stockfish cannot produce a move at all, the fallback engine plays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

import chess
import chess.engine

from gambit.ai.engine import ChessEngine, EngineMove, Progress
from gambit.metrics import ENGINE_BUSY, ENGINE_QUEUED, ENGINE_SEARCH

log = logging.getLogger(__name__)

HASH_MB = 16
QUIT_SECONDS = 2.0


@dataclass(slots=True)
class _Worker:
    transport: asyncio.SubprocessTransport
    engine: chess.engine.UciProtocol
    skill: int | None = None


class StockfishPool:
    """`ENGINE_WORKERS` Stockfish processes shared fairly by every game."""

    def __init__(
        self,
        command: str | list[str],
        workers: int,
        fallback: ChessEngine,
        *,
        attempts: int = 2,
    ) -> None:
        self._command = command
        self._size = workers
        self._fallback = fallback
        self._attempts = attempts
        # A slot holds a live worker, or None for one to (re)start when next taken.
        self._slots: asyncio.Queue[_Worker | None] = asyncio.Queue()
        self._name: str | None = None
        self._busy = ENGINE_BUSY.labels("stockfish")
        self._queued = ENGINE_QUEUED.labels("stockfish")
        self._search_seconds = ENGINE_SEARCH.labels("stockfish")

    @property
    def name(self) -> str:
        if self._name is None:
            return f"{self._fallback.name} (Stockfish did not start)"
        return self._name

    async def start(self) -> None:
        await self._fallback.start()
        for _ in range(self._size):
            self._slots.put_nowait(await self._spawn())

    async def play(
        self,
        board: chess.Board,
        level: int,
        search_time_ms: int,
        progress: Progress | None = None,
    ) -> EngineMove:
        deadline = search_time_ms / 1000 + max(2.0, search_time_ms / 1000)
        started = time.perf_counter()
        for attempt in range(1, self._attempts + 1):
            with self._queued.track_inprogress():
                worker = await self._slots.get()
            self._busy.inc()
            try:
                if worker is None:
                    worker = await self._spawn()
                if worker is None:
                    break  # Stockfish cannot be started: no point in retrying
                move = await asyncio.wait_for(
                    self._search(worker, board, level, search_time_ms, progress), deadline
                )
                self._search_seconds.observe(time.perf_counter() - started)
                return move
            except (chess.engine.EngineError, TimeoutError) as exc:
                log.warning("Stockfish failed (attempt %d): %r; restarting it", attempt, exc)
                if worker is not None:
                    await _kill(worker)
                worker = None
            finally:
                self._busy.dec()
                self._slots.put_nowait(worker)
        log.warning("no move from Stockfish; the built-in engine plays this one")
        return await self._fallback.play(board, level, search_time_ms)

    async def close(self) -> None:
        while not self._slots.empty():
            worker = self._slots.get_nowait()
            if worker is not None:
                await _quit(worker)
        await self._fallback.close()

    async def _spawn(self) -> _Worker | None:
        try:
            # A session of its own: a Ctrl-C at the terminal is the server's to answer (it
            # quits its engines as it stops), not the death of Stockfish mid-search.
            transport, engine = await asyncio.wait_for(
                chess.engine.popen_uci(self._command, start_new_session=True), QUIT_SECONDS * 5
            )
            await engine.configure({"Threads": 1, "Hash": HASH_MB})
        except (OSError, chess.engine.EngineError, TimeoutError) as exc:
            log.error("cannot start Stockfish %s: %r", self._command, exc)
            return None
        self._name = engine.id.get("name", "Stockfish")
        return _Worker(transport, engine)

    async def _search(
        self,
        worker: _Worker,
        board: chess.Board,
        level: int,
        search_time_ms: int,
        progress: Progress | None,
    ) -> EngineMove:
        if worker.skill != level:
            await worker.engine.configure({"Skill Level": level})
            worker.skill = level
        told: EngineMove | None = None  # the last line worth telling
        with await worker.engine.analysis(
            board.copy(),
            chess.engine.Limit(time=search_time_ms / 1000),
            info=chess.engine.INFO_SCORE | chess.engine.INFO_PV,
        ) as analysis:
            async for info in analysis:
                if not info.get("depth") or "pv" not in info:
                    continue
                line = _line(board, info)
                if told is None or not _repeats(line, told):
                    told = line
                    if progress is not None:
                        await progress(line)
            best = await analysis.wait()
            last = _line(board, analysis.info)
        if best.move is None or not board.is_legal(best.move):
            raise chess.engine.EngineError(f"engine answered {best.move} for {board.fen()}")
        if told is not None and _repeats(last, told):
            last = told  # a mate, at the depth it was first seen
        return EngineMove(best.move.uci(), last.score, last.depth, last.pv, last.mate)


def _line(board: chess.Board, info: chess.engine.InfoDict) -> EngineMove:
    """What an engine's info says: the first move of its line, its score (centipawns,
    or moves to mate), depth, line; from the side to move's view."""
    score = info.get("score")
    mover = score.pov(board.turn) if score else None
    pv = [move.uci() for move in info.get("pv", [])]
    return EngineMove(
        move=pv[0] if pv else "",
        score=mover.score() if mover else None,  # None for a mate
        depth=info.get("depth"),
        pv=pv,
        mate=mover.mate() if mover else None,
    )


def _repeats(line: EngineMove, told: EngineMove) -> bool:
    """Whether ``line`` says nothing new after ``told``: no deeper, or the same mate by
    the same line. Once Stockfish sees a mate it runs through every depth to its last
    (245) in moments, and each would only say it again."""
    if (line.depth or 0) <= (told.depth or 0):
        return True
    return line.mate is not None and (line.mate, line.pv) == (told.mate, told.pv)


async def _quit(worker: _Worker) -> None:
    # RuntimeError: the process is already gone, e.g. killed from outside.
    with contextlib.suppress(chess.engine.EngineError, TimeoutError, RuntimeError):
        await asyncio.wait_for(worker.engine.quit(), QUIT_SECONDS)
    await _kill(worker)


async def _kill(worker: _Worker) -> None:
    with contextlib.suppress(ProcessLookupError):
        worker.transport.kill()
    worker.transport.close()
