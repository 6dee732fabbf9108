"""A long match between two built-in engines, run by the server's tournament runner.

Run with ``make bench-tournament`` (or ``.venv/bin/python bench/tournament.py --help``;
``--quick`` for 50 games). The script starts ``gambit serve`` (``bench/http_load.py``'s
``launch``: a fresh SQLite file, rate limits off, ``--engine-workers`` = ``--concurrency``
so no search waits for a Stockfish process), registers an organiser, and creates through
``POST /api/v1/tournaments`` a round-robin of two participants (a match without SPRT
stopping): Stockfish level 5 against level 6 (``--levels``), ``--search-time`` ms a move
(default 10), ``--games`` games (default 1000, colours swapped on each book opening), a
fast clock (``--limit`` seconds, ``--increment``; default 10+0), ``--concurrency`` games at
once (default 2). It polls ``GET /api/v1/tournaments/{id}`` until the end, then reads
every game's replay (``GET /api/v1/state/replay/{id}``: the stored action log with each
action's time). Figures:

- **games per minute**: finished games over the time from the runner's ``startedAt`` to
  the last move of the last game. ``--max-minutes`` (default 45) cancels the match when
  it runs longer (the games in play finish and count): the figures are then over the
  games played, which the output says;
- **move gap**: the time between two consecutive stored actions of a game, which is what
  the clock charges the side to move: the server stores and announces the previous move,
  marks the battle as thinking (a second commit), hands the position to a Stockfish
  process, waits ``searchTime``, then validates, applies and stores the move. The first
  action of each game (which also covers creating the battle) is left out;
- **baseline**, in the same run, before the match, with the server up and idle: the
  same Stockfish binary driven from this process through python-chess (``Skill Level``,
  ``go movetime``), ``--concurrency`` engines in parallel on positions of the book, timed
  from the request to the best move: what a move costs without any server;
- **added delay per move** = move gap - baseline (p50 from p50, p99 from p99), and the
  ratio gap / baseline;
- **lost on time because the server was late**: games whose result reason is
  ``timeout`` (or ``aborted``: a first move later than 30 s). An engine seat never
  manages its clock: it thinks ``searchTime`` a move whatever it has left, so with
  ``searchTime`` x (its moves) far below the limit a flag can only come from the time
  around the searches, i.e. from the server (or an engine that overran its movetime,
  which the baseline shows is rare). Each such game is listed with that budget check.
  The project's goal is at most 0.05% (fastchess's rate: 10 in 20,000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import chess
import chess.engine

from gambit.ai.locate import find_stockfish
from gambit.games.chess_openings import builtin
from organiser import Organiser, gambit_server

GOAL_LATE_SHARE = 0.0005
BASELINE_MOVES = 200  # per engine process


@dataclass(frozen=True)
class Figures:
    games: int
    minutes: float
    games_per_minute: float
    moves: int
    gap_p50_ms: float
    gap_p99_ms: float
    baseline_p50_ms: float
    baseline_p99_ms: float
    added_p50_ms: float
    added_p99_ms: float
    ratio_p50: float
    ratio_p99: float
    timeouts: int
    late: int
    late_share: float
    reasons: dict[str, int]
    plies_mean: float
    gap_max_ms: float
    least_left_ms: float  # the least time any side had left after a move
    score_second: float  # the second level's points per game
    elo_second: float | None
    elo_second_low: float | None
    elo_second_high: float | None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def _engine_times(path: str, level: int, search_ms: int, fens: list[str]) -> list[float]:
    _, engine = await chess.engine.popen_uci(path)
    try:
        await engine.configure({"Threads": 1, "Hash": 16, "Skill Level": level})
        times = []
        for fen in fens:
            board = chess.Board(fen)
            started = time.perf_counter()
            await engine.play(board, chess.engine.Limit(time=search_ms / 1000))
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        await engine.quit()


async def baseline(level: int, search_ms: int, parallel: int, moves: int) -> list[float]:
    """Stockfish alone: ms from asking for a move to getting it, ``parallel`` at once."""
    path = find_stockfish(None)
    if path is None:
        raise RuntimeError("Stockfish not found: the benchmark plays Stockfish levels")
    book = [o.fen for o in builtin()]
    fens = [book[k % len(book)] for k in range(moves)]
    runs = await asyncio.gather(
        *(_engine_times(path, level, search_ms, fens) for _ in range(parallel))
    )
    return [t for run in runs for t in run]


def match(args: argparse.Namespace) -> dict[str, Any]:
    low, high = args.levels
    return {
        "name": f"benchmark: Stockfish {low} vs {high}, {args.games} games",
        "game": "chess",
        "format": "round-robin",
        "participants": [
            {"engine": "stockfish", "level": level, "searchTime": args.search_time}
            for level in (low, high)
        ],
        "gamesPerPairing": args.games,
        "timeControl": {"limit": args.limit, "increment": args.increment},
        "openings": {"book": "builtin"},
        "concurrency": args.concurrency,
    }


def late_game(replay: dict[str, Any], loser: int, args: argparse.Namespace) -> str:
    """How a game lost on time went for its loser: its moves, its search budget, its
    gaps. A flag with the budget far below the limit is the server's."""
    actions = replay["actions"]
    loser_id = next(p["id"] for p in replay["battle"]["players"] if p["seat"] == loser)
    start = replay["battle"]["createdAt"]
    stamps = [start] + [a["at"] for a in actions]
    # a book line may leave black to move first: seats by player id, not by parity
    own = [
        stamps[k + 1] - stamps[k]
        for k, action in enumerate(actions)
        if action["playerId"] == loser_id
    ]
    budget = len(own) * args.search_time
    longest = max(own[1:], default=0)  # its first move is not timed
    return (
        f"{replay['battle']['id']}: seat {loser} flagged after {len(own)} moves, "
        f"search budget {budget} ms of {args.limit * 1000} ms, its longest gap {longest} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=1000, help="even; at most 1000")
    parser.add_argument("--quick", action="store_true", help="50 games")
    parser.add_argument("--levels", type=int, nargs=2, default=[5, 6])
    parser.add_argument("--search-time", type=int, default=10, help="ms a move (10)")
    parser.add_argument("--limit", type=int, default=10, help="clock: seconds (10)")
    parser.add_argument("--increment", type=int, default=0, help="clock: seconds a move (0)")
    parser.add_argument("--concurrency", type=int, default=2, help="games at once (2)")
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=45,
        help="cancel the match after this long and report the games played (45; 0: none)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.games = 50
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    )
    print(
        f"Stockfish {args.levels[0]} vs {args.levels[1]}, {args.games} games, "
        f"{args.search_time} ms a move, clock {args.limit}+{args.increment}, "
        f"concurrency {args.concurrency}"
    )
    workers = ["--engine-workers", str(args.concurrency)]
    with gambit_server(workers) as port:
        base = asyncio.run(
            baseline(args.levels[0], args.search_time, args.concurrency, BASELINE_MOVES)
        )
        print(
            f"baseline: Stockfish alone, {len(base)} moves: p50 {percentile(base, 0.5):.1f} ms,"
            f" p99 {percentile(base, 0.99):.1f} ms"
        )
        organiser = Organiser(port)
        try:
            limit = args.max_minutes * 60 if args.max_minutes else None
            found, _ = organiser.run(match(args), "match", limit)
            games = [g for g in found["games"] if g["result"]]
            replays = {g["battleId"]: organiser.replay(g["battleId"]) for g in games}
        finally:
            organiser.close()

    # To the last move of the last game: a canceled match finishes its games after that.
    ended = max(r["actions"][-1]["at"] for r in replays.values() if r["actions"])
    minutes = (ended - found["startedAt"]) / 60_000
    gaps: list[float] = []
    plies = []
    least_left = args.limit * 1000  # the least time any side had left after a move
    for replay in replays.values():
        actions = replay["actions"]
        stamps = [a["at"] for a in actions]
        plies.append(len(stamps))
        gaps.extend(stamps[k + 1] - stamps[k] for k in range(len(stamps) - 1))
        spent: dict[str, int] = {}
        for k in range(1, len(actions)):
            mover = actions[k]["playerId"]
            if mover not in spent:  # its first move: no time runs yet
                spent[mover] = 0
                continue
            spent[mover] += stamps[k] - stamps[k - 1] - args.increment * 1000
            least_left = min(least_left, args.limit * 1000 - spent[mover])
    reasons = Counter(g["result"]["reason"] for g in games)
    lost_on_time = [g for g in games if g["result"]["reason"] in ("timeout", "aborted")]
    if found["status"] == "canceled":
        print(f"\nthe match ran out of time: {len(games)} of {args.games} games played")
    print(f"\nresults by reason: {dict(reasons.most_common())}")
    for g in lost_on_time:
        loser = 0 if g["result"]["points"][0] < g["result"]["points"][1] else 1
        print("  lost on time:", late_game(replays[g["battleId"]], loser, args))
    # Every flag counts as the server's: a search budget far below the limit (checked per
    # game above) leaves nothing else to charge.
    late = len(lost_on_time)
    second = found["participants"][1]["id"]
    row = next(s for s in found["standings"] if s["participantId"] == second)
    gap50, gap99 = percentile(gaps, 0.5), percentile(gaps, 0.99)
    base50, base99 = percentile(base, 0.5), percentile(base, 0.99)
    figures = Figures(
        games=len(games),
        minutes=round(minutes, 2),
        games_per_minute=round(len(games) / minutes, 1),
        moves=len(gaps),
        gap_p50_ms=gap50,
        gap_p99_ms=gap99,
        baseline_p50_ms=round(base50, 1),
        baseline_p99_ms=round(base99, 1),
        added_p50_ms=round(gap50 - base50, 1),
        added_p99_ms=round(gap99 - base99, 1),
        ratio_p50=round(gap50 / base50, 2),
        ratio_p99=round(gap99 / base99, 2),
        timeouts=reasons.get("timeout", 0),
        late=late,
        late_share=late / len(games),
        reasons=dict(reasons),
        plies_mean=round(statistics.fmean(plies), 1),
        gap_max_ms=max(gaps),
        least_left_ms=least_left,
        score_second=round(row["points"] / row["games"], 3),
        elo_second=row["elo"],
        elo_second_low=row["eloLow"],
        elo_second_high=row["eloHigh"],
    )
    print(
        "\n| games | minutes | games/min | moves | gap p50 / p99 ms | Stockfish alone p50 / p99 ms"
        " | added p50 / p99 ms | gap / alone p50 / p99 | lost on time (server late) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    f = figures
    print(
        f"| {f.games} | {f.minutes:.1f} | **{f.games_per_minute:.1f}** | {f.moves} "
        f"| {f.gap_p50_ms:.0f} / {f.gap_p99_ms:.0f} "
        f"| {f.baseline_p50_ms:.1f} / {f.baseline_p99_ms:.1f} "
        f"| **{f.added_p50_ms:.1f} / {f.added_p99_ms:.1f}** "
        f"| {f.ratio_p50:.2f} / {f.ratio_p99:.2f} "
        f"| **{f.late} ({f.late_share:.2%})** |"
    )
    print(
        f"\nlongest move gap {f.gap_max_ms:.0f} ms; the least time a side had left after a "
        f"move: {f.least_left_ms:.0f} ms of {args.limit * 1000}"
    )
    print(
        f"plies per game {f.plies_mean}; level {args.levels[1]} scored {f.score_second:.3f} "
        f"a game, Elo {f.elo_second} ({f.elo_second_low} … {f.elo_second_high}) "
        f"against level {args.levels[0]}"
    )
    met = f.late_share <= GOAL_LATE_SHARE
    print(f"goal: lost on time <= {GOAL_LATE_SHARE:.2%}: {'met' if met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(asdict(figures), indent=2))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
