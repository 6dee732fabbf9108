"""State, history and replays; seed 000's /game/state and /ai/action."""

from __future__ import annotations

import io
import random
import uuid
from typing import Any

import chess
import chess.pgn
import httpx

from gambit.games.duel import DuelRuleset
from tests.helpers import (
    FOOLS_MATE,
    act,
    assert_error,
    bearer,
    create_battle,
    register,
)

HUMAN = {"type": "human"}


def _duel_between(client: httpx.Client, size: int = 5) -> tuple[Any, Any, str]:
    alice, bob = register(client), register(client)
    battle = create_battle(client, alice, "duel", HUMAN, HUMAN, size=size)
    assert client.post(f"/battles/{battle['id']}/join", headers=bearer(bob)).status_code == 200
    return alice, bob, battle["id"]


def _play_randomly(
    client: httpx.Client, sessions: dict[str, Any], battle_id: str, turns: int
) -> Any:
    """Up to ``turns`` random legal actions, each by the player whose turn it is."""
    rng = random.Random(7)
    battle = client.get(f"/battles/{battle_id}").json()
    for _ in range(turns):
        if battle["status"] == "FINISHED":
            break
        mover = sessions[battle["state"]["currentTurn"]]
        legal = client.get(f"/battles/{battle_id}", headers=bearer(mover)).json()["legalActions"]
        response = act(client, mover, battle_id, rng.choice(legal))
        assert response.status_code == 200, response.text
        battle = response.json()
    return battle


def test_state_is_the_callers_most_recent_active_battle(client: httpx.Client) -> None:
    alice, bob, first = _duel_between(client)
    carol = register(client)
    second = create_battle(client, alice, "chess", HUMAN, HUMAN)["id"]
    client.post(f"/battles/{second}/join", headers=bearer(carol))
    act(client, alice, second, {"type": "move", "move": "e2e4"})
    state = client.get("/state", headers=bearer(alice)).json()
    assert state["battleId"] == second
    assert state["fen"].startswith("rnbqkbnr/pppppppp/8/8/4P3")
    assert client.get("/game/state", headers=bearer(bob)).json()["battleId"] == first
    chosen = client.get("/state", params={"battleId": first}, headers=bearer(alice)).json()
    assert chosen["battleId"] == first
    assert chosen["players"][alice["userId"]]["health"] == 100
    # Anyone may look at a named battle; without one you must sign in.
    assert client.get("/state", params={"battleId": first}).status_code == 200
    assert_error(client.get("/state"), 401, "UNAUTHORIZED")
    assert_error(client.get("/state", headers=bearer(register(client))), 404, "BATTLE_NOT_FOUND")
    assert_error(
        client.get("/state", params={"battleId": str(uuid.uuid4())}), 404, "BATTLE_NOT_FOUND"
    )
    assert_error(client.get("/state", params={"battleId": "nope"}), 400, "INVALID_REQUEST")


def test_history_and_replay_re_simulate_a_duel(client: httpx.Client) -> None:
    alice, bob, battle_id = _duel_between(client)
    sessions = {alice["userId"]: alice, bob["userId"]: bob}
    _play_randomly(client, sessions, battle_id, 25)
    history = client.get("/state/history", params={"battleId": battle_id}).json()["states"]
    replay = client.get(f"/state/replay/{battle_id}").json()
    actions = replay["actions"]
    assert len(history) == len(actions) + 1
    assert [a["seq"] for a in actions] == list(range(1, len(actions) + 1))
    assert history[0] == replay["initialState"]
    assert history[-1] == replay["battle"]["state"]
    assert replay["result"] == replay["battle"]["state"]["result"]
    assert replay["pgn"] is None

    # Re-simulate the log with the rules alone and meet every recorded state.
    ids = [player["id"] for player in replay["battle"]["players"]]
    rules = DuelRuleset()
    state = rules.initial_state(len(ids), {"size": 5}, 0)

    def players(state: Any) -> dict[str, Any]:
        return {ids[i]: fighter.to_json() for i, fighter in enumerate(state.fighters)}

    assert players(state) == replay["initialState"]["players"]
    for record, recorded in zip(actions, history[1:], strict=True):
        assert record["playerId"] == ids[rules.to_move(state)]
        action = dict(record["action"])
        if "target" in action:
            action["target"] = ids.index(action["target"])
        state, _ = rules.apply(state, action)
        assert players(state) == recorded["players"]
        assert recorded["lastAction"] == record
        assert recorded["round"] == state.round


def test_chess_replay_has_a_pgn_with_the_players_names(client: httpx.Client) -> None:
    alice = register(client, f"alice{uuid.uuid4().hex[:6]}")
    bob = register(client, f"bob{uuid.uuid4().hex[:6]}")
    battle_id = create_battle(client, alice, "chess", HUMAN, HUMAN)["id"]
    client.post(f"/battles/{battle_id}/join", headers=bearer(bob))
    for ply, move in enumerate(FOOLS_MATE):
        act(client, (alice, bob)[ply % 2], battle_id, {"type": "move", "move": move})
    replay = client.get(f"/state/replay/{battle_id}").json()
    game = chess.pgn.read_game(io.StringIO(replay["pgn"]))
    assert game is not None
    assert game.headers["White"] == alice["username"]
    assert game.headers["Black"] == bob["username"]
    assert game.headers["Result"] == "0-1"
    assert game.headers["Termination"] == "checkmate"
    assert [move.uci() for move in game.mainline_moves()] == list(FOOLS_MATE)
    history = client.get("/state/history", params={"battleId": battle_id}).json()["states"]
    board = chess.Board()
    assert history[0]["fen"] == board.fen()
    for move, state in zip(FOOLS_MATE, history[1:], strict=True):
        board.push_uci(move)
        assert state["fen"] == board.fen()
    assert history[-1]["status"] == "FINISHED"
    assert [s["status"] for s in history[:-1]] == ["ACTIVE"] * 4


def test_a_game_of_the_chess_face_replays_too(client: httpx.Client) -> None:
    game = client.post("/games", json={"white": {"type": 1}, "black": {"type": 1}}).json()
    client.post(f"/games/{game['gameId']}/moves", json={"move": "e2e4"})
    replay = client.get(f"/state/replay/{game['gameId']}").json()
    assert [a["action"] for a in replay["actions"]] == [{"type": "move", "move": "e2e4"}]
    assert '[White "Anonymous"]' in replay["pgn"]
    assert '[Result "*"]' in replay["pgn"]


def test_post_game_state_acts_in_the_current_battle(client: httpx.Client) -> None:
    alice, bob, battle_id = _duel_between(client)
    state = client.post("/game/state", json={"action": {"type": "rest"}}, headers=bearer(alice))
    assert state.status_code == 200, state.text
    assert state.json()["lastAction"]["action"] == {"type": "rest"}
    assert state.json()["currentTurn"] == bob["userId"]
    named = client.post(
        "/game/state",
        json={"battleId": battle_id, "action": {"type": "shield"}},
        headers=bearer(bob),
    )
    assert named.status_code == 200, named.text
    assert named.json()["players"][bob["userId"]]["status"] == [
        {"type": "shielded", "turnsLeft": 1}
    ]
    assert_error(
        client.post("/game/state", json={"action": {"type": "rest"}}, headers=bearer(bob)),
        409,
        "NOT_YOUR_TURN",
    )
    assert_error(
        client.post("/game/state", json={"action": {"type": "fly"}}, headers=bearer(alice)),
        400,
        "INVALID_ACTION",
    )
    assert_error(client.post("/game/state", json={"action": {"type": "rest"}}), 401, "UNAUTHORIZED")


def test_ai_action_for_a_chess_position(client: httpx.Client) -> None:
    me = register(client)
    fen = "6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1"  # Ra8 mates
    response = client.post(
        "/ai/action",
        json={"game": "chess", "state": {"fen": fen}, "searchTime": 200},
        headers=bearer(me),
    )
    assert response.status_code == 200, response.text
    hint = response.json()
    assert hint["bestMove"] == "a1a8"
    assert hint["action"] == {"type": "move", "move": "a1a8"}
    assert hint["evaluation"]["mate"] == 1  # mate in one, from white's side
    assert hint["evaluation"]["score"] is None
    assert hint["evaluation"]["pv"][0] == "a1a8"


def test_ai_action_for_a_battle_is_not_applied(client: httpx.Client) -> None:
    alice, bob, battle_id = _duel_between(client)
    before = client.get(f"/battles/{battle_id}").json()
    response = client.post(
        "/ai/action",
        json={"battleId": battle_id, "level": 10, "searchTime": 100},
        headers=bearer(bob),
    )
    assert response.status_code == 200, response.text
    hint = response.json()
    assert hint["playerId"] == alice["userId"]  # whose turn it is
    legal = client.get(f"/battles/{battle_id}", headers=bearer(alice)).json()["legalActions"]
    assert hint["action"] in legal
    assert client.get(f"/battles/{battle_id}").json() == before
    assert act(client, alice, battle_id, hint["action"]).status_code == 200


def test_ai_action_for_a_duel_position_names_players_by_id(client: httpx.Client) -> None:
    me = register(client)
    fighter = {"health": 100, "energy": 5, "status": []}
    state = {
        "size": 5,
        "currentTurn": "red",
        "players": {
            "red": {**fighter, "position": {"x": 2, "y": 2}},
            "blue": {**fighter, "health": 10, "position": {"x": 2, "y": 3}},
        },
    }
    response = client.post(
        "/ai/action",
        json={"game": "duel", "state": state, "level": 20, "searchTime": 200},
        headers=bearer(me),
    )
    assert response.status_code == 200, response.text
    hint = response.json()
    assert hint["playerId"] == "red"
    assert hint["action"] == {"type": "attack", "target": "blue"}  # 12 damage finishes blue
    assert all(step.get("target", "blue") in ("red", "blue") for step in hint["evaluation"]["pv"])


def test_ai_action_errors(client: httpx.Client) -> None:
    me = register(client)

    def ask(body: Any) -> httpx.Response:
        return client.post("/ai/action", json=body, headers=bearer(me))

    assert_error(ask({"game": "chess"}), 400, "INVALID_REQUEST")
    assert_error(ask({"state": "8/8/8/8/8/8/8/8 w - - 0 1"}), 400, "INVALID_REQUEST")
    assert_error(
        ask({"game": "chess", "state": "not a fen", "battleId": str(uuid.uuid4())}),
        400,
        "INVALID_REQUEST",
    )
    assert_error(ask({"game": "chess", "state": "not a fen"}), 400, "INVALID_REQUEST")
    mated = "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3"
    assert_error(ask({"game": "chess", "state": mated}), 400, "GAME_OVER")
    crowded = {
        "currentTurn": "a",
        "players": {
            "a": {"health": 50, "energy": 5, "status": [], "position": {"x": 1, "y": 1}},
            "b": {"health": 50, "energy": 5, "status": [], "position": {"x": 1, "y": 1}},
        },
    }
    assert_error(ask({"game": "duel", "state": crowded}), 400, "INVALID_REQUEST", "share")
    assert_error(
        ask({"game": "duel", "state": {**crowded, "currentTurn": "z"}}), 400, "INVALID_REQUEST"
    )
    assert_error(ask({"battleId": str(uuid.uuid4())}), 404, "BATTLE_NOT_FOUND")
    assert_error(
        client.post("/ai/action", json={"battleId": str(uuid.uuid4())}),
        401,
        "UNAUTHORIZED",
    )


def test_ai_action_turns_any_junk_state_into_a_400(client: httpx.Client) -> None:
    me = register(client)
    fighter = {"health": 100, "energy": 5, "status": [], "position": {"x": 0, "y": 0}}
    junk: list[Any] = [
        {"currentTurn": "a", "players": {"a": 5, "b": fighter}},
        {"currentTurn": "a", "players": {"a": {**fighter, "status": 5}, "b": fighter}},
        {
            "currentTurn": "a",
            "players": {"a": {**fighter, "status": [{"type": "x"}]}, "b": fighter},
        },
        {"currentTurn": "a", "players": {"a": {**fighter, "health": True}, "b": fighter}},
        {"currentTurn": "a", "players": {"a": {**fighter, "position": [0, 0]}, "b": fighter}},
        {"currentTurn": "a", "players": {"a": fighter}},
        {"currentTurn": "a", "players": []},
        {"currentTurn": ["a"], "players": {"a": fighter, "b": fighter}},
        {"currentTurn": "a", "size": "7", "players": {"a": fighter, "b": fighter}},
        {"currentTurn": "a", "size": 99, "players": {"a": fighter, "b": fighter}},
        {"currentTurn": "a", "round": 0, "players": {"a": fighter, "b": fighter}},
        "a string",
    ]
    for state in junk:
        response = client.post(
            "/ai/action", json={"game": "duel", "state": state}, headers=bearer(me)
        )
        assert_error(response, 400, "INVALID_REQUEST")
    for state in ({"fen": 5}, {"nofen": "x"}, "8/8/8/8/8/8/8/8 w - - 0 1"):
        response = client.post(
            "/ai/action", json={"game": "chess", "state": state}, headers=bearer(me)
        )
        assert_error(response, 400, "INVALID_REQUEST")
