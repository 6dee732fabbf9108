"""The duel AI as the battle core sees it: `gambit.ai.duel_search` in worker processes."""

from __future__ import annotations

import random

from gambit.ai.duel_search import DuelDecision, choose
from gambit.ai.player import Decision, Progress
from gambit.ai.workers import WorkerPool
from gambit.games.duel import DuelState


def _choose_in_worker(state: DuelState, level: int, seconds: float) -> DuelDecision:
    return choose(state, level, seconds, random.Random())


class DuelAI:
    """Chooses duel actions; the search runs in its own processes."""

    def __init__(self, workers: int) -> None:
        self._pool = WorkerPool(workers)

    async def choose(
        self, state: DuelState, level: int, search_time_ms: int, progress: Progress | None = None
    ) -> Decision:
        """The search runs in a worker process and reports only its result."""
        decision = await self._pool.run(
            _choose_in_worker, state.copy(), level, search_time_ms / 1000
        )
        info = {"score": decision.score, "depth": decision.depth, "pv": decision.pv}
        return Decision(decision.action, info)

    async def close(self) -> None:
        self._pool.close()
