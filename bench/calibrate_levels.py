"""Calibrate gambit's Stockfish levels: a round-robin of levels, Elo with 95% intervals.

    python bench/calibrate_levels.py --levels 0 5 10 15 20 --openings 4 --search-time 100

Plays every pair of levels from the built-in book's first ``--openings`` lines, each twice
with colours swapped, through python-chess and Stockfish (``Skill Level`` and a movetime,
as gambit's AI seats do), then fits Elo with `gambit.contests.fit_elo` anchored on
``--anchor`` with one virtual draw per pair. Prints the rows of
`gambit.contests.calibration.TABLE`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools

import chess
import chess.engine

from gambit.ai.locate import find_stockfish
from gambit.contests import GameResult, Pairing, fit_elo, with_openings
from gambit.games.chess_openings import builtin
from gambit.services.tournaments import PRIOR_DRAWS

MAX_PLIES = 300  # a game still going after this is scored a draw


async def play(path: str, white: int, black: int, fen: str, movetime: float) -> float:
    engines = []
    for level in (white, black):
        _, engine = await chess.engine.popen_uci(path)
        await engine.configure({"Skill Level": level})
        engines.append(engine)
    board = chess.Board(fen)
    try:
        while not board.is_game_over(claim_draw=True) and board.ply() < MAX_PLIES:
            engine = engines[0 if board.turn == chess.WHITE else 1]
            result = await engine.play(board, chess.engine.Limit(time=movetime))
            assert result.move is not None
            board.push(result.move)
    finally:
        for engine in engines:
            await engine.quit()
    return {"1-0": 1.0, "0-1": 0.0}.get(board.result(claim_draw=True), 0.5)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", type=int, nargs="+", default=[0, 5, 10, 15, 20])
    parser.add_argument("--openings", type=int, default=4)
    parser.add_argument("--search-time", type=int, default=100, help="ms per move")
    parser.add_argument("--anchor", type=int, default=10)
    args = parser.parse_args()
    path = find_stockfish(None)
    assert path, "Stockfish not found"
    names = [str(level) for level in args.levels]
    pairings = [Pairing(a, b) for a, b in itertools.combinations(names, 2)]
    schedule = with_openings(pairings, builtin()[: args.openings])
    results = []
    for game in schedule:
        score = await play(
            path, int(game.white), int(game.black), game.opening.fen, args.search_time / 1000
        )
        results.append(GameResult(game.white, game.black, score, pair=game.pair))
        print(f"level {game.white} - level {game.black}: {score}", flush=True)
    fit = fit_elo(names, results, anchor=str(args.anchor), prior_draws=PRIOR_DRAWS)
    print(f"# {len(results)} games, {args.search_time} ms per move, anchor level {args.anchor}")
    for name in names:
        e = fit[name]
        anchor = ", anchor=True" if name == str(args.anchor) else ""
        row = f'"stockfish", {name}, {args.search_time}, {e.elo:.0f}, {e.low:.0f}, {e.high:.0f}'
        print(f"    Calibrated({row}{anchor}),")


if __name__ == "__main__":
    asyncio.run(main())
