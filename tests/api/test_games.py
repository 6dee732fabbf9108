"""The chess face's happy paths, against a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import chess
import httpx

from tests.helpers import FAST_COMPUTER, HUMAN, new_game, play, wait_until_settled

START = chess.STARTING_FEN


def test_create_human_vs_computer(client: httpx.Client) -> None:
    game = new_game(client, HUMAN, {"type": 2, "level": 15, "searchTime": 1000})
    uuid.UUID(game["gameId"])
    assert game["fen"] == START
    assert game["turn"] == "w"
    assert game["state"] == "ongoing"
    assert game["moves"] == []
    assert "lastMove" not in game
    white, black = game["players"]["white"], game["players"]["black"]
    assert white["color"] == 1
    assert white["type"] == 1
    assert "level" not in white
    assert "searchTime" not in white
    uuid.UUID(white["id"])
    assert black == {"id": black["id"], "color": 2, "type": 2, "level": 15, "searchTime": 1000}
    assert black["id"] != white["id"]


def test_seed_example_request_with_zero_search_time_for_the_human(client: httpx.Client) -> None:
    game = new_game(
        client,
        {"type": 1, "level": 0, "searchTime": 0},
        {"type": 2, "level": 15, "searchTime": 1000},
        fen=START,
    )
    assert game["players"]["white"]["type"] == 1


def test_computer_defaults(client: httpx.Client) -> None:
    black = new_game(client, HUMAN, {"type": 2})["players"]["black"]
    assert black["level"] == 10
    assert black["searchTime"] == 1000


def test_create_from_fen(client: httpx.Client) -> None:
    fen = "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"
    game = new_game(client, fen=fen)
    assert game["fen"] == fen
    assert game["turn"] == "w"


def test_get_game(client: httpx.Client) -> None:
    game = new_game(client)
    fetched = client.get(f"/games/{game['gameId']}")
    assert fetched.status_code == 200
    assert fetched.json() == game


def test_human_moves(client: httpx.Client) -> None:
    game = new_game(client)
    after = play(client, game["gameId"], "e2e4", "e7e5")
    assert after["moves"] == ["e2e4", "e7e5"]
    assert after["turn"] == "w"
    assert after["lastMove"] == {"move": "e7e5", "playerColor": "b"}
    board = chess.Board()
    for move in after["moves"]:
        board.push_uci(move)
    assert after["fen"] == board.fen()


def test_promotion(client: httpx.Client) -> None:
    game = new_game(client, fen="8/4P1k1/8/8/8/8/8/4K3 w - - 0 1")
    after = play(client, game["gameId"], "e7e8q")
    assert after["moves"] == ["e7e8q"]
    assert after["fen"].startswith("4Q3/")


def test_computer_move_is_pending_then_played(client: httpx.Client) -> None:
    game = new_game(client, HUMAN, FAST_COMPUTER)
    play(client, game["gameId"], "e2e4")
    pending = play(client, game["gameId"], "cccc")
    assert pending["state"] == "pending"
    assert pending["moves"] == ["e2e4"]
    settled = wait_until_settled(client, game["gameId"])
    assert settled["state"] == "ongoing"
    assert len(settled["moves"]) == 2
    last = settled["lastMove"]
    assert last["playerColor"] == "b"
    assert last["move"] == settled["moves"][1]
    assert isinstance(last["score"], int)
    assert isinstance(last["depth"], int)
    board = chess.Board()
    board.push_uci("e2e4")
    assert chess.Move.from_uci(last["move"]) in board.legal_moves


def test_computer_against_computer(client: httpx.Client) -> None:
    game = new_game(client, FAST_COMPUTER, FAST_COMPUTER)
    for ply in range(1, 5):
        assert play(client, game["gameId"], "cccc")["state"] == "pending"
        assert len(wait_until_settled(client, game["gameId"])["moves"]) == ply


def test_checkmate(client: httpx.Client) -> None:
    game = new_game(client)
    after = play(client, game["gameId"], "f2f3", "e7e5", "g2g4", "d8h4")
    assert after["state"] == "black wins"


def test_stalemate(client: httpx.Client) -> None:
    game = new_game(client, fen="k7/8/8/1Q6/8/8/8/K7 w - - 0 1")
    assert play(client, game["gameId"], "b5b6")["state"] == "stalemate"


def test_insufficient_material_is_a_draw(client: httpx.Client) -> None:
    game = new_game(client, fen="k7/8/8/8/8/8/1r6/KB6 w - - 0 1")
    assert play(client, game["gameId"], "a1b2")["state"] == "draw"


def test_undo(client: httpx.Client) -> None:
    game = new_game(client)
    play(client, game["gameId"], "e2e4", "e7e5", "g1f3")
    one = client.post(f"/games/{game['gameId']}/undo", json={})
    assert one.status_code == 200
    assert one.json()["moves"] == ["e2e4", "e7e5"]
    two = client.post(f"/games/{game['gameId']}/undo", json={"count": 2})
    assert two.json()["moves"] == []
    assert two.json()["fen"] == START
    assert "lastMove" not in two.json()


def test_undo_reopens_a_finished_game(client: httpx.Client) -> None:
    game = new_game(client)
    play(client, game["gameId"], "f2f3", "e7e5", "g2g4", "d8h4")
    reopened = client.post(f"/games/{game['gameId']}/undo", json={"count": 1}).json()
    assert reopened["state"] == "ongoing"
    assert play(client, game["gameId"], "d8e7")["moves"][-1] == "d8e7"


def test_set_players(client: httpx.Client) -> None:
    game = new_game(client)
    white_id = game["players"]["white"]["id"]
    response = client.put(
        f"/games/{game['gameId']}/players", json={"white": HUMAN, "black": FAST_COMPUTER}
    )
    assert response.status_code == 200
    players = response.json()["players"]
    assert players["white"]["id"] == white_id
    assert players["black"]["type"] == 2
    assert players["black"]["id"].startswith("ai-")
    play(client, game["gameId"], "d2d4")
    play(client, game["gameId"], "cccc")
    assert len(wait_until_settled(client, game["gameId"])["moves"]) == 2


def test_board(client: httpx.Client) -> None:
    game = new_game(client)
    play(client, game["gameId"], "e2e4")
    response = client.get(f"/games/{game['gameId']}/board")
    assert response.status_code == 200
    body = response.json()
    assert body["fen"] == "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"
    lines = body["board"].splitlines()
    assert lines[0] == "8 r n b q k b n r"
    assert lines[4] == "4 . . . . P . . ."
    assert lines[-1] == "  a b c d e f g h"


def test_delete(client: httpx.Client) -> None:
    game = new_game(client)
    response = client.delete(f"/games/{game['gameId']}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/games/{game['gameId']}").status_code == 404


def test_delete_while_the_computer_thinks(client: httpx.Client) -> None:
    game = new_game(client, HUMAN, {"type": 2, "level": 20, "searchTime": 2000})
    play(client, game["gameId"], "e2e4", "cccc")
    assert client.delete(f"/games/{game['gameId']}").status_code == 204
    assert client.get(f"/games/{game['gameId']}").status_code == 404


def test_health_is_also_at_the_root(client: httpx.Client, server: object) -> None:
    for url in ("/health", str(httpx.URL(client.base_url).copy_with(path="/health"))):
        body = client.get(url).json()
        assert body["status"] == "healthy"
        assert body["storage"] == "ok"
        assert body["bus"] == "ok"
        assert body["engine"].startswith("Stockfish")


def test_ready_for_traffic_also_at_the_root(client: httpx.Client) -> None:
    for url in ("/health/ready", str(httpx.URL(client.base_url).copy_with(path="/health/ready"))):
        response = client.get(url)
        assert response.status_code == 200
        assert response.json() == {"ready": True, "storage": "ok", "bus": "ok"}
