"""The duel AI: legal choices, the obvious tactics, the level scale, the worker wrapper."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from typing import Any

from gambit.ai.duel import DuelAI
from gambit.ai.duel_search import choose, depth_for
from gambit.ai.workers import WorkerPool
from gambit.games.duel import DuelRuleset, DuelState, Fighter

RULES = DuelRuleset()


def _state(*fighters: Fighter, turn: int = 0) -> DuelState:
    return DuelState(size=7, max_rounds=100, fighters=list(fighters), turn=turn)


def test_level_zero_plays_random_legal_actions() -> None:
    state = RULES.initial_state(2, {}, seed=1)
    legal = RULES.legal_actions(state)
    chosen = {
        json.dumps(choose(state, 0, 0.1, random.Random(i)).action, sort_keys=True)
        for i in range(30)
    }
    assert len(chosen) > 3
    assert all(json.loads(action) in legal for action in chosen)


def test_it_takes_a_kill_when_there_is_one() -> None:
    state = _state(Fighter(100, 5, 3, 3), Fighter(10, 5, 3, 4))
    decision = choose(state, 10, 1.0, random.Random(1))
    assert decision.action == {"type": "attack", "target": 1}
    assert decision.score > 1000


def test_it_does_not_change_the_state_it_is_given() -> None:
    state = RULES.initial_state(3, {}, seed=1)
    before = state.copy()
    choose(state, 20, 0.2, random.Random(1))
    assert state == before


def test_deeper_with_the_level_and_within_the_time() -> None:
    assert [depth_for(level) for level in (0, 1, 5, 10, 20)] == [0, 1, 2, 3, 5]
    state = RULES.initial_state(4, {}, seed=1)
    started = time.monotonic()
    decision = choose(state, 20, 0.3, random.Random(1))
    assert time.monotonic() - started < 1.5  # the time check runs every 256 nodes
    assert decision.depth >= 1
    assert decision.pv[0] == decision.action


def test_the_worker_wrapper_answers_a_decision() -> None:
    async def scenario() -> None:
        ai = DuelAI(1)
        try:
            state = _state(Fighter(100, 5, 3, 3), Fighter(10, 5, 3, 4))
            decision = await ai.choose(state, 10, 500)
            assert decision.action == {"type": "attack", "target": 1}
            assert set(decision.info) == {"score", "depth", "pv"}
        finally:
            await ai.close()

    asyncio.run(scenario())


def test_workers_that_die_are_replaced() -> None:
    pool = WorkerPool(1, "duel")

    async def run() -> None:
        assert await pool.run(os.getpid) != os.getpid()
        executor = pool._executor()
        for process in list(executor._processes.values()):  # the worker dies
            process.kill()
            process.join()
        await asyncio.sleep(0.2)
        assert await pool.run(abs, -3) == 3

    try:
        asyncio.run(run())
    finally:
        pool.close()


def test_the_ai_reports_each_depth_before_it_answers() -> None:
    ai = DuelAI(1)
    lines: list[dict[str, Any]] = []

    async def heard(line: dict[str, Any]) -> None:
        lines.append(line)

    async def run() -> None:
        state = RULES.initial_state(2, {"size": 5}, seed=3)
        decision = await ai.choose(state, 20, 300, heard)
        assert lines, "no report before the answer"
        depths = [line["depth"] for line in lines]
        assert depths == sorted(depths)
        assert depths[0] == 1
        assert decision.info["depth"] == depths[-1]
        assert lines[-1]["pv"][0] == decision.action

    try:
        asyncio.run(run())
    finally:
        asyncio.run(ai.close())
