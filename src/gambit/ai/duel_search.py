"""The duel AI's search: iterative-deepening paranoid alpha-beta over whole turns.

The fighter to move at the root maximises its evaluation; every other fighter is
assumed to minimise it (the "paranoid" reduction of a many-player game to two, which
is exact for two players). Pure and synchronous, so it runs in a worker process.

Strength grows with the level: level 0 plays a random legal action; higher levels
search deeper (one more turn every five levels) and see their evaluation through less
noise, all within the search time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gambit.games.base import Action
from gambit.games.duel import (
    POISONED,
    SHIELDED,
    STUNNED,
    DuelRuleset,
    DuelState,
    Fighter,
    distance,
)

RULES = DuelRuleset()
WIN = 10_000
MAX_DEPTH = 6
_ORDER = {"attack": 0, "bolt": 1, "stun": 2, "poison": 3, "heal": 4, "shield": 5, "move": 6}


class _OutOfTime(Exception):
    pass


@dataclass(frozen=True, slots=True)
class DuelDecision:
    action: Action
    score: float
    depth: int
    pv: list[Action] = field(default_factory=list)


def depth_for(level: int) -> int:
    """Turns searched ahead: 0 for random play, then one more every five levels."""
    return 0 if level <= 0 else min(MAX_DEPTH, 1 + level // 5)


def noise_for(level: int) -> float:
    """How blurred the evaluation is: a weak player misjudges positions."""
    return max(0.0, (15 - level) * 1.5)


def choose(
    state: DuelState,
    level: int,
    seconds: float,
    rng: random.Random,
    on_depth: Callable[[DuelDecision], None] | None = None,
) -> DuelDecision:
    """An action for the fighter to move in ``state`` (not modified); ``on_depth`` hears
    the best line after each completed depth."""
    legal = RULES.legal_actions(state)
    if not legal:
        raise ValueError("no legal action: the duel is over")
    depth_limit = depth_for(level)
    if depth_limit == 0 or len(legal) == 1:
        return DuelDecision(rng.choice(legal), 0.0, 0, [])
    search = _Search(state.turn, time.monotonic() + seconds, noise_for(level), rng)
    best = DuelDecision(legal[0], 0.0, 0, [legal[0]])
    for depth in range(1, depth_limit + 1):
        try:
            score, line = search.root(state, legal, depth)
        except _OutOfTime:
            break
        best = DuelDecision(line[0], round(score, 1), depth, line)
        if on_depth is not None:
            on_depth(best)
        if abs(score) >= WIN / 2:
            break  # a forced result: deeper search changes nothing
    return best


class _Search:
    def __init__(self, me: int, deadline: float, noise: float, rng: random.Random) -> None:
        self.me = me
        self.deadline = deadline
        self.noise = noise
        self.rng = rng
        self.nodes = 0
        # Noise per position, so that the same position looks the same within one search.
        self._blur: dict[tuple[Any, ...], float] = {}

    def root(self, state: DuelState, legal: list[Action], depth: int) -> tuple[float, list[Action]]:
        best_score, best_line = -float("inf"), [legal[0]]
        alpha, beta = -float("inf"), float("inf")
        for action in _ordered(state, legal):
            child, _ = RULES.apply(state.copy(), action)
            score, line = self.value(child, depth - 1, alpha, beta)
            if score > best_score:
                best_score, best_line = score, [action, *line]
            alpha = max(alpha, score)
        return best_score, best_line

    def value(
        self, state: DuelState, depth: int, alpha: float, beta: float
    ) -> tuple[float, list[Action]]:
        self.nodes += 1
        if self.nodes % 256 == 0 and time.monotonic() > self.deadline:
            raise _OutOfTime
        outcome = RULES.outcome(state)
        if outcome is not None:
            if not outcome.winners:
                return 0.0, []
            won = self.me in outcome.winners
            # Sooner wins and later losses are better.
            return (WIN - state.round if won else -WIN + state.round), []
        if depth == 0:
            return self.evaluate(state), []
        maximising = state.turn == self.me
        best_line: list[Action] = []
        best = -float("inf") if maximising else float("inf")
        for action in _ordered(state, RULES.legal_actions(state)):
            child, _ = RULES.apply(state.copy(), action)
            score, line = self.value(child, depth - 1, alpha, beta)
            if maximising and score > best:
                best, best_line = score, [action, *line]
                alpha = max(alpha, score)
            elif not maximising and score < best:
                best, best_line = score, [action, *line]
                beta = min(beta, score)
            if alpha >= beta:
                break
        return best, best_line

    def evaluate(self, state: DuelState) -> float:
        """The position from the root fighter's side, in health points."""
        me = state.fighters[self.me]
        enemies = [f for i, f in enumerate(state.fighters) if i != self.me and f.alive]
        score = _strength(me) - sum(_strength(f) for f in enemies) / max(1, len(enemies))
        if enemies:
            nearest = min(distance(me, f) for f in enemies)
            weakest = min(f.health for f in enemies)
            # Close in when ahead (or level), keep away when behind.
            score -= (0.8 if me.health >= weakest else -0.4) * nearest
        if self.noise:
            key = _position_key(state)
            if key not in self._blur:
                self._blur[key] = self.rng.uniform(-self.noise, self.noise)
            score += self._blur[key]
        return score


def _position_key(state: DuelState) -> tuple[Any, ...]:
    return (
        state.turn,
        *((f.health, f.energy, f.x, f.y, *sorted(f.status.items())) for f in state.fighters),
    )


def _strength(fighter: Fighter) -> float:
    if not fighter.alive:
        return 0.0
    value = fighter.health + 1.5 * fighter.energy
    value -= 5 * fighter.status.get(POISONED, 0)
    value -= 8 if STUNNED in fighter.status else 0
    value += 3 if SHIELDED in fighter.status else 0
    return value


def _ordered(state: DuelState, actions: list[Action]) -> list[Action]:
    """Forceful actions first, and moves that close in before moves that back off."""
    enemies = [f for i, f in enumerate(state.fighters) if i != state.turn and f.alive]

    def key(action: Action) -> tuple[int, int]:
        rank = _ORDER.get(action["type"], 7)
        if action["type"] == "move" and enemies:
            to: dict[str, Any] = action["to"]
            gap = min(abs(to["x"] - f.x) + abs(to["y"] - f.y) for f in enemies)
            return rank, gap
        return rank, 0

    return sorted(actions, key=key)
