"""The duel AI as the battle core sees it: `gambit.ai.duel_search` in worker processes."""

from __future__ import annotations

import random
from typing import Any

from gambit.ai.duel_search import DuelDecision, choose
from gambit.ai.player import Decision, Progress
from gambit.ai.workers import WorkerPool, report
from gambit.games.duel import DuelState


def _info(decision: DuelDecision) -> dict[str, Any]:
    return {"score": decision.score, "depth": decision.depth, "pv": decision.pv}


def _choose_in_worker(
    state: DuelState, level: int, seconds: float, job: str | None = None
) -> DuelDecision:
    return choose(state, level, seconds, random.Random(), lambda line: report(job, _info(line)))


class DuelAI:
    """Chooses duel actions; the search runs in its own processes and reports each
    completed depth to ``progress``."""

    def __init__(self, workers: int) -> None:
        self._pool = WorkerPool(workers, "duel")

    async def choose(
        self, state: DuelState, level: int, search_time_ms: int, progress: Progress | None = None
    ) -> Decision:
        decision = await self._pool.run(
            _choose_in_worker, state.copy(), level, search_time_ms / 1000, progress=progress
        )
        return Decision(decision.action, _info(decision))

    async def close(self) -> None:
        self._pool.close()
