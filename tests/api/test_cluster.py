"""Two `gambit serve` processes on one PostgreSQL and one Redis: events and sign-outs cross over."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import SECRET_KEY, ServerProcess, database
from tests.helpers import bearer, create_battle, register
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
        first.stop()
        second.stop()


def _operator_token() -> str:
    from gambit.services.tokens import Tokens

    return Tokens(SECRET_KEY, "HS256", 1).issue_operator()
