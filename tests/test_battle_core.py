"""The battle core's collaborators, driven directly on a real SQLite file with fake clocks.

The repository (what stays in memory, what is checked against the database), the
referee (changes stored before they show), the clock (deadlines found by query).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gambit.bus import InProcessBus
from gambit.games.base import Outcome
from gambit.games.battle import Battle, BattleStatus, Seat, SeatKind
from gambit.games.clock import ABORTED, DAY_MS, START_SECONDS, TIMEOUT, remaining_now
from gambit.services.announcer import Announcer
from gambit.services.clock import BattleClock
from gambit.services.errors import Conflict, GameOver, NotFound
from gambit.services.referee import Referee
from gambit.services.repository import BattleRepository
from gambit.store import BattleStore, StorageStatus, StorageUnavailable, migrate, open_database

WAITING_EXPIRY_SECONDS = 60
IDLE_SECONDS = 600


class FakeTime:
    """Epoch milliseconds for the referee and clock, monotonic seconds for the cache."""

    def __init__(self) -> None:
        self.ms = 1_800_000_000_000

    def now(self) -> int:
        return self.ms

    def monotonic(self) -> float:
        return self.ms / 1000

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


@dataclass
class Core:
    store: BattleStore
    repository: BattleRepository
    referee: Referee
    clock: BattleClock
    time: FakeTime


@asynccontextmanager
async def core(path: Path, time: FakeTime, *, timeout: float = 5.0) -> AsyncIterator[Core]:
    engine = open_database(f"sqlite+aiosqlite:///{path}", timeout)
    await migrate(engine)
    store = BattleStore(engine)
    await store.start()
    repository = BattleRepository(store, idle_seconds=IDLE_SECONDS, monotonic=time.monotonic)
    referee = Referee(
        repository,
        store,
        Announcer(InProcessBus()),
        waiting_expiry_seconds=WAITING_EXPIRY_SECONDS,
        now=time.now,
    )
    clock = BattleClock(store, referee.on_deadline, time.now)
    try:
        yield Core(store, repository, referee, clock, time)
    finally:
        await store.close()


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


def human(user: str) -> Seat:
    return Seat(user, SeatKind.HUMAN, user_id=user)


def first_mover(battle: Battle) -> int:
    return battle.to_move()


def status(store: BattleStore) -> StorageStatus:
    """The store's status now, read through a call so that mypy does not carry a check
    made before an ``await`` past it."""
    return store.status


def test_a_battle_is_loaded_on_first_use_and_leaves_memory_when_idle(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as first:
            battle = await first.referee.create("chess", [human("a"), human("b")], {})
            move = {"type": "move", "move": "e2e4"}
            await first.referee.act(battle.id, first_mover, move)
        async with core(tmp_path / "g.db", time) as second:
            assert len(second.repository) == 0  # nothing read at start
            loaded = await second.repository.get(battle.id)
            assert [r.action["move"] for r in loaded.actions] == ["e2e4"]
            assert loaded.version == 2
            time.advance(IDLE_SECONDS - 1)
            assert second.repository.evict_idle() == 0
            await second.repository.get(battle.id)  # used: idle from now again
            time.advance(IDLE_SECONDS - 1)
            assert second.repository.evict_idle() == 0
            time.advance(2)
            second.repository.pin(lambda battle_id: battle_id == "watched")
            assert second.repository.evict_idle() == 1
            assert second.repository.peek(battle.id) is None
            with pytest.raises(NotFound):
                await second.repository.get("no-such-battle")

    run(test)


def test_a_pinned_battle_stays_however_idle(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            battle = await it.referee.create("duel", [human("a"), human("b")], {})
            it.repository.pin(lambda battle_id: battle_id == battle.id)
            time.advance(IDLE_SECONDS * 10)
            assert it.repository.evict_idle() == 0
            assert it.repository.peek(battle.id) is battle

    run(test)


def test_a_refused_write_leaves_the_battle_as_it_was(tmp_path: Path) -> None:
    time = FakeTime()
    path = tmp_path / "g.db"

    async def test() -> None:
        async with core(path, time, timeout=0.2) as it:
            battle = await it.referee.create("chess", [human("a"), human("b")], {})
            lock = sqlite3.connect(path, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")
            try:
                with pytest.raises(StorageUnavailable):
                    await it.referee.act(battle.id, first_mover, {"type": "move", "move": "e2e4"})
                assert it.store.status is StorageStatus.DEGRADED
                held = await it.repository.get(battle.id)
                assert held.actions == []
                assert held.version == 1
                assert held.state.fen() == battle.state.fen()
            finally:
                lock.execute("ROLLBACK")
                lock.close()
            for _ in range(100):
                if status(it.store) is StorageStatus.OK:
                    break
                await asyncio.sleep(0.05)
            assert status(it.store) is StorageStatus.OK
            played = await it.referee.act(battle.id, first_mover, {"type": "move", "move": "e2e4"})
            assert played.version == 2

    run(test)


def test_a_change_made_on_a_stale_copy_is_refused_and_the_battle_reloaded(
    tmp_path: Path,
) -> None:
    time = FakeTime()
    path = tmp_path / "g.db"

    async def test() -> None:
        async with core(path, time) as one, core(path, time) as other:
            battle = await one.referee.create("chess", [human("a"), human("b")], {})
            await other.repository.get(battle.id)  # the other process holds version 1
            await one.referee.act(battle.id, first_mover, {"type": "move", "move": "e2e4"})
            with pytest.raises(Conflict):
                await other.referee.act(battle.id, first_mover, {"type": "move", "move": "d2d4"})
            fresh = await other.repository.get(battle.id)
            assert [r.action["move"] for r in fresh.actions] == ["e2e4"]
            # Told that it may have missed changes, a process checks versions at next use.
            await one.referee.act(battle.id, first_mover, {"type": "move", "move": "e7e5"})
            assert len((await other.repository.get(battle.id)).actions) == 1  # trusted
            other.repository.distrust_all()
            assert len((await other.repository.get(battle.id)).actions) == 2

    run(test)


def test_the_clock_expires_a_waiting_battle_at_its_deadline(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            battle = await it.referee.create("chess", [human("a"), Seat("", SeatKind.HUMAN)], {})
            assert battle.status is BattleStatus.WAITING
            time.advance(WAITING_EXPIRY_SECONDS - 1)
            await it.clock.tick()
            assert (await it.repository.get(battle.id)).status is BattleStatus.WAITING
            time.advance(1)
            await it.clock.tick()
            expired = await it.repository.get(battle.id)
            assert expired.status is BattleStatus.FINISHED
            assert expired.outcome is not None
            assert expired.outcome.reason == "expired"
            assert await it.store.due(time.now() + 10**9) == []  # nothing left to time

    run(test)


def test_the_clock_forfeits_a_human_who_runs_out_of_turn_time(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            seats = [human("a"), human("b")]
            battle = await it.referee.create("duel", seats, {"turnSeconds": 30})
            time.advance(20)
            await it.referee.act(battle.id, first_mover, {"type": "rest"})
            time.advance(29)  # b's turn began 29 s ago
            await it.clock.tick()
            assert (await it.repository.get(battle.id)).status is BattleStatus.ACTIVE
            time.advance(1)
            await it.clock.tick()
            timed_out = await it.repository.get(battle.id)
            assert timed_out.status is BattleStatus.FINISHED
            assert timed_out.actions[-1].action == {"type": "forfeit", "reason": "timeout"}
            assert timed_out.actions[-1].player_id == "b"

    run(test)


async def _moves(it: Core, battle_id: str, *moves: str, seconds: float = 0) -> Battle:
    """Play ``moves`` in turn, each after ``seconds`` of thought."""
    battle = await it.repository.get(battle_id)
    for move in moves:
        it.time.advance(seconds)
        battle = await it.referee.act(battle_id, first_mover, {"type": "move", "move": move})
    return battle


def test_a_clock_runs_once_both_sides_have_moved_and_earns_its_increment(
    tmp_path: Path,
) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            clocked = {"clock": {"limit": 60, "increment": 2}}
            battle = await it.referee.create("chess", [human("a"), human("b")], clocked)
            assert battle.clock is not None
            assert (battle.clock.remaining, battle.clock.running) == ((60_000, 60_000), None)
            battle = await _moves(it, battle.id, "e2e4", "e7e5", seconds=10)
            assert battle.clock is not None
            # The first moves cost nothing; white's time runs from black's first move.
            assert (battle.clock.remaining, battle.clock.running) == ((60_000, 60_000), 0)
            assert battle.clock.at == time.now()
            battle = await _moves(it, battle.id, "g1f3", seconds=5)
            assert battle.clock is not None
            assert (battle.clock.remaining, battle.clock.running) == ((57_000, 60_000), 1)
            time.advance(4)
            assert remaining_now(battle.clock, time.now()) == (57_000, 56_000)

    run(test)


def test_a_side_whose_time_runs_out_loses(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            clocked = {"clock": {"limit": 60, "increment": 0}}
            battle = await it.referee.create("chess", [human("a"), human("b")], clocked)
            battle = await _moves(it, battle.id, "e2e4", "e7e5", "g1f3", seconds=1)
            time.advance(59.999)  # black's time runs from white's second move
            await it.clock.tick()
            assert (await it.repository.get(battle.id)).status is BattleStatus.ACTIVE
            time.advance(0.001)
            with pytest.raises(GameOver):  # too late: the move is refused
                await _moves(it, battle.id, "b8c6")
            await it.clock.tick()
            flagged = await it.repository.get(battle.id)
            assert flagged.outcome == Outcome(winners=(0,), reason=TIMEOUT)
            assert flagged.clock is not None
            assert (flagged.clock.remaining, flagged.clock.running) == ((59_000, 0), None)

    run(test)


def test_running_out_of_time_against_a_bare_king_is_a_draw(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            # White has king and queen, black a bare king: black cannot mate.
            options = {"fen": "4k3/8/8/8/8/8/8/Q3K3 w - - 0 1", "clock": {"limit": 10}}
            battle = await it.referee.create("chess", [human("a"), human("b")], options)
            battle = await _moves(it, battle.id, "a1a2", "e8d8")
            time.advance(10)  # white's time runs out
            await it.clock.tick()
            drawn = await it.repository.get(battle.id)
            assert drawn.outcome == Outcome(winners=(), reason=TIMEOUT)

    run(test)


def test_a_battle_nobody_starts_is_aborted_and_not_rated(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            clocked = {"clock": {"limit": 300, "increment": 0}}
            battle = await it.referee.create("chess", [human("a"), human("b")], clocked)
            await _moves(it, battle.id, "e2e4", seconds=START_SECONDS - 1)
            time.advance(START_SECONDS - 1)  # black's first move is nearly late
            await it.clock.tick()
            assert (await it.repository.get(battle.id)).status is BattleStatus.ACTIVE
            time.advance(1)
            await it.clock.tick()
            aborted = await it.repository.get(battle.id)
            assert aborted.status is BattleStatus.FINISHED
            assert aborted.outcome == Outcome(winners=(), reason=ABORTED)
            assert await it.store.stats("a") == []

    run(test)


def test_a_duel_fighter_out_of_time_is_out_and_the_others_play_on(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as it:
            seats = [human("a"), human("b"), human("c")]
            battle = await it.referee.create("duel", seats, {"clock": {"limit": 5}})
            for _ in seats:
                battle = await it.referee.act(battle.id, first_mover, {"type": "rest"})
            time.advance(5)  # a's time runs out
            await it.clock.tick()
            battle = await it.repository.get(battle.id)
            assert battle.status is BattleStatus.ACTIVE
            assert battle.actions[-1].action == {"type": "forfeit", "reason": TIMEOUT}
            assert battle.clock is not None
            assert battle.clock.running == 1

    run(test)


def test_the_clock_survives_a_restart(tmp_path: Path) -> None:
    time = FakeTime()

    async def test() -> None:
        async with core(tmp_path / "g.db", time) as first:
            clocked = {"days": 1}
            battle = await first.referee.create("chess", [human("a"), human("b")], clocked)
            await _moves(first, battle.id, "e2e4", "e7e5")
        time.advance(3600)
        async with core(tmp_path / "g.db", time) as second:
            loaded = await second.repository.get(battle.id)
            assert loaded.clock is not None
            assert remaining_now(loaded.clock, time.now()) == (DAY_MS - 3_600_000, DAY_MS)
            time.advance(23 * 3600)
            await second.clock.tick()
            flagged = await second.repository.get(battle.id)
            assert flagged.outcome == Outcome(winners=(1,), reason=TIMEOUT)

    run(test)
