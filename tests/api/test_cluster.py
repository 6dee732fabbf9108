"""Two `gambit serve` processes on one PostgreSQL and one Redis: events and sign-outs cross over."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from gambit import __version__
from tests.conftest import SECRET_KEY, RedisServer, ServerProcess, database
from tests.helpers import bearer, create_battle, register, sample, scrape
from tests.ws import open_socket

HUMAN = {"type": "human"}


def _eventually(check: Callable[[], httpx.Response], status: int = 200) -> httpx.Response:
    """The other process hears of a new battle a moment later."""
    deadline = time.monotonic() + 10
    while True:
        response = check()
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def test_a_move_on_one_process_reaches_sockets_and_long_polls_on_the_other(
    spawn_server: Callable[..., ServerProcess], redis_url: str, tmp_path: Path
) -> None:
    with database("postgres", tmp_path) as url:
        first = spawn_server(url, "--redis-url", redis_url)
        second = spawn_server(url, "--redis-url", redis_url)
        with first.client() as a, second.client() as b:
            alice, bob = register(a), register(b)  # one user table, one signing key
            battle = create_battle(a, alice, "chess", HUMAN, HUMAN)
            battle_id = battle["id"]
            joined = _eventually(lambda: b.post(f"/battles/{battle_id}/join", headers=bearer(bob)))
            assert joined.status_code == 200, joined.text
            assert joined.json()["status"] == "ACTIVE"
            _eventually(lambda: a.get(f"/battles/{battle_id}")).json()

            async def run() -> None:
                async with (
                    open_socket(second.url, bob["token"]) as player,
                    open_socket(second.url) as spectator,
                ):
                    await spectator.send("subscribe", {"battleId": battle_id})
                    await spectator.expect("subscribe")
                    # A long-poll of the chess face, waiting on the second process.
                    polled: dict[str, Any] = {}

                    def long_poll() -> None:
                        started = time.monotonic()
                        with second.client() as poller:
                            response = poller.get(
                                f"/games/{battle_id}", params={"wait": "true", "moveCount": 0}
                            )
                        polled["moves"] = response.json()["moves"]
                        polled["seconds"] = time.monotonic() - started

                    waiter = threading.Thread(target=long_poll)
                    waiter.start()
                    await asyncio.sleep(0.3)
                    # The move goes through the first process.
                    moved = a.post(
                        f"/battles/{battle_id}/actions",
                        json={"action": {"type": "move", "move": "e2e4"}},
                        headers=bearer(alice),
                    )
                    assert moved.status_code == 200, moved.text
                    sent = time.monotonic()
                    for socket in (player, spectator):
                        action = await socket.expect("game:action", battleId=battle_id)
                        assert action["data"]["action"] == {"type": "move", "move": "e2e4"}
                        update = await socket.expect("game:update", battleId=battle_id)
                        assert update["data"]["moves"] == ["e2e4"]
                    assert time.monotonic() - sent < 2
                    await asyncio.get_running_loop().run_in_executor(None, waiter.join, 10)
                    assert polled["moves"] == ["e2e4"]
                    assert polled["seconds"] < 5  # woken, not timed out (25 s)
                    # The second process answers from the new state too.
                    assert b.get(f"/battles/{battle_id}").json()["state"]["moves"] == ["e2e4"]
                    # A move on the second process reaches the first one's sockets.
                    async with open_socket(first.url, alice["token"]) as white:
                        await player.send(
                            "game:action",
                            {"battleId": battle_id, "action": {"type": "move", "move": "e7e5"}},
                        )
                        update = await white.expect("game:update", battleId=battle_id)
                        assert update["data"]["moves"] == ["e2e4", "e7e5"]
                        # Spectators are counted over both processes.
                        async with open_socket(first.url) as other:
                            await other.send("subscribe", {"battleId": battle_id})
                            await white.expect("battle:spectators", spectators=2)
                            await spectator.expect("battle:spectators", spectators=2)
                        # An announcement made on one process reaches every connection.
                        with httpx.Client(base_url=first.url + "/api/v1") as http:
                            token = _operator_token()
                            response = http.post(
                                "/system/announce",
                                json={"event": "maintenance", "message": "at noon"},
                                headers={"Authorization": f"Bearer {token}"},
                            )
                            assert response.status_code == 202
                        for socket in (white, player, spectator):
                            await socket.expect("system:maintenance", message="at noon")

            asyncio.run(asyncio.wait_for(run(), 60))

            # Signing out on one process refuses the token on the other within a second
            # (it reads the revocations from the database).
            assert b.get("/auth/me", headers=bearer(alice)).status_code == 200
            assert a.post("/auth/logout", headers=bearer(alice)).status_code in (200, 204)
            signed_out = time.monotonic()
            refused = _eventually(lambda: b.get("/auth/me", headers=bearer(alice)), 401)
            assert refused.status_code == 401
            assert time.monotonic() - signed_out < 1

            # Each process serves its own metrics; the second timed the events it heard.
            scraped = scrape(second.url)
            assert sample(scraped, "gambit_bus_delay_seconds_count") > 0
            engine = httpx.get(second.url + "/health").json()["engine"]
            info = {"version": __version__, "storage": "postgresql", "bus": "redis"}
            assert sample(scraped, "gambit_info", engine=engine, **info) == 1
        first.stop()
        second.stop()


def _operator_token() -> str:
    from gambit.services.tokens import Tokens

    return Tokens(SECRET_KEY, "HS256", 1).issue_operator()


def _within_a_second(client: httpx.Client, game_id: str, moves: list[str]) -> None:
    deadline = time.monotonic() + 1
    while (seen := client.get(f"/games/{game_id}").json()["moves"]) != moves:
        assert time.monotonic() < deadline, seen
        time.sleep(0.01)


def test_two_processes_stay_coherent_through_a_redis_cut(
    spawn_server: Callable[..., ServerProcess], throwaway_redis: RedisServer, tmp_path: Path
) -> None:
    """Moves alternate between the processes while Redis is killed and restarted: no
    answer is a 500, no legal move is refused for a stale copy, and within a second of
    Redis coming back both processes serve the game as stored."""
    line = ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6", "d2d3", "f8c5", "c2c3", "d7d6"]
    with database("postgres", tmp_path) as url:
        first = spawn_server(url, "--redis-url", throwaway_redis.url)
        second = spawn_server(url, "--redis-url", throwaway_redis.url)
        with first.client() as a, second.client() as b:
            game_id = a.post("/games", json={"white": {"type": 1}, "black": {"type": 1}}).json()[
                "gameId"
            ]
            sides = [a, b]
            for ply, move in enumerate(line[:2]):  # both processes hold the game now
                assert (
                    sides[ply % 2].post(f"/games/{game_id}/moves", json={"move": move}).is_success
                )

            throwaway_redis.kill()
            for ply, move in enumerate(line[2:6], start=2):
                answer = sides[ply % 2].post(f"/games/{game_id}/moves", json={"move": move})
                assert answer.status_code == 200, answer.text  # checked against the database
                assert (
                    sides[(ply + 1) % 2].get(f"/games/{game_id}").json()["moves"] == line[: ply + 1]
                )
            assert a.get("/health").json()["bus"] == "degraded"

            throwaway_redis.start()
            back = time.monotonic()
            for client in (a, b):
                while client.get("/health").json()["bus"] != "ok":
                    assert time.monotonic() - back < 10, "the bus did not come back"
                    time.sleep(0.02)
            for ply, move in enumerate(line[6:], start=6):
                answer = sides[ply % 2].post(f"/games/{game_id}/moves", json={"move": move})
                assert answer.status_code == 200, answer.text
                for client in (a, b):
                    _within_a_second(client, game_id, line[: ply + 1])
