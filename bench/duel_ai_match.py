"""How strong is the duel AI at each level? Matches between levels, seats alternated.

Run with ``.venv/bin/python bench/duel_ai_match.py`` (``--games``, ``--search-ms``,
``--seed``). Each pairing plays ``--games`` two-player duels on the default 7x7 board,
the stronger level taking the first seat in every other game; games run in parallel on
every CPU. The project's goals: level 10 beats level 0 in at least 90% of games, and
level 20 beats level 5 in at least 65%. Exits 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import time
from dataclasses import dataclass

from gambit.ai.duel_search import choose
from gambit.games.duel import DuelRuleset

RULES = DuelRuleset()
PAIRINGS = ((10, 0, 0.90), (20, 5, 0.65))


@dataclass(frozen=True)
class Result:
    winner: int | None  # the level that won, None for a draw
    turns: int
    seconds: float


def play(levels: tuple[int, int], search_ms: int, seed: int) -> Result:
    """One duel; ``levels[i]`` plays seat ``i``."""
    rng = random.Random(seed)
    state = RULES.initial_state(2, {}, seed)
    turns, started = 0, time.perf_counter()
    while (outcome := RULES.outcome(state)) is None:
        decision = choose(state, levels[state.turn], search_ms / 1000, rng)
        state, _ = RULES.apply(state, decision.action)
        turns += 1
    winner = levels[outcome.winners[0]] if outcome.winners else None
    return Result(winner, turns, time.perf_counter() - started)


def _game(job: tuple[int, int, int, int, int]) -> tuple[int, int, Result]:
    strong, weak, index, search_ms, seed = job
    levels = (strong, weak) if index % 2 == 0 else (weak, strong)
    return strong, weak, play(levels, search_ms, seed * 1000 + index)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=100, help="games per pairing")
    parser.add_argument("--search-ms", type=int, default=100, help="search time per action")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    jobs = [
        (strong, weak, index, args.search_ms, args.seed)
        for strong, weak, _ in PAIRINGS
        for index in range(args.games)
    ]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(os.cpu_count()) as pool:
        results = pool.map(_game, jobs)
    print(
        f"{args.games} games per pairing, {args.search_ms} ms a move, seed {args.seed}, "
        f"{os.cpu_count()} CPUs, {time.perf_counter() - started:.0f} s\n"
    )
    print("| stronger | weaker | wins | losses | draws | win rate | goal | turns/game |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    missed = False
    for strong, weak, goal in PAIRINGS:
        games = [r for s, w, r in results if (s, w) == (strong, weak)]
        wins = sum(r.winner == strong for r in games)
        losses = sum(r.winner == weak for r in games)
        draws = len(games) - wins - losses
        rate = wins / len(games)
        missed |= rate < goal
        turns = sum(r.turns for r in games) / len(games)
        print(
            f"| {strong} | {weak} | {wins} | {losses} | {draws} | {rate:.0%} | "
            f"{goal:.0%} | {turns:.0f} |"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
