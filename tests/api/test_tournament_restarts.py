"""A tournament survives its server: restarted half-way it carries on from the database,
and two processes on one PostgreSQL and Redis start each game once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.api.test_tournaments import QUICK, engine
from tests.conftest import ServerProcess, database
from tests.helpers import bearer, register, run_sql


def create_round_robin(client: httpx.Client, session: Any, concurrency: int) -> str:
    response = client.post(
        "/tournaments",
        json={
            "name": "restart",
            "game": "chess",
            "format": "round-robin",
            "participants": [engine(0), engine(2), engine(4)],
            "gamesPerPairing": 2,
            "concurrency": concurrency,
            "timeControl": QUICK,
        },
        headers=bearer(session),
    )
    assert response.status_code == 201, response.text
    tournament_id: str = response.json()["id"]
    started = client.post(f"/tournaments/{tournament_id}/start", headers=bearer(session))
    assert started.status_code == 200, started.text
    return tournament_id


def wait(client: httpx.Client, tournament_id: str, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        tournament = client.get(f"/tournaments/{tournament_id}").json()
        if done(tournament):
            return tournament
        time.sleep(0.2)
    raise AssertionError(f"not there after 90 s: {tournament['progress']}")


def test_a_server_restarted_half_way_carries_on(
    spawn_server: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
    first = spawn_server(url)
    with first.client() as client:
        organiser = register(client)
        tournament_id = create_round_robin(client, organiser, concurrency=2)
        wait(client, tournament_id, lambda t: t["progress"]["played"] >= 2)
    first.kill()  # mid-tournament: games in play, the rest pending
    second = spawn_server(url)
    with second.client() as client:
        done = wait(client, tournament_id, lambda t: t["status"] == "finished")
    assert done["progress"] == {"played": 6, "running": 0, "total": 6}
    assert sum(row["points"] for row in done["standings"]) == 6
    battles = [game["battleId"] for game in done["games"]]
    assert len(set(battles)) == 6


def test_two_processes_start_each_game_once(
    spawn_server: Callable[..., ServerProcess], redis_url: str, tmp_path: Path
) -> None:
    with database("postgres", tmp_path) as url:
        first = spawn_server(url, "--redis-url", redis_url)
        second = spawn_server(url, "--redis-url", redis_url)
        with first.client() as a, second.client() as b:
            organiser = register(a)
            tournament_id = create_round_robin(a, organiser, concurrency=3)
            done = wait(b, tournament_id, lambda t: t["status"] == "finished")
        assert done["progress"]["played"] == 6
        rows = run_sql(url, "SELECT id FROM battles")
        battles = [game["battleId"] for game in done["games"]]
        # Every battle made belongs to exactly one game: none was started twice.
        assert Counter(row[0] for row in rows) == Counter(battles)
        assert len(rows) == 6
