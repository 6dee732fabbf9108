"""Calibrate gambit's built-in engines: round-robins of their levels, run by the server.

Run with ``make calibrate`` (or ``.venv/bin/python bench/calibrate_levels.py --help``;
``--write`` also regenerates ``src/gambit/contests/calibration.py``, the table
``GET /api/v1/engines`` serves). The script starts ``gambit serve`` (``bench/http_load.py``'s
``launch``: a fresh SQLite file, rate limits off, ``--engine-workers 2``), registers an
organiser and creates, through ``POST /api/v1/tournaments``, two round-robins that the
server's tournament runner plays as ordinary battles:

- chess: Stockfish at levels 0, 5, 10, 15, 20 (``Skill Level``), ``--search-time`` ms a
  move (default 50), openings from the built-in book, each played twice with colours
  swapped, ``--games-per-pairing`` games per pair of levels (default 16);
- duel: the duel AI at the same levels, ``--duel-search-time`` ms an action (default 50),
  seeded starts mirrored between the two games of a pair, the duel's round limit (100)
  as adjudication.

No time control (engines think ``searchTime`` a move, so a clock would only measure the
server), ``concurrency`` 2 (``--concurrency``). Chess games are played out to the end:
the runner applies no chess adjudication yet (only the duel's round limit), so none is
asked for. It polls ``GET /api/v1/tournaments/{id}`` until the end and reads the runner's
Elo fit (maximum likelihood, one virtual draw per pair that met, 95% intervals), which is
anchored on the first engine participant: level 10 is entered first, so it is the anchor
at 0. Chess and duel Elo are separate scales. ``--quick``: 2 games per pairing, 20 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from organiser import Organiser, gambit_server

LEVELS = (10, 0, 5, 15, 20)  # the first is the runner's anchor
CALIBRATION = Path(__file__).resolve().parents[1] / "src" / "gambit" / "contests" / "calibration.py"


@dataclass(frozen=True)
class Row:
    engine: str
    level: int
    search_time: int
    elo: float
    low: float
    high: float
    points: float
    games: int
    wins: int
    draws: int
    losses: int
    anchor: bool


@dataclass(frozen=True)
class Run:
    engine: str
    search_time: int
    games: int
    per_pairing: int
    seconds: float
    rows: list[Row]
    reasons: Counter[str]
    crosstable: dict[int, dict[int, str]]  # row level's points / games against column's


def tournament(engine: str, search_time: int, per_pairing: int, concurrency: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"calibration: {engine} levels",
        "game": "chess" if engine == "stockfish" else "duel",
        "format": "round-robin",
        "participants": [
            {"engine": engine, "level": level, "searchTime": search_time} for level in LEVELS
        ],
        "gamesPerPairing": per_pairing,
        "timeControl": None,
        "concurrency": concurrency,
    }
    if engine == "stockfish":
        body["openings"] = {"book": "builtin"}
    else:
        body["adjudication"] = {"maxRounds": 100}
    return body


def calibrate(
    organiser: Organiser, engine: str, search_time: int, per_pairing: int, concurrency: int
) -> Run:
    body = tournament(engine, search_time, per_pairing, concurrency)
    found, seconds = organiser.run(body, engine)
    if found["status"] != "finished":
        raise RuntimeError(f"the {engine} round-robin ended {found['status']}")
    levels = {p["id"]: p["level"] for p in found["participants"]}
    anchor = found["participants"][0]["id"]
    rows = []
    for s in found["standings"]:
        if s["elo"] is None:
            raise RuntimeError(f"no Elo for {engine} level {levels[s['participantId']]}")
        rows.append(
            Row(
                engine,
                levels[s["participantId"]],
                search_time,
                s["elo"],
                s["eloLow"],
                s["eloHigh"],
                s["points"],
                s["games"],
                s["wins"],
                s["draws"],
                s["losses"],
                s["participantId"] == anchor,
            )
        )
    rows.sort(key=lambda r: r.level)
    # "round limit: most health (92)" and the like, counted as one reason
    reasons = Counter(g["result"]["reason"].split(":")[0] for g in found["games"] if g["result"])
    games = sum(1 for g in found["games"] if g["result"])
    cross = {
        levels[a]: {levels[b]: f"{c['points']:g}/{c['games']}" for b, c in row.items()}
        for a, row in found["crosstable"].items()
    }
    return Run(engine, search_time, games, per_pairing, seconds, rows, reasons, cross)


def show(run: Run) -> None:
    print(
        f"\n{run.engine}: {run.games} games ({run.per_pairing} per pair of levels), "
        f"{run.search_time} ms a move, {run.seconds:.0f} s; Elo relative to level 10 "
        f"(the anchor), 95% intervals"
    )
    print("| level | Elo | 95% interval | points / games | W-D-L |")
    print("|---:|---:|---|---:|---|")
    for r in run.rows:
        interval = "anchor" if r.anchor else f"{r.low:+.0f} … {r.high:+.0f}"
        print(
            f"| {r.level} | {r.elo:+.0f} | {interval} | {r.points:g} / {r.games} "
            f"| {r.wins}-{r.draws}-{r.losses} |"
        )
    order = sorted(run.crosstable)
    print("\ncrosstable (row's points / games against column):")
    print("| level | " + " | ".join(str(level) for level in order) + " |")
    print("|---:|" + "---:|" * len(order))
    for a in order:
        cells = " | ".join(run.crosstable[a].get(b, "") for b in order)
        print(f"| {a} | {cells} |")
    print("results by reason:", ", ".join(f"{k} {v}" for k, v in run.reasons.most_common()))


def write(runs: list[Run]) -> None:
    """Regenerate ``calibration.py`` from the runs."""
    today = datetime.date.today().isoformat()
    described = "\n".join(
        f"- {r.engine}: {r.games} games ({r.per_pairing} per pair of levels), "
        f"{r.search_time} ms a move, {r.seconds:.0f} s;"
        for r in runs
    )
    lines = [
        f'    Calibrated("{r.engine}", {r.level}, {r.search_time}, {r.elo:.0f}, '
        f"{r.low:.0f}, {r.high:.0f}{', anchor=True' if r.anchor else ''}),"
        for run in runs
        for r in run.rows
    ]
    source = f'''"""What gambit's built-in engine levels are worth, in Elo with 95% intervals.

Generated by ``bench/calibrate_levels.py --write`` ({today}, {os.cpu_count()} CPUs): a
round-robin of levels 0, 5, 10, 15 and 20 per engine, run by the server's tournament
runner (chess openings from the built-in book, each played twice with colours swapped;
duel starts seeded and mirrored), Elo fitted by the runner (maximum likelihood, one
virtual draw per pair of levels that met) and anchored on level 10 at 0. Chess and duel
are separate scales. The runs:

{described}

Intervals are wide where two levels rarely drew or lost to each other (a clean sweep
only bounds the gap from below; the virtual draw keeps it finite). Re-run the bench with
more ``--games-per-pairing`` for a sharper table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Calibrated:
    engine: str
    level: int
    search_time: int  # ms per move
    elo: float
    low: float
    high: float
    anchor: bool = False


TABLE: tuple[Calibrated, ...] = (
{chr(10).join(lines)}
)
'''
    CALIBRATION.write_text(source)
    print(f"\nwrote {CALIBRATION}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games-per-pairing", type=int, default=16, help="even (default 16)")
    parser.add_argument("--search-time", type=int, default=50, help="chess: ms a move (50)")
    parser.add_argument("--duel-search-time", type=int, default=50, help="duel: ms an action")
    parser.add_argument("--concurrency", type=int, default=2, help="games at once (2)")
    parser.add_argument("--engine", choices=("stockfish", "duel-ai"), help="only this one")
    parser.add_argument("--quick", action="store_true", help="2 games per pairing, 20 ms")
    parser.add_argument("--write", action="store_true", help="regenerate calibration.py")
    args = parser.parse_args()
    per_pairing, chess_ms, duel_ms = args.games_per_pairing, args.search_time, args.duel_search_time
    if args.quick:
        per_pairing, chess_ms, duel_ms = 2, 20, 20
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    )
    engines = [args.engine] if args.engine else ["stockfish", "duel-ai"]
    runs = []
    started = time.perf_counter()
    with gambit_server(["--engine-workers", "2"]) as port:
        organiser = Organiser(port)
        try:
            for engine in engines:
                search_time = chess_ms if engine == "stockfish" else duel_ms
                run = calibrate(organiser, engine, search_time, per_pairing, args.concurrency)
                runs.append(run)
        finally:
            organiser.close()
    for run in runs:
        show(run)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if args.write:
        write(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
