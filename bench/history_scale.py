"""History scale: gambit's start-up time, memory and battle lists as stored history grows.

Run with ``make bench-history`` (or ``.venv/bin/python bench/history_scale.py --help``).
The database is the truth and memory only holds battles in play, so a server with a
long history should start as fast and stay as small as one with none. For each
history size (``--sizes``; an empty database is always measured first, as the
baseline) the script:

- seeds a fresh database with that many finished battles (timed and printed, with no
  goal): chess and duel games copied from a pool of random legal games, most of them
  ended by a forfeit, three in four between two of ``--users`` signed-in users, the
  others against an AI. The rows are made by the store's own functions and inserted
  in bulk, 2,000 battles a transaction; ``--seed-through-store`` saves them through
  `BattleStore.save` instead, group-committed, as the server creates battles (about
  three times slower: each new battle still costs the store a few statements);
- starts ``gambit serve`` on it ``--starts`` times and takes the median start-up: from
  launching the process until ``GET /health`` answers 200, and the server's resident
  memory (VmRSS) just after;
- from this process, over one keep-alive connection (one request at a time, so
  latency is the server's, not a queue's), times ``--requests`` rounds of
  ``GET /api/v1/battles?userId=`` for a random user, ``?status=FINISHED&game=chess``
  and a next page of that list (each round follows the last ``nextCursor``, so the
  pages go deeper into history); then reads the resident memory again.

The default database is a temporary SQLite file per size; ``--database-url`` runs on
another database (PostgreSQL) instead, WHOSE TABLES ARE DROPPED before each size, and
which is analyzed after seeding (SQLite is not: gambit never analyzes it either).
The goal of the project: with 100,000 battles stored the server starts within 1 s of
an empty one and its memory stays within 30 MB of it, before and after the load. The
script says for every size whether it holds, and exits 1 if one does not (or if a
request failed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import MetaData, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from gambit.games import RULESETS
from gambit.games.base import Action, Outcome
from gambit.games.battle import (
    FORFEIT,
    ActionRecord,
    Battle,
    BattleStatus,
    Seat,
    SeatKind,
    forfeit,
    replay,
)
from gambit.store import BattleStore, migrate, open_database
from gambit.store.battles import MAX_BATCH, Change, _action_values, _header, _identity
from gambit.store.models import ActionRow, BattlePlayerRow, BattleRow
from http_load import Connection, launch

GOAL_STARTUP_SECONDS = 1.0
GOAL_RSS_MB = 30.0
DAY_MS = 86_400_000
HISTORY_DAYS = 365
TURN_MS = 7_000  # between two logged actions of a seeded battle
BULK_CHUNK = 2_000  # battles per transaction when seeding in bulk
SETTLE_SECONDS = 0.5  # after /health first answers, before memory is read


# -- the history -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FinishedGame:
    """A game played to its end, to copy into many stored battles: who did what, and how
    it ended."""

    game: str
    seed: int
    turns: tuple[tuple[int, Action], ...]  # (seat, action as the rules recorded it)
    outcome: Outcome


def play_finished_game(game: str, plies: int, rng: random.Random) -> FinishedGame:
    """Random legal actions for up to ``plies`` turns; if the game is not over by then,
    the seat to move forfeits (as most real games that stop early end)."""
    ruleset = RULESETS[game]
    seed = rng.getrandbits(63)
    state = ruleset.initial_state(2, {}, seed)
    turns: list[tuple[int, Action]] = []
    outcome = ruleset.outcome(state)
    while outcome is None and len(turns) < plies:
        seat = ruleset.to_move(state)
        state, recorded = ruleset.apply(state, rng.choice(ruleset.legal_actions(state)))
        turns.append((seat, recorded))
        outcome = ruleset.outcome(state)
    if outcome is None:
        loser = ruleset.to_move(state)
        turns.append((loser, {"type": FORFEIT}))
        state = forfeit(ruleset, state, loser)
        outcome = ruleset.outcome(state) or Outcome((1 - loser,), FORFEIT)
    return FinishedGame(game, seed, tuple(turns), outcome)


def game_pool(size: int, plies: int, rng: random.Random) -> list[FinishedGame]:
    """Finished games, four chess games for every duel, of ``plies`` turns on average."""
    return [
        play_finished_game(
            "duel" if index % 5 == 4 else "chess", rng.randint(plies // 2, plies * 3 // 2), rng
        )
        for index in range(size)
    ]


def stored_battle(
    played: FinishedGame, users: list[str], created_at: int, rng: random.Random
) -> Battle:
    """A finished battle as the server would have stored it, replaying ``played``."""
    first, second = rng.sample(users, 2)
    seats = [Seat(first, SeatKind.HUMAN, user_id=first)]
    if rng.random() < 0.75:
        seats.append(Seat(second, SeatKind.HUMAN, user_id=second))
    else:
        robot = f"ai-player-{random_uuid(rng)}"
        seats.append(Seat(robot, SeatKind.AI, level=10, search_time=1000))
    rng.shuffle(seats)
    actions = [
        ActionRecord(seq, seat, seats[seat].player_id, action, created_at + seq * TURN_MS)
        for seq, (seat, action) in enumerate(played.turns, start=1)
    ]
    finished_at = actions[-1].at
    return Battle(
        id=random_uuid(rng),
        game=played.game,
        seats=seats,
        options={"autoAi": True},
        seed=played.seed,
        status=BattleStatus.FINISHED,
        created_at=created_at,
        updated_at=finished_at,
        state=None,  # the store keeps the log, not the state
        actions=actions,
        outcome=played.outcome,
        rated=all(seat.user_id for seat in seats),
        turn_started_at=finished_at,
        version=len(actions) + 2,  # created, joined, then one change per action
    )


def random_uuid(rng: random.Random) -> str:
    """A UUID of ``rng``: the same seed makes the same history."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def history(
    count: int, pool: list[FinishedGame], users: list[str], rng: random.Random, chunk: int
) -> Iterator[list[Battle]]:
    """``count`` finished battles, ``chunk`` at a time, created one after another over
    the last year (and finished a day ago at the latest)."""
    now = int(time.time() * 1000)
    spacing = HISTORY_DAYS * DAY_MS // max(count, 1)
    for first in range(0, count, chunk):
        yield [
            stored_battle(rng.choice(pool), users, now - (count - index) * spacing - DAY_MS, rng)
            for index in range(first, min(first + chunk, count))
        ]


async def seed_history(url: str, battles: Iterable[list[Battle]], through_store: bool) -> float:
    """Empty the database, then store ``battles``; returns the seconds it took to make
    and store them."""
    engine = open_database(url, timeout=60)
    await drop_all_tables(engine)
    await migrate(engine)
    started = time.perf_counter()
    if through_store:
        await save_through_store(engine, battles)
    else:
        await insert_in_bulk(engine, battles)
    elapsed = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        # Autovacuum would have analyzed a history that grew over months; a bulk load
        # just made has no statistics, and PostgreSQL then plans a sequential scan of
        # every logged action for each list page.
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return elapsed


async def save_through_store(engine: AsyncEngine, battles: Iterable[list[Battle]]) -> None:
    """As the server creates battles: one `Change` each, saved concurrently so that the
    store's writer commits a chunk in one transaction (still a few statements a battle)."""
    store = BattleStore(engine)
    await store.start()
    for chunk in battles:
        await asyncio.gather(
            *(
                store.save(Change(b, None, None, appended=b.actions, seats_changed=True))
                for b in chunk
            )
        )
    await store.close()


async def insert_in_bulk(engine: AsyncEngine, battles: Iterable[list[Battle]]) -> None:
    """The rows the store would write, made by its own functions, inserted a chunk per
    transaction with one multi-row statement a table: a few times faster than saving."""
    for chunk in battles:
        headers = [_header(Change(b, None)) | _identity(b) for b in chunk]
        seated = [
            {"battle_id": b.id, "seat": index, "user_id": seat.user_id, "created_at": b.created_at}
            for b in chunk
            for index, seat in enumerate(b.seats)
            if seat.user_id is not None
        ]
        actions = [_action_values(b.id, record) for b in chunk for record in b.actions]
        async with engine.begin() as connection:
            await connection.execute(insert(BattleRow), headers)
            await connection.execute(insert(BattlePlayerRow), seated)
            await connection.execute(insert(ActionRow), actions)


async def drop_all_tables(engine: AsyncEngine) -> None:
    """Whatever tables the database has (the schema and Alembic's version table)."""
    async with engine.begin() as connection:
        await connection.run_sync(_drop_reflected)


def _drop_reflected(connection: sqlalchemy.Connection) -> None:
    tables = MetaData()
    tables.reflect(connection)
    tables.drop_all(connection)


# -- the server --------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# -- the lists ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Latency:
    p50_ms: float
    p99_ms: float


@dataclass(slots=True)
class ListTimes:
    """Seconds per request of each kind of list, the requests that failed, and how many
    battles the users' lists showed."""

    user: list[float]
    finished: list[float]
    next_page: list[float]
    errors: int = 0
    users_battles: int = 0


FINISHED_CHESS = "/api/v1/battles?status=FINISHED&game=chess"


async def time_lists(port: int, users: list[str], rounds: int, seed: int) -> ListTimes:
    connection = await Connection.open(port)
    rng = random.Random(seed)
    times = ListTimes([], [], [])
    cursor: str | None = None

    async def timed(path: str, into: list[float]) -> dict[str, Any]:
        started = time.perf_counter()
        status, body = await connection.request("GET", path)
        into.append(time.perf_counter() - started)
        if status != 200:
            times.errors += 1
            if times.errors == 1:
                print(f"  first error: GET {path} -> {status} {body[:200]!r}")
            return {}
        page: dict[str, Any] = json.loads(body)
        return page

    try:
        for _ in range(rounds):
            mine = await timed(f"/api/v1/battles?userId={rng.choice(users)}", times.user)
            times.users_battles += len(mine.get("battles", ()))
            first = await timed(FINISHED_CHESS, times.finished)
            cursor = cursor or first.get("nextCursor")
            if cursor:  # deeper each round, from the top again at the end of the list
                cursor = (await timed(f"{FINISHED_CHESS}&cursor={cursor}", times.next_page)).get(
                    "nextCursor"
                )
    finally:
        connection.writer.close()
    return times


def latency(seconds: list[float]) -> Latency:
    if not seconds:
        return Latency(float("nan"), float("nan"))
    ordered = sorted(seconds)
    return Latency(
        ordered[len(ordered) // 2] * 1000,
        ordered[min(int(len(ordered) * 0.99), len(ordered) - 1)] * 1000,
    )


# -- one size ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    size: int
    seed_seconds: float
    startup_seconds: float  # median of the starts
    rss_started_mb: float  # median of the starts
    rss_loaded_mb: float  # after the lists were timed
    user: Latency
    finished: Latency
    next_page: Latency
    errors: int


def measure_size(
    size: int, url: str, pool: list[FinishedGame], users: list[str], args: argparse.Namespace
) -> Row:
    chunk = MAX_BATCH if args.seed_through_store else BULK_CHUNK
    battles = history(size, pool, users, random.Random(args.seed), chunk)
    seed_seconds = asyncio.run(seed_history(url, battles, args.seed_through_store))
    log_path = Path(args.work_dir, f"server-{size}.log")
    starts: list[float] = []
    rss_started: list[float] = []
    for attempt in range(args.starts):
        with log_path.open("ab") as log, launch(url, log) as started:
            time.sleep(SETTLE_SECONDS)
            starts.append(started.seconds)
            rss_started.append(rss_mb(started.pid))
            if attempt == args.starts - 1:  # the last start takes the requests
                warm_up = max(args.requests // 10, 1)
                asyncio.run(time_lists(started.port, users, warm_up, args.seed))
                times = asyncio.run(time_lists(started.port, users, args.requests, args.seed + 1))
                rss_loaded = rss_mb(started.pid)
    if size and not times.users_battles:
        print("  the users' lists were empty: the seeded battles are not being listed")
        times.errors += 1
    return Row(
        size=size,
        seed_seconds=seed_seconds,
        startup_seconds=statistics.median(starts),
        rss_started_mb=statistics.median(rss_started),
        rss_loaded_mb=rss_loaded,
        user=latency(times.user),
        finished=latency(times.finished),
        next_page=latency(times.next_page),
        errors=times.errors,
    )


def goal_missed(row: Row, empty: Row) -> list[str]:
    missed = []
    if row.startup_seconds - empty.startup_seconds > GOAL_STARTUP_SECONDS:
        missed.append("start-up")
    if row.rss_started_mb - empty.rss_started_mb > GOAL_RSS_MB:
        missed.append("RSS")
    if row.rss_loaded_mb - empty.rss_loaded_mb > GOAL_RSS_MB:
        missed.append("RSS after")
    if row.errors:
        missed.append(f"{row.errors} errors")
    return missed


def print_table(rows: list[Row]) -> bool:
    """The figures, each size against the empty database; True if every goal held."""
    empty = rows[0]
    print(
        f"\n{'battles':>8} {'seed s':>7} {'start s':>8} {'Δstart':>7} {'RSS MB':>7} "
        f"{'ΔRSS':>6} {'after':>6} {'Δafter':>7}  {'user p50/p99':>13}  "
        f"{'finished p50/p99':>16}  {'next p50/p99':>13}  goal"
    )
    held = True
    for row in rows:
        missed = goal_missed(row, empty)
        held = held and not missed
        print(
            f"{row.size:>8,} {row.seed_seconds:>7.1f} {row.startup_seconds:>8.2f} "
            f"{row.startup_seconds - empty.startup_seconds:>+7.2f} {row.rss_started_mb:>7.1f} "
            f"{row.rss_started_mb - empty.rss_started_mb:>+6.1f} {row.rss_loaded_mb:>6.1f} "
            f"{row.rss_loaded_mb - empty.rss_loaded_mb:>+7.1f}  {_pair(row.user):>13}  "
            f"{_pair(row.finished):>16}  {_pair(row.next_page):>13}  "
            + ("ok" if not missed else "MISSED: " + ", ".join(missed))
        )
    print(
        f"\nlatencies in ms; goal: start-up within {GOAL_STARTUP_SECONDS:g} s and RSS "
        f"(started, and after the lists) within {GOAL_RSS_MB:g} MB of the empty database"
    )
    return held


def _pair(figures: Latency) -> str:
    return f"{figures.p50_ms:.1f}/{figures.p99_ms:.1f}"


# -- the run -----------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if any(size < 0 for size in sizes):
        raise argparse.ArgumentTypeError("sizes are counts of battles, 0 or more")
    return sizes if sizes and sizes[0] == 0 else [0, *sizes]


def at_least(smallest: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if int(text) < smallest:
            raise argparse.ArgumentTypeError(f"must be {smallest} or more")
        return int(text)

    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[0, 1_000, 10_000, 100_000],
        help="stored battles per measurement, comma-separated (0 is always added)",
    )
    parser.add_argument(
        "--database-url",
        help="a database to use instead of temporary SQLite files; ITS TABLES ARE DROPPED",
    )
    parser.add_argument("--users", type=at_least(2), default=200, help="signed-in users seated")
    parser.add_argument("--plies", type=at_least(2), default=24, help="average turns per battle")
    parser.add_argument("--requests", type=at_least(1), default=300, help="rounds of lists")
    parser.add_argument("--starts", type=at_least(1), default=3, help="server starts per size")
    parser.add_argument(
        "--seed-through-store",
        action="store_true",
        help="seed with BattleStore.save, as the server stores a new battle (slower)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    users = [random_uuid(rng) for _ in range(args.users)]
    pool = game_pool(200, args.plies, rng)
    _check_pool(pool)
    backend = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite"
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.machine()}; database: {backend}"
    )
    print(
        f"{args.users} users, {args.plies} turns per battle on average, "
        f"{args.starts} starts and {args.requests} rounds of lists per size; seeded "
        + ("through BattleStore.save" if args.seed_through_store else "in bulk")
    )
    began = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gambit-history-") as work_dir:
        args.work_dir = work_dir
        for size in args.sizes:
            url = args.database_url or f"sqlite+aiosqlite:///{work_dir}/history-{size}.db"
            rows.append(measure_size(size, url, pool, users, args))
            print(
                f"  {size:,} battles: seeded in {rows[-1].seed_seconds:.1f} s, "
                f"started in {rows[-1].startup_seconds:.2f} s"
            )
            if not args.database_url:  # 100,000 battles take a few hundred MB
                for path in Path(work_dir).glob(f"history-{size}.db*"):
                    path.unlink()
    held = print_table(rows)
    print(f"run time: {time.perf_counter() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=2))
    return 0 if held else 1


def _check_pool(pool: list[FinishedGame]) -> None:
    """Every copied game must replay as the server would replay it when listing."""
    for played in pool:
        battle = stored_battle(played, ["a", "b"], 0, random.Random(0))
        replay(battle.ruleset, battle)


if __name__ == "__main__":
    raise SystemExit(main())
