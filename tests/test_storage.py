"""Games outlive the server: restarts, crashes, failing storage, migrations."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from gambit.cli import main as gambit
from gambit.games.clock import UNTIMED
from gambit.store import BattleStore, migrate, open_database
from gambit.store.database import MIGRATIONS
from gambit.store.models import Base
from tests.conftest import BACKENDS, LiveServer, ServerProcess, database
from tests.helpers import (
    FAST_COMPUTER,
    HUMAN,
    new_game,
    play,
    sample,
    scrape,
    wait_until_settled,
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_games_survive_a_restart(
    backend: str, tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    with database(backend, tmp_path) as url:
        first = start_server(url)
        with first.client() as client:
            human = new_game(client)
            play(client, human["gameId"], "e2e4", "e7e5", "g1f3")
            client.post(f"/games/{human['gameId']}/undo", json={})
            versus = new_game(client, HUMAN, FAST_COMPUTER)
            play(client, versus["gameId"], "d2d4", "cccc")
            wait_until_settled(client, versus["gameId"])
            client.put(f"/games/{versus['gameId']}/players", json={"white": HUMAN, "black": HUMAN})
            mated = new_game(client)
            play(client, mated["gameId"], "f2f3", "e7e5", "g2g4", "d8h4")
            deleted = new_game(client)
            client.delete(f"/games/{deleted['gameId']}")
            before = {
                g: client.get(f"/games/{g}").json()
                for g in (human["gameId"], versus["gameId"], mated["gameId"])
            }
        first.stop()

        second = start_server(url)
        with second.client() as client:
            for game_id, game in before.items():
                assert client.get(f"/games/{game_id}").json() == game
            assert client.get(f"/games/{deleted['gameId']}").status_code == 404
            assert before[human["gameId"]]["moves"] == ["e2e4", "e7e5"]
            assert before[mated["gameId"]]["state"] == "black wins"
            assert "score" in before[versus["gameId"]]["lastMove"]
            play(client, human["gameId"], "b1c3")


def test_sqlite_locked_past_its_busy_timeout_refuses_changes_then_recovers(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    live = start_server(database_timeout=0.5)
    with live.client() as client:
        game = new_game(client)
        play(client, game["gameId"], "e2e4")
        lock = sqlite3.connect(tmp_path / "gambit.db", isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        before = scrape(live.url)
        try:
            refused = client.post(f"/games/{game['gameId']}/moves", json={"move": "e7e5"})
            assert refused.status_code == 503
            failures = "gambit_storage_write_failures_total"
            counted = sample(scrape(live.url), failures, reason="unavailable")
            assert counted == sample(before, failures, reason="unavailable") + 1
            assert refused.json()["code"] == "STORAGE_UNAVAILABLE"
            assert int(refused.headers["Retry-After"]) > 0
            assert client.get("/health").json()["storage"] == "degraded"
            # Reads go on, and the refused move left the game as it was.
            assert client.get(f"/games/{game['gameId']}").json()["moves"] == ["e2e4"]
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        deadline = time.monotonic() + 10
        while client.get("/health").json()["storage"] != "ok":
            assert time.monotonic() < deadline, "storage did not recover"
            time.sleep(0.1)
        assert play(client, game["gameId"], "e7e5")["moves"] == ["e2e4", "e7e5"]


def test_an_answered_move_survives_kill_9(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
    moves = ["e2e4", "e7e5", "g1f3", "b8c6", "f1b5", "a7a6"]
    server = spawn_server(url)
    with server.client() as client:
        game = new_game(client)
        for move in moves[:3]:
            play(client, game["gameId"], move)
    server.kill()
    for move in moves[3:]:
        server = spawn_server(url)
        with server.client() as client:
            play(client, game["gameId"], move)
        server.kill()  # SIGKILL right after the answer
    server = spawn_server(url)
    with server.client() as client:
        assert client.get(f"/games/{game['gameId']}").json()["moves"] == moves


def test_a_pending_game_resumes_thinking_after_a_crash(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
    server = spawn_server(url)
    with server.client() as client:
        game = new_game(client, HUMAN, {"type": 2, "level": 3, "searchTime": 3000})
        play(client, game["gameId"], "e2e4")
        assert play(client, game["gameId"], "cccc")["state"] == "pending"
    server.kill()
    server = spawn_server(url)
    with server.client() as client:
        settled = wait_until_settled(client, game["gameId"], timeout=30)
    assert settled["state"] == "ongoing"
    assert len(settled["moves"]) == 2


def test_graceful_stop_keeps_everything(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
    server = spawn_server(url)
    with server.client() as client:
        game = new_game(client)
        play(client, game["gameId"], "c2c4")
    server.stop()
    # uvicorn finishes its shutdown, then re-raises SIGTERM so the exit status tells.
    assert server.process.returncode in (0, -15)
    assert "Application shutdown complete" in server.log.read_text()
    server = spawn_server(url)
    with server.client() as client:
        assert client.get(f"/games/{game['gameId']}").json()["moves"] == ["c2c4"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_build_the_schema_of_the_models(backend: str, tmp_path: Path) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, Base.metadata))

    async def check(url: str) -> list[object]:
        engine = open_database(url)
        try:
            await migrate(engine)
            async with engine.connect() as connection:
                return await connection.run_sync(differences)
        finally:
            await engine.dispose()

    with database(backend, tmp_path) as url:
        assert asyncio.run(check(url)) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_cache_migration_carries_stored_battles_over(
    backend: str, tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    """Battles stored before battles were read by query get their players indexed and
    their clock deadlines."""
    seat = {"kind": "human", "level": None, "searchTime": None}
    user_id = str(uuid.uuid4())
    alice = {**seat, "playerId": user_id, "userId": user_id}
    waiting = {"id": str(uuid.uuid4()), "seats": [alice, {**seat, "playerId": "", "userId": None}]}
    playing = {"id": str(uuid.uuid4()), "seats": [alice, {**seat, "playerId": "b", "userId": None}]}

    async def store_before_0004(url: str) -> None:
        engine = open_database(url)
        try:
            await migrate(engine, "0003")
            async with engine.begin() as connection:
                for battle, status in ((waiting, "WAITING"), (playing, "ACTIVE")):
                    await connection.execute(
                        text(
                            "INSERT INTO battles (id, game, status, seats, options, seed,"
                            " thinking, rated, created_at, updated_at) VALUES (:id, 'chess',"
                            " :status, :seats, '{}', 1, false, false, 1000, 1000)"
                        ),
                        {
                            "id": battle["id"],
                            "status": status,
                            "seats": json.dumps(battle["seats"]),
                        },
                    )
        finally:
            await engine.dispose()

    with database(backend, tmp_path) as url:
        asyncio.run(store_before_0004(url))
        live = start_server(url)
        with live.client() as client:
            listed = client.get("/battles", params={"userId": alice["userId"]}).json()
            assert {battle["id"] for battle in listed["battles"]} == {waiting["id"], playing["id"]}
            # The waiting battle was long past its expiry: the clock finds it by its deadline.
            deadline = time.monotonic() + 10
            while client.get(f"/battles/{waiting['id']}").json()["status"] != "FINISHED":
                assert time.monotonic() < deadline, "the migrated battle never expired"
                time.sleep(0.1)
            still = client.get(f"/battles/{playing['id']}").json()
            assert (still["status"], still["state"]["currentTurn"]) == ("ACTIVE", alice["userId"])


def test_db_migrate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nested" / "gambit.db"
    assert gambit(["db", "migrate", "--database-url", f"sqlite+aiosqlite:///{path}"]) == 0
    assert "up to date" in capsys.readouterr().out
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"battles", "battle_actions", "alembic_version"} <= tables


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_clashing_move_from_another_process_is_refused_not_fatal(
    backend: str, tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    """Two servers on one database and no shared bus: both accept white's first move."""
    with database(backend, tmp_path) as url:
        first = start_server(url)
        with first.client() as a:
            game = new_game(a)
            second = start_server(url)
            with second.client() as b:
                # The second server holds the game as it stands: no moves yet.
                assert b.get(f"/games/{game['gameId']}").json()["moves"] == []
                play(a, game["gameId"], "e2e4")
                clash = b.post(f"/games/{game['gameId']}/moves", json={"move": "d2d4"})
                assert clash.status_code == 409, clash.text
                assert clash.json()["code"] == "CONFLICT"
                # The second server took the stored game, and stores on as before.
                assert b.get(f"/games/{game['gameId']}").json()["moves"] == ["e2e4"]
                assert b.get("/health").json()["storage"] == "ok"
                play(b, game["gameId"], "e7e5")
        first.stop()
        second.stop()
        third = start_server(url)
        with third.client() as client:
            assert client.get(f"/games/{game['gameId']}").json()["moves"] == ["e2e4", "e7e5"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_clock_migration_keeps_ratings_as_the_untimed_speed(
    backend: str, tmp_path: Path
) -> None:
    """Ratings stored before speeds were all earned without a clock; going back keeps
    the untimed ones."""
    user_id = str(uuid.uuid4())
    row = (
        "INSERT INTO player_stats (user_id, game, played, wins, losses, draws, rating,"
        " deviation, volatility) VALUES (:user, 'chess', 3, 2, 1, 0, 1620, 200, 0.06)"
    )

    async def migrate_around_0005(url: str) -> None:
        engine = open_database(url)
        try:
            await migrate(engine, "0004")
            async with engine.begin() as connection:
                await connection.execute(text(row), {"user": user_id})
            await migrate(engine)
            store = BattleStore(engine)
            [entry] = await store.stats(user_id)
            assert (entry.game, entry.speed, entry.wins) == ("chess", UNTIMED, 2)
            assert entry.rating.rating == 1620
            async with engine.begin() as connection:
                await connection.run_sync(_downgrade, "0004")
            async with engine.connect() as connection:
                kept = await connection.execute(text("SELECT rating FROM player_stats"))
                assert kept.scalars().all() == [1620]
        finally:
            await engine.dispose()

    with database(backend, tmp_path) as url:
        asyncio.run(migrate_around_0005(url))


def _downgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.downgrade(config, revision)
