"""The duel AI as the battle core sees it: `gambit.ai.duel_search` in worker processes."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ProcessPoolExecutor

from gambit.ai.duel_search import DuelDecision, choose
from gambit.ai.player import Decision
from gambit.ai.workers import process_pool
from gambit.games.duel import DuelState


def _choose_in_worker(state: DuelState, level: int, seconds: float) -> DuelDecision:
    return choose(state, level, seconds, random.Random())


class DuelAI:
    """Chooses duel actions; the search runs in its own processes."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def choose(self, state: DuelState, level: int, search_time_ms: int) -> Decision:
        if self._pool is None:
            self._pool = process_pool(self._workers)
        decision = await asyncio.get_running_loop().run_in_executor(
            self._pool, _choose_in_worker, state.copy(), level, search_time_ms / 1000
        )
        info = {"score": decision.score, "depth": decision.depth, "pv": decision.pv}
        return Decision(decision.action, info)

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
