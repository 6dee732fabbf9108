"""Seed 000's battle face: create, list, join, act, forfeit, for chess and duel."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers import (
    FOOLS_MATE,
    act,
    assert_error,
    bearer,
    create_battle,
    register,
    wait_for_turn,
)


def test_two_people_play_chess_to_the_end(client: httpx.Client) -> None:
    alice, bob = register(client), register(client)
    battle = create_battle(client, alice, "chess", {"type": "human"}, {"type": "human"})
    assert battle["status"] == "WAITING"
    assert battle["players"][0]["id"] == alice["userId"]
    assert battle["players"][1]["id"] is None
    battle_id = battle["id"]
    listed = client.get("/battles").json()["battles"]
    assert battle_id in [b["id"] for b in listed]
    assert_error(
        act(client, alice, battle_id, {"type": "move", "move": "e2e4"}), 409, "NOT_YOUR_TURN"
    )
    joined = client.post(f"/battles/{battle_id}/join", headers=bearer(bob))
    assert joined.status_code == 200, joined.text
    assert joined.json()["status"] == "ACTIVE"
    assert joined.json()["legalActions"] is None  # white (alice) moves first
    assert battle_id not in [b["id"] for b in client.get("/battles").json()["battles"]]
    players = [alice, bob]
    for ply, move in enumerate(FOOLS_MATE):
        mover = players[ply % 2]
        legal = client.get(f"/battles/{battle_id}", headers=bearer(mover)).json()["legalActions"]
        assert {"type": "move", "move": move} in legal
        response = act(client, mover, battle_id, {"type": "move", "move": move})
        assert response.status_code == 200, response.text
    final = response.json()
    assert final["status"] == "FINISHED"
    state = final["state"]
    assert state["result"] == {"winners": [bob["userId"]], "reason": "checkmate"}
    assert state["moves"] == list(FOOLS_MATE)
    assert state["players"][alice["userId"]]["inCheck"] is True
    assert state["players"][bob["userId"]]["color"] == "black"
    assert state["lastAction"]["action"] == {"type": "move", "move": "d8h4"}
    assert_error(act(client, alice, battle_id, {"type": "move", "move": "e2e4"}), 400, "GAME_OVER")
    stats = client.get(f"/users/{bob['userId']}/stats").json()["games"]["chess"]
    assert (stats["played"], stats["wins"]) == (1, 1)
    # The battle is also a game of the chess face.
    assert client.get(f"/games/{battle_id}").json()["state"] == "black wins"
    # Players are shown with their names and their ratings as they sat down.
    seated = [(p["username"], p["rating"]) for p in final["players"]]
    assert seated == [(alice["username"], 1500), (bob["username"], 1500)]
    rematch = create_battle(client, bob, "chess", {"type": "human"}, {"type": "ai", "level": 0})
    assert rematch["players"][0]["username"] == bob["username"]
    assert rematch["players"][0]["rating"] > 1500
    assert rematch["players"][1]["username"] is None


def test_turn_and_action_errors(client: httpx.Client) -> None:
    alice, bob, carol = register(client), register(client), register(client)
    battle = create_battle(client, alice, "chess", {"type": "human"}, {"type": "human"})
    battle_id = battle["id"]
    assert_error(client.post(f"/battles/{battle_id}/join", headers=bearer(alice)), 409, "CONFLICT")
    client.post(f"/battles/{battle_id}/join", headers=bearer(bob))
    assert_error(client.post(f"/battles/{battle_id}/join", headers=bearer(carol)), 409, "CONFLICT")
    assert_error(
        act(client, bob, battle_id, {"type": "move", "move": "e7e5"}), 409, "NOT_YOUR_TURN"
    )
    illegal = act(client, alice, battle_id, {"type": "move", "move": "e2e5"})
    assert_error(illegal, 400, "INVALID_ACTION", "not a legal move")
    assert_error(act(client, carol, battle_id, {"type": "move", "move": "e2e4"}), 403, "FORBIDDEN")
    assert_error(client.get(f"/battles/{uuid.uuid4()}"), 404, "BATTLE_NOT_FOUND")
    assert_error(client.post("/battles", json={"game": "chess", "seats": []}), 401, "UNAUTHORIZED")
    bad = client.post(
        "/battles",
        json={"game": "chess", "seats": [{"type": "human"}] * 3},
        headers=bearer(alice),
    )
    assert_error(bad, 400, "INVALID_REQUEST")
    bad = client.post(
        "/battles",
        json={"game": "go", "seats": [{"type": "human"}] * 2},
        headers=bearer(alice),
    )
    assert_error(bad, 400, "INVALID_REQUEST")


def test_duel_against_the_ai(client: httpx.Client) -> None:
    me = register(client)
    battle = create_battle(
        client, me, "duel", {"type": "human"}, {"type": "ai", "level": 5, "searchTime": 100}
    )
    assert battle["status"] == "ACTIVE"
    battle_id = battle["id"]
    ai_id = battle["players"][1]["id"]
    state = battle["state"]
    assert set(state["players"]) == {me["userId"], ai_id}
    mine = state["players"][me["userId"]]
    assert mine == {"health": 100, "energy": 7, "status": [], "position": {"x": 0, "y": 0}}
    for _ in range(8):
        battle = wait_for_turn(client, me, battle_id)
        if battle["status"] == "FINISHED":
            break
        legal = battle["legalActions"]
        targeted = [a for a in legal if "target" in a]
        assert all(a["target"] == ai_id for a in targeted)
        action = targeted[0] if targeted else legal[0]
        response = act(client, me, battle_id, action)
        assert response.status_code == 200, response.text
    battle = wait_for_turn(client, me, battle_id)
    assert battle["state"]["round"] > 1
    assert battle["state"]["lastAction"]["playerId"] == ai_id


def test_duel_actions_name_players_by_id(client: httpx.Client) -> None:
    me, other = register(client), register(client)
    battle = create_battle(client, me, "duel", {"type": "human"}, {"type": "human"}, size=5)
    client.post(f"/battles/{battle['id']}/join", headers=bearer(other))
    bad_target = act(client, me, battle["id"], {"type": "bolt", "target": "nobody"})
    assert_error(bad_target, 400, "INVALID_ACTION", "player id")
    too_far = act(client, me, battle["id"], {"type": "attack", "target": other["userId"]})
    assert_error(too_far, 400, "INVALID_ACTION", "reaches 1 tile")
    # A duel is no game of the chess face.
    assert_error(client.get(f"/games/{battle['id']}"), 404, "GAME_NOT_FOUND")
    assert_error(client.get(f"/games/{battle['id']}?wait=true"), 404, "GAME_NOT_FOUND")
    assert_error(client.get(f"/games/{battle['id']}/board"), 404, "GAME_NOT_FOUND")
    move = client.post(f"/games/{battle['id']}/moves", json={"move": "e2e4"})
    assert_error(move, 404, "GAME_NOT_FOUND")


def test_forfeits(client: httpx.Client) -> None:
    alice, bob, carol = register(client), register(client), register(client)
    chess_battle = create_battle(client, alice, "chess", {"type": "human"}, {"type": "human"})
    client.post(f"/battles/{chess_battle['id']}/join", headers=bearer(bob))
    response = client.post(f"/battles/{chess_battle['id']}/forfeit", headers=bearer(bob))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "FINISHED"
    assert response.json()["state"]["result"] == {"winners": [alice["userId"]], "reason": "forfeit"}

    duel = create_battle(
        client, alice, "duel", {"type": "human"}, {"type": "human"}, {"type": "human"}
    )
    for player in (bob, carol):
        client.post(f"/battles/{duel['id']}/join", headers=bearer(player))
    response = client.post(f"/battles/{duel['id']}/forfeit", headers=bearer(alice))
    battle = response.json()
    assert battle["status"] == "ACTIVE"
    assert battle["state"]["players"][alice["userId"]]["health"] == 0
    assert battle["state"]["currentTurn"] == bob["userId"]
    response = client.post(f"/battles/{duel['id']}/forfeit", headers=bearer(carol))
    assert response.json()["state"]["result"]["winners"] == [bob["userId"]]
    assert_error(
        client.post(f"/battles/{duel['id']}/forfeit", headers=bearer(bob)), 400, "GAME_OVER"
    )


def test_listing_filters_and_pages(client: httpx.Client) -> None:
    me = register(client)
    made = [
        create_battle(client, me, "duel", {"type": "human"}, {"type": "human"})["id"]
        for _ in range(3)
    ]
    page = client.get("/battles", params={"userId": me["userId"], "limit": 2}).json()
    assert [b["id"] for b in page["battles"]] == made[::-1][:2]
    rest = client.get(
        "/battles", params={"userId": me["userId"], "limit": 2, "cursor": page["nextCursor"]}
    ).json()
    assert [b["id"] for b in rest["battles"]] == [made[0]]
    assert rest["nextCursor"] is None
    chess_only = client.get("/battles", params={"game": "chess", "userId": me["userId"]}).json()
    assert chess_only["battles"] == []
    assert_error(client.get("/battles", params={"cursor": "!!"}), 400, "INVALID_REQUEST")
    assert_error(client.get("/battles", params={"status": "LOST"}), 400, "INVALID_REQUEST")


def test_games_of_the_chess_face_are_battles_here(client: httpx.Client) -> None:
    me = register(client)
    game = client.post(
        "/games", json={"white": {"type": 1}, "black": {"type": 1}}, headers=bearer(me)
    ).json()
    listed = client.get("/battles", params={"userId": me["userId"], "status": "ACTIVE"}).json()
    assert [b["id"] for b in listed["battles"]] == [game["gameId"]]
    battle = client.get(f"/battles/{game['gameId']}", headers=bearer(me)).json()
    assert battle["game"] == "chess"
    assert {"type": "move", "move": "e2e4"} in battle["legalActions"]
    assert act(client, me, game["gameId"], {"type": "move", "move": "e2e4"}).status_code == 200
    assert client.get(f"/games/{game['gameId']}").json()["moves"] == ["e2e4"]


def test_duels_against_the_ai_at_several_levels_run_to_the_end(client: httpx.Client) -> None:
    me = register(client)
    for level in (0, 10, 20):
        battle = create_battle(
            client, me, "duel", {"type": "human"}, {"type": "ai", "level": level, "searchTime": 100}
        )
        for _ in range(150):
            battle = wait_for_turn(client, me, battle["id"])
            if battle["status"] == "FINISHED":
                break
            legal = battle["legalActions"]
            strikes = [a for a in legal if a["type"] in ("attack", "bolt")]
            closer = [a for a in legal if a["type"] == "move"]
            action = (strikes or closer or legal)[0]
            assert act(client, me, battle["id"], action).status_code == 200
        assert battle["status"] == "FINISHED", f"level {level} never finished"
    stats = client.get(f"/users/{me['userId']}/stats").json()["games"]["duel"]
    assert stats["played"] == 3
    assert stats["ratingDeviation"] < 350  # rated: the rating itself may come back to 1500


def _aggressive(legal: list[Any], me: Any, foe: Any) -> Any:
    """Strike when possible, else step towards the foe, else rest."""
    for kind in ("attack", "bolt"):
        strikes = [a for a in legal if a["type"] == kind]
        if strikes:
            return strikes[0]
    here, there = me["position"], foe["position"]

    def gap(action: Any) -> int:
        distance: int = abs(action["to"]["x"] - there["x"]) + abs(action["to"]["y"] - there["y"])
        return distance

    moves = [a for a in legal if a["type"] == "move"]
    now = abs(here["x"] - there["x"]) + abs(here["y"] - there["y"])
    closer = [a for a in moves if gap(a) < now]
    return min(closer, key=gap) if closer else {"type": "rest"}


def test_two_people_play_a_duel_to_the_end(client: httpx.Client) -> None:
    alice, bob = register(client), register(client)
    battle = create_battle(client, alice, "duel", {"type": "human"}, {"type": "human"}, size=5)
    client.post(f"/battles/{battle['id']}/join", headers=bearer(bob))
    sessions = {alice["userId"]: alice, bob["userId"]: bob}
    for _ in range(200):
        state = battle["state"]
        if battle["status"] == "FINISHED":
            break
        mover = state["currentTurn"]
        foe = next(pid for pid in state["players"] if pid != mover)
        legal = client.get(f"/battles/{battle['id']}", headers=bearer(sessions[mover])).json()[
            "legalActions"
        ]
        action = _aggressive(legal, state["players"][mover], state["players"][foe])
        response = act(client, sessions[mover], battle["id"], action)
        assert response.status_code == 200, response.text
        battle = response.json()
    assert battle["status"] == "FINISHED"
    result = battle["state"]["result"]
    assert len(result["winners"]) == 1
    loser = next(pid for pid in sessions if pid not in result["winners"])
    assert battle["state"]["players"][loser]["health"] == 0
    assert battle["state"]["currentTurn"] is None
    for user_id in sessions:
        duel = client.get(f"/users/{user_id}/stats").json()["games"]["duel"]
        assert duel["played"] == 1
        assert (duel["rating"] > 1500) == (user_id in result["winners"])


def test_a_chess_face_game_forfeited_on_the_battle_face(client: httpx.Client) -> None:
    me = register(client)
    game = client.post(
        "/games", json={"white": {"type": 1}, "black": {"type": 1}}, headers=bearer(me)
    ).json()
    client.post(f"/games/{game['gameId']}/moves", json={"move": "e2e4"}, headers=bearer(me))
    forfeit = client.post(f"/battles/{game['gameId']}/forfeit", headers=bearer(me))
    assert forfeit.status_code == 200, forfeit.text
    seen = client.get(f"/games/{game['gameId']}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["moves"] == ["e2e4"]
    assert seen.json()["lastMove"]["move"] == "e2e4"
    assert seen.json()["state"] in ("white wins", "black wins")
    players = client.put(
        f"/games/{game['gameId']}/players",
        json={"white": {"type": 1}, "black": {"type": 1}},
        headers=bearer(me),
    )
    assert players.status_code == 200, players.text
