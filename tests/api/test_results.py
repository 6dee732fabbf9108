"""How battles end besides play (the turn clock, expiry) and what an end leaves: stats."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.helpers import FOOLS_MATE, act, assert_error, bearer, create_battle, register

HUMAN = {"type": "human"}


def _wait_for(client: httpx.Client, battle_id: str, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        battle = client.get(f"/battles/{battle_id}").json()
        if done(battle):
            return battle
        time.sleep(0.1)
    raise AssertionError(f"battle {battle_id} never got there: {battle}")


def test_a_chess_player_who_runs_out_of_time_loses(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server()
    with live.client() as client:
        alice, bob = register(client), register(client)
        battle = create_battle(client, alice, "chess", HUMAN, HUMAN, turnSeconds=2)
        client.post(f"/battles/{battle['id']}/join", headers=bearer(bob))
        act(client, alice, battle["id"], {"type": "move", "move": "e2e4"})
        started = time.monotonic()
        finished = _wait_for(client, battle["id"], lambda b: b["status"] == "FINISHED")
        assert time.monotonic() - started >= 1.5  # bob had his two seconds
        assert finished["state"]["result"] == {"winners": [alice["userId"]], "reason": "timeout"}
        assert finished["state"]["lastAction"]["action"] == {"type": "forfeit", "reason": "timeout"}
        bob_stats = client.get(f"/users/{bob['userId']}/stats").json()["games"]["chess"]
        assert (bob_stats["played"], bob_stats["losses"]) == (1, 1)


def test_a_duel_player_who_runs_out_of_time_is_out(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server()
    with live.client() as client:
        players = [register(client) for _ in range(3)]
        battle = create_battle(client, players[0], "duel", HUMAN, HUMAN, HUMAN, turnSeconds=1)
        for player in players[1:]:
            client.post(f"/battles/{battle['id']}/join", headers=bearer(player))
        # Everyone but the second player keeps acting in time.
        deadline = time.monotonic() + 15
        while True:
            state = client.get(f"/battles/{battle['id']}").json()["state"]
            if state["players"][players[1]["userId"]]["health"] == 0:
                break
            assert time.monotonic() < deadline, state
            if state["currentTurn"] != players[1]["userId"]:
                mover = next(p for p in players if p["userId"] == state["currentTurn"])
                act(client, mover, battle["id"], {"type": "rest"})
            time.sleep(0.05)
        assert state["status"] == "ACTIVE"  # the other two fight on
        assert state["lastAction"]["playerId"] == players[1]["userId"]
        assert state["lastAction"]["action"]["reason"] == "timeout"


def test_a_battle_nobody_joins_expires(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(battle_waiting_expire_seconds=1)
    with live.client() as client:
        alice, bob = register(client), register(client)
        battle = create_battle(client, alice, "duel", HUMAN, HUMAN)
        expired = _wait_for(client, battle["id"], lambda b: b["status"] == "FINISHED")
        assert expired["state"]["result"] == {"winners": [], "reason": "expired"}
        assert battle["id"] not in [b["id"] for b in client.get("/battles").json()["battles"]]
        assert_error(
            client.post(f"/battles/{battle['id']}/join", headers=bearer(bob)), 409, "CONFLICT"
        )
        stats = client.get(f"/users/{alice['userId']}/stats").json()
        assert stats["total"]["played"] == 0


def test_stats_and_ratings_move_and_survive_a_restart(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server()
    with live.client() as client:
        alice, bob = register(client), register(client)
        for _ in range(2):
            battle = create_battle(client, alice, "chess", HUMAN, HUMAN)
            client.post(f"/battles/{battle['id']}/join", headers=bearer(bob))
            for ply, move in enumerate(FOOLS_MATE):
                act(client, (alice, bob)[ply % 2], battle["id"], {"type": "move", "move": move})
        duel = create_battle(client, alice, "duel", HUMAN, HUMAN)
        client.post(f"/battles/{duel['id']}/join", headers=bearer(bob))
        client.post(f"/battles/{duel['id']}/forfeit", headers=bearer(bob))
        before = {
            who["userId"]: client.get(f"/users/{who['userId']}/stats").json()
            for who in (alice, bob)
        }
    live.stop()

    winner, loser = before[bob["userId"]], before[alice["userId"]]
    assert winner["games"]["chess"]["wins"] == 2
    assert loser["games"]["chess"]["losses"] == 2
    assert winner["games"]["chess"]["rating"] > 1500 > loser["games"]["chess"]["rating"]
    assert winner["games"]["chess"]["ratingDeviation"] < 350
    assert loser["games"]["duel"]["wins"] == 1
    assert winner["games"]["duel"]["losses"] == 1
    assert loser["total"] == {"played": 3, "wins": 1, "losses": 2, "draws": 0}

    again = start_server()
    with again.client() as client:
        for user_id, stats in before.items():
            assert client.get(f"/users/{user_id}/stats").json() == stats
        me = client.get("/users/me", headers=bearer(alice)).json()
        assert me["stats"] == loser["total"]


class _BrokenAI:
    async def choose(self, state: Any, level: int, search_time_ms: int, progress: Any) -> Any:
        raise RuntimeError("the engine is on fire")


def test_a_failing_ai_never_leaves_a_battle_stuck(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server()
    live.services.ai_players["duel"] = _BrokenAI()
    with live.client() as client:
        me = register(client)
        battle = create_battle(client, me, "duel", HUMAN, {"type": "ai", "level": 10})
        act(client, me, battle["id"], {"type": "rest"})
        # The AI's turn is played by the fallback and the turn comes back to me.
        back = _wait_for(client, battle["id"], lambda b: b["state"]["currentTurn"] == me["userId"])
        assert back["state"]["lastAction"]["playerId"] == battle["players"][1]["id"]
        assert act(client, me, battle["id"], {"type": "rest"}).status_code == 200
