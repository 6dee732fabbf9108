"""Database outages under load: no acknowledged change is ever lost.

Players keep moving while the database fails under them. Every move answered 200 must
be stored, in order, and still be there after the server is killed (``kill -9``) and
started again; while the database is away changes get 503 ``STORAGE_UNAVAILABLE``, and
the server comes back to ``storage: ok`` by itself.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import chess
import httpx

from tests.conftest import POSTGRES_URL, ServerProcess, database
from tests.faults import TcpProxy
from tests.helpers import HUMAN, new_game

GAMES = 6
PLIES = 40


def game_line(seed: int) -> list[str]:
    """A fixed random line of legal moves that does not end the game early."""
    rng = random.Random(seed)
    board = chess.Board()
    line: list[str] = []
    while len(line) < PLIES:
        moves = list(board.legal_moves)
        rng.shuffle(moves)
        for move in moves:
            board.push(move)
            if not board.is_game_over(claim_draw=True):
                line.append(move.uci())
                break
            board.pop()
        else:
            return line
    return line


class Player(threading.Thread):
    """Plays one game's line, counting what the server acknowledged and what it refused."""

    def __init__(self, url: str, game_id: str, line: list[str]) -> None:
        super().__init__(daemon=True)
        self.url, self.game_id, self.line = url, game_id, line
        self.acknowledged: list[str] = []
        self.refused = 0
        self.errors: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url + "/api/v1", timeout=30) as client:
            played = 0
            while played < len(self.line):
                move = self.line[played]
                answer = client.post(f"/games/{self.game_id}/moves", json={"move": move})
                if answer.status_code == 200:
                    self.acknowledged.append(move)
                    played += 1
                    continue
                if answer.status_code >= 500 and answer.status_code != 503:
                    self.errors.append(f"{answer.status_code} {answer.text}")
                    return
                if answer.status_code == 503:
                    self.refused += 1
                    assert answer.json()["code"] == "STORAGE_UNAVAILABLE"
                    assert int(answer.headers["Retry-After"]) > 0
                time.sleep(0.05)
                # A refused move may still have been stored (the connection broke while
                # committing): the game as stored says.
                stored = client.get(f"/games/{self.game_id}")
                if stored.status_code == 200:
                    played = len(stored.json()["moves"])
                    if played < len(self.acknowledged):
                        self.errors.append(f"acknowledged moves lost: {stored.json()['moves']}")
                        return


class Creator(threading.Thread):
    """Creates games until told to stop, keeping the ids of those answered 201."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.created: list[str] = []
        self.refused = 0
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url + "/api/v1", timeout=30) as client:
            while not self.stop.is_set():
                answer = client.post("/games", json={"white": HUMAN, "black": HUMAN})
                if answer.status_code == 201:
                    self.created.append(answer.json()["gameId"])
                elif answer.status_code == 503:
                    self.refused += 1
                else:
                    self.errors.append(f"{answer.status_code} {answer.text}")
                time.sleep(0.02)


def stored_moves(url: str, game_ids: list[str]) -> dict[str, list[str]]:
    with httpx.Client(base_url=url + "/api/v1", timeout=30) as client:
        return {game_id: client.get(f"/games/{game_id}").json()["moves"] for game_id in game_ids}


def wait_for_storage_ok(url: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(url + "/health", timeout=5).json()["storage"] != "ok":
        assert time.monotonic() < deadline, "storage did not come back by itself"
        time.sleep(0.1)


@dataclass
class Load:
    players: list[Player]
    creator: Creator


def play_through(server: ServerProcess, fault: Callable[[], None]) -> Load:
    """Several games played, and new ones created, while ``fault`` happens."""
    with server.client() as client:
        game_ids = [new_game(client)["gameId"] for _ in range(GAMES)]
    players = [
        Player(server.url, game_id, game_line(seed)) for seed, game_id in enumerate(game_ids)
    ]
    creator = Creator(server.url)
    workers: list[Player | Creator] = [*players, creator]
    for worker in workers:
        worker.start()
    fault()
    for player in players:
        player.join(120)
        assert not player.is_alive()
    creator.stop.set()
    creator.join(30)
    assert [error for worker in workers for error in worker.errors] == []
    return Load(players, creator)


def assert_recovered_and_durable(
    server: ServerProcess, load: Load, restart: Callable[[], ServerProcess]
) -> None:
    """The fault was felt (503s), storage came back by itself, every game answered 201
    is stored and every game played is stored whole, also after ``kill -9`` and a
    restart."""
    assert sum(player.refused for player in load.players) + load.creator.refused > 0
    wait_for_storage_ok(server.url)
    assert_nothing_acknowledged_is_lost(server.url, load)
    server.kill()
    assert_nothing_acknowledged_is_lost(restart().url, load)


def assert_nothing_acknowledged_is_lost(url: str, load: Load) -> None:
    stored = stored_moves(url, [player.game_id for player in load.players])
    for player in load.players:
        # The whole line was played, and what was answered 200 is part of it.
        assert stored[player.game_id] == player.line
        assert set(player.acknowledged) <= set(player.line)
    assert load.creator.created
    assert stored_moves(url, load.creator.created) == {game: [] for game in load.creator.created}


def terminate_connections(database_name: str) -> int:
    """Cut every connection to the database, as an administrator or a failover would."""

    async def terminate() -> int:
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
        try:
            cut = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                database_name,
            )
            return len(cut)
        finally:
            await admin.close()

    return asyncio.run(terminate())


def test_postgres_connections_cut_mid_load_lose_no_acknowledged_move(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    with database("postgres", tmp_path) as url:
        server = spawn_server(url)
        cuts: list[int] = []

        def cut_three_times() -> None:
            for _ in range(3):
                time.sleep(0.4)
                cuts.append(terminate_connections(url.rsplit("/", 1)[1]))

        load = play_through(server, cut_three_times)
        assert all(cuts)
        assert_recovered_and_durable(server, load, lambda: spawn_server(url))


def test_sqlite_locked_mid_load_loses_no_acknowledged_move(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    path = tmp_path / "gambit.db"
    url = f"sqlite+aiosqlite:///{path}"
    server = spawn_server(url, "--database-timeout", "0.3")

    def lock_for_two_seconds() -> None:
        time.sleep(0.4)
        lock = sqlite3.connect(path, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # another process takes the write lock and keeps it
        time.sleep(2)
        lock.execute("ROLLBACK")
        lock.close()

    load = play_through(server, lock_for_two_seconds)
    assert_recovered_and_durable(server, load, lambda: spawn_server(url))


def test_postgres_refusing_connections_for_seconds_loses_no_acknowledged_move(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    with database("postgres", tmp_path) as url, TcpProxy.to_database(url) as proxy:
        server = spawn_server(proxy.database_url, "--database-timeout", "1")
        health: list[dict[str, str]] = []

        def refuse_for_three_seconds() -> None:
            time.sleep(0.4)
            proxy.cut()
            time.sleep(1.5)
            health.append(httpx.get(server.url + "/health", timeout=5).json())
            ready = httpx.get(server.url + "/health/ready", timeout=5)
            health.append({"ready": str(ready.status_code)})
            time.sleep(1.5)
            proxy.restore()

        load = play_through(server, refuse_for_three_seconds)
        assert health == [health[0], {"ready": "503"}]
        assert health[0]["storage"] == "degraded"
        assert_recovered_and_durable(server, load, lambda: spawn_server(url))
