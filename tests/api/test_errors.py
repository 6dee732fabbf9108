"""Every documented error of the chess face: status, code and words, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import FAST_COMPUTER, HUMAN, assert_error, new_game, play

BAD_FENS = [
    "not a fen",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 extra",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1\nquit",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1\x00",
    '"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"',
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1; go infinite",
    "8/8/8/8/8/8/8/8 w - - 0 1",
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR b KQkq - 0 1 ",
    "kk6/8/8/8/8/8/8/K7 w - - 0 1",
    "k6R/8/8/8/8/8/8/K7 w - - 0 1",
]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_writes_need_json_content_type(client: httpx.Client, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"white": {"type": 1}, "black": {"type": 1}}'
    response = client.post("/games", content=body, headers=headers)
    assert_error(response, 415, "INVALID_CONTENT_TYPE")
    game = new_game(client)
    for method, path in [("POST", "/moves"), ("POST", "/undo"), ("PUT", "/players")]:
        response = client.request(
            method, f"/games/{game['gameId']}{path}", content=b"{}", headers=headers
        )
        assert_error(response, 415, "INVALID_CONTENT_TYPE")


def test_json_with_charset_is_fine(client: httpx.Client) -> None:
    response = client.post(
        "/games",
        content=b'{"white": {"type": 1}, "black": {"type": 1}}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"not json",
        b"[]",
        b'"white"',
        b'{"white": 1, "black": {"type": 1}}',
        b'{"white": {"type": "1"}, "black": {"type": 1}}',
        b'{"white": {"type": 1.0}, "black": {"type": 1}}',
        b'{"white": {"type": true}, "black": {"type": 1}}',
        b'{"white": {"type": 2, "level": "5"}, "black": {"type": 1}}',
        b'{"white": {"type": 1}, "black": {"type": 1}, "fen": 5}',
        b"\xff\xfe",
    ],
)
def test_malformed_create_body(client: httpx.Client, body: bytes) -> None:
    response = client.post("/games", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "INVALID_REQUEST", "invalid request body")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"white": {}, "black": {"type": 1}}, "Type is required"),
        ({"black": {"type": 1}}, "White is required"),
        ({"white": {"type": 3}, "black": {"type": 1}}, "Type must be one of [1 2]"),
        ({"white": {"type": 0}, "black": {"type": 1}}, "Type must be one of [1 2]"),
        (
            {"white": {"type": 2, "level": 21}, "black": {"type": 1}},
            "Level must be between 0 and 20",
        ),
        (
            {"white": {"type": 2, "level": -1}, "black": {"type": 1}},
            "Level must be between 0 and 20",
        ),
        (
            {"white": {"type": 2, "searchTime": 99}, "black": {"type": 1}},
            "SearchTime must be between 100 and 10000 ms, or 0 for the default 1000 ms",
        ),
        (
            {"white": {"type": 2, "searchTime": 10001}, "black": {"type": 1}},
            "SearchTime must be between 100 and 10000 ms, or 0 for the default 1000 ms",
        ),
        (
            {"white": {"type": 2, "searchTime": -1}, "black": {"type": 1}},
            "SearchTime must be between 100 and 10000 ms, or 0 for the default 1000 ms",
        ),
        ({"white": HUMAN, "black": HUMAN, "fen": "8/" * 60}, "Fen must be at most 100 characters"),
    ],
)
def test_field_rules(client: httpx.Client, body: object, detail: str) -> None:
    body_json = assert_error(client.post("/games", json=body), 400, "INVALID_REQUEST")
    assert body_json["error"] == "validation failed"
    assert detail in body_json["details"]


def test_nested_field_names_the_side(client: httpx.Client) -> None:
    body = {"white": HUMAN, "black": {"type": 2, "level": 99}}
    details = assert_error(client.post("/games", json=body), 400, "INVALID_REQUEST")["details"]
    assert details == "Level must be between 0 and 20 (black.level)"


@pytest.mark.parametrize("fen", BAD_FENS)
def test_invalid_fen(client: httpx.Client, fen: str) -> None:
    response = client.post("/games", json={"white": HUMAN, "black": HUMAN, "fen": fen})
    body = assert_error(response, 400, "INVALID_FEN")
    assert "invalid FEN" in body["error"]


@pytest.mark.parametrize(
    ("move", "detail"),
    [
        ("e2e", "UCI notation"),
        ("e2e4qq", "UCI notation"),
        ("e2e4\nquit", "UCI notation"),
        ("", "UCI notation"),
        ("e9e4", "UCI notation"),
        ("e2e4k", "UCI notation"),
        ("E2E4", "UCI notation"),
        ("0000", "UCI notation"),
        ("e2 e4", "UCI notation"),
    ],
)
def test_move_syntax(client: httpx.Client, move: str, detail: str) -> None:
    game = new_game(client)
    response = client.post(f"/games/{game['gameId']}/moves", json={"move": move})
    body = assert_error(response, 400, "INVALID_REQUEST")
    assert body["error"] == "validation failed"
    assert detail in body["details"]


def test_move_missing_or_wrong_type(client: httpx.Client) -> None:
    game = new_game(client)
    url = f"/games/{game['gameId']}/moves"
    assert (
        "Move is required"
        in assert_error(client.post(url, json={}), 400, "INVALID_REQUEST")["details"]
    )
    assert_error(
        client.post(url, json={"move": 1234}), 400, "INVALID_REQUEST", "invalid request body"
    )


@pytest.mark.parametrize("move", ["e2e5", "e7e5", "a1a8", "e1g1"])
def test_illegal_move(client: httpx.Client, move: str) -> None:
    game = new_game(client)
    response = client.post(f"/games/{game['gameId']}/moves", json={"move": move})
    assert_error(response, 400, "INVALID_MOVE", "not a legal move")
    assert client.get(f"/games/{game['gameId']}").json()["moves"] == []


def test_promotion_needs_its_piece(client: httpx.Client) -> None:
    game = new_game(client, fen="8/4P1k1/8/8/8/8/8/4K3 w - - 0 1")
    response = client.post(f"/games/{game['gameId']}/moves", json={"move": "e7e8"})
    assert_error(response, 400, "INVALID_MOVE")


@pytest.mark.parametrize("game_id", ["not-a-uuid", "1234", "' OR 1=1 --"])
def test_game_id_must_be_a_uuid(client: httpx.Client, game_id: str) -> None:
    for response in (
        client.get(f"/games/{game_id}"),
        client.get(f"/games/{game_id}/board"),
        client.delete(f"/games/{game_id}"),
        client.post(f"/games/{game_id}/moves", json={"move": "e2e4"}),
    ):
        assert_error(response, 400, "INVALID_REQUEST", "GameId must be a UUID")


def test_unknown_game(client: httpx.Client) -> None:
    unknown = str(uuid.uuid4())
    assert_error(client.get(f"/games/{unknown}"), 404, "GAME_NOT_FOUND")
    assert_error(client.get(f"/games/{unknown}/board"), 404, "GAME_NOT_FOUND")
    assert_error(client.delete(f"/games/{unknown}"), 404, "GAME_NOT_FOUND")
    assert_error(
        client.post(f"/games/{unknown}/moves", json={"move": "e2e4"}), 404, "GAME_NOT_FOUND"
    )
    assert_error(client.post(f"/games/{unknown}/undo", json={}), 404, "GAME_NOT_FOUND")
    assert_error(
        client.put(f"/games/{unknown}/players", json={"white": HUMAN, "black": HUMAN}),
        404,
        "GAME_NOT_FOUND",
    )


def test_human_move_on_the_computers_turn(client: httpx.Client) -> None:
    game = new_game(client, FAST_COMPUTER, HUMAN)
    response = client.post(f"/games/{game['gameId']}/moves", json={"move": "e2e4"})
    body = assert_error(response, 400, "NOT_HUMAN_TURN")
    assert "white is the computer" in body["error"]


def test_computer_move_on_a_humans_turn(client: httpx.Client) -> None:
    game = new_game(client, HUMAN, FAST_COMPUTER)
    response = client.post(f"/games/{game['gameId']}/moves", json={"move": "cccc"})
    body = assert_error(response, 400, "NOT_HUMAN_TURN")
    assert "white is a human" in body["error"]


def test_nothing_changes_while_pending(client: httpx.Client) -> None:
    game = new_game(client, HUMAN, {"type": 2, "level": 20, "searchTime": 3000})
    game_id = game["gameId"]
    play(client, game_id, "e2e4", "cccc")
    for response in (
        client.post(f"/games/{game_id}/moves", json={"move": "cccc"}),
        client.post(f"/games/{game_id}/moves", json={"move": "e7e5"}),
        client.post(f"/games/{game_id}/undo", json={"count": 1}),
        client.put(f"/games/{game_id}/players", json={"white": HUMAN, "black": HUMAN}),
    ):
        body = assert_error(response, 400, "NOT_HUMAN_TURN")
        assert "thinking" in body["error"]
    assert client.get(f"/games/{game_id}").json()["state"] == "pending"
    client.delete(f"/games/{game_id}")


def test_game_over(client: httpx.Client) -> None:
    mated = new_game(client)
    play(client, mated["gameId"], "f2f3", "e7e5", "g2g4", "d8h4")
    for move in ("e2e4", "cccc"):
        response = client.post(f"/games/{mated['gameId']}/moves", json={"move": move})
        assert_error(response, 400, "GAME_OVER", "checkmate")


@pytest.mark.parametrize("count", [-1, 301])
def test_undo_count_rules(client: httpx.Client, count: int) -> None:
    game = new_game(client)
    response = client.post(f"/games/{game['gameId']}/undo", json={"count": count})
    body = assert_error(response, 400, "INVALID_REQUEST", "validation failed")
    assert "Count must be at" in body["details"]


def test_undo_more_than_played(client: httpx.Client) -> None:
    game = new_game(client)
    play(client, game["gameId"], "e2e4")
    response = client.post(f"/games/{game['gameId']}/undo", json={"count": 2})
    assert_error(response, 400, "INVALID_REQUEST", "cannot take back 2 moves")


def test_unknown_route_and_method(client: httpx.Client) -> None:
    assert_error(client.get("/nowhere"), 404, "NOT_FOUND")
    assert_error(client.patch("/games", json={}), 405, "METHOD_NOT_ALLOWED")


def test_long_poll_parameters(client: httpx.Client) -> None:
    game = new_game(client)
    response = client.get(f"/games/{game['gameId']}", params={"wait": "maybe"})
    assert_error(response, 400, "INVALID_REQUEST")
    response = client.get(f"/games/{game['gameId']}", params={"wait": "true", "moveCount": "-1"})
    assert_error(response, 400, "INVALID_REQUEST", "MoveCount must be at least 0")


def test_oversized_body(client: httpx.Client) -> None:
    body = b'{"white": {"type": 1}, "black": {"type": 1}, "fen": "' + b"x" * 100_000 + b'"}'
    response = client.post("/games", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_oversized_streamed_body(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"white": {"type": 1}, "black": {"type": 1}, "fen": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/games", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
