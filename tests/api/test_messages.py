"""What a newcomer reads when a request goes wrong: SAN moves answered in UCI, trailing
slashes, one 413, ``/token`` with JSON, game ids on the chess face, ranges stated, mates
reported as mates, and never the wording of the libraries underneath (PyJWT, pydantic)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from gambit import ai
from tests.conftest import LiveServer
from tests.helpers import (
    HUMAN,
    PASSWORD,
    assert_error,
    bearer,
    create_battle,
    new_game,
    play,
    register,
    wait_until_settled,
)
from tests.ws import open_socket, ws_url

MATE_IN_ONE = "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1"  # Ra8#
PERSON = {"type": "human"}  # a seat of the battle face
LIBRARY_PHRASES = (
    # PyJWT
    "Signature has expired",
    "Signature verification failed",
    "Not enough segments",
    "Invalid header padding",
    "Invalid crypto padding",
    "Invalid payload",
    "Invalid token type",
    "The specified alg value is not allowed",
    "Token is missing",
    "is missing the",
    # pydantic
    "Value error",
    "Input should be",
    "Input tag",
    "Unable to extract tag",
    "Field required",
    "String should",
    "List should",
    "Extra inputs are not permitted",
    "JSON decode error",
    "after validation",
    "dict[str",
    "function-after",
    "is invalid:",
    "Expecting value",
    "timezone info",
)


@pytest.fixture(scope="module")
def backend() -> str:
    """Messages do not depend on the database; one backend is enough."""
    return "sqlite"


@pytest.fixture(scope="module")
def alice(server: LiveServer) -> Any:
    with server.client() as http:
        return register(http)


def test_a_san_move_on_the_chess_face_is_answered_in_uci(client: httpx.Client) -> None:
    game = new_game(client)
    url = f"/games/{game['gameId']}/moves"
    for san, uci in (("e4", "e2e4"), ("Nf3", "g1f3"), ("Nc3+", "b1c3")):
        body = assert_error(client.post(url, json={"move": san}), 400, "INVALID_REQUEST")
        assert body["error"] == f"{san} is SAN; send it in UCI: {uci}"
    play(client, game["gameId"], "e2e4", "e7e5")
    body = assert_error(client.post(url, json={"move": "O-O"}), 400, "INVALID_REQUEST")
    assert body["error"] == "O-O is SAN; send moves in UCI, such as e2e4 or e7e8q"
    body = assert_error(client.post(url, json={"move": "e2e"}), 400, "INVALID_REQUEST")
    assert "UCI notation, such as e2e4" in body["details"]
    assert client.get(f"/games/{game['gameId']}").json()["moves"] == ["e2e4", "e7e5"]


def test_a_san_move_on_the_battle_face_and_the_board_api_is_answered_in_uci(
    client: httpx.Client, alice: Any, server: LiveServer
) -> None:
    bob = register(client)
    battle = create_battle(client, alice, "chess", PERSON, PERSON)
    joined = client.post(f"/battles/{battle['id']}/join", headers=bearer(bob))
    assert joined.status_code == 200, joined.text
    action = {"action": {"type": "move", "move": "Nf3"}}
    response = client.post(f"/battles/{battle['id']}/actions", json=action, headers=bearer(alice))
    assert_error(response, 400, "INVALID_ACTION", "Nf3 is SAN; send it in UCI: g1f3")
    lichess = httpx.post(
        f"{server.url}/api/board/game/{battle['id']}/move/e4", headers=bearer(alice)
    )
    assert lichess.status_code == 400, lichess.text
    assert lichess.json() == {"error": "e4 is SAN; send it in UCI: e2e4"}
    lichess = httpx.post(
        f"{server.url}/api/board/game/{battle['id']}/move/e2e4", headers=bearer(alice)
    )
    assert lichess.json() == {"ok": True}


def test_a_trailing_slash_answers_as_the_path_without_it(server: LiveServer, alice: Any) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:  # redirects are not followed
        created = http.post("/api/v1/games/", json={"white": HUMAN, "black": HUMAN})
        assert created.status_code == 201, created.text
        game_id = created.json()["gameId"]
        moved = http.post(f"/api/v1/games/{game_id}/moves/", json={"move": "e2e4"})
        assert moved.status_code == 200, moved.text
        for path in (
            f"/api/v1/games/{game_id}/",
            f"/api/v1/games/{game_id}//",
            f"/api/v1/battles/{game_id}/",
            "/api/v1/battles/",
            "/api/v1/auth/me/",
        ):
            response = http.get(path, headers=bearer(alice))
            assert response.status_code == 200, (path, response.status_code)
            assert response.json() == http.get(path.rstrip("/"), headers=bearer(alice)).json()
        assert http.get("/health/").json()["status"] == "healthy"
        assert http.get("/api/v1/nowhere/").status_code == 404

    async def connect_with_a_slash() -> str:
        async with connect(ws_url(server.url) + "/") as socket:
            return str(json.loads(await socket.recv())["event"])

    assert asyncio.run(connect_with_a_slash()) == "connect"


def test_the_chess_face_speaks_of_games(client: httpx.Client, alice: Any) -> None:
    unknown = str(uuid.uuid4())
    duel = create_battle(client, alice, "duel", PERSON, PERSON)
    for game_id in (unknown, duel["id"]):
        for response in (
            client.get(f"/games/{game_id}"),
            client.post(f"/games/{game_id}/moves", json={"move": "e2e4"}),
            client.delete(f"/games/{game_id}"),
        ):
            body = assert_error(response, 404, "GAME_NOT_FOUND")
            assert body["error"] == f"no game with id {game_id}"


def test_every_413_has_one_code_and_one_wording(server: LiveServer, alice: Any) -> None:
    too_big = b'{"x": "' + b"x" * 70_000 + b'"}'

    def streamed() -> Iterator[bytes]:
        yield too_big[:1000]
        yield too_big[1000:]

    bodies = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for path, content_type in (
            ("/api/v1/games", "application/json"),
            ("/api/v1/auth/register", "application/json"),
            ("/api/v1/battles", "application/json"),
            ("/token", "application/x-www-form-urlencoded"),
            ("/api/challenge/ai", "application/x-www-form-urlencoded"),  # lichess's face
        ):
            for content in (too_big, streamed()):
                response = http.post(
                    path, content=content, headers={"Content-Type": content_type, **bearer(alice)}
                )
                bodies.append(assert_error(response, 413, "PAYLOAD_TOO_LARGE"))
    assert all(body == bodies[0] for body in bodies), bodies
    assert bodies[0]["error"] == "request body too large"
    assert bodies[0]["details"] == "request bodies are limited to 65536 bytes"


def test_token_with_json_says_to_send_a_form(server: LiveServer) -> None:
    with server.client() as api:
        name = register(api)["username"]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for path in ("/token", "/api/v1/token"):
            response = http.post(path, json={"username": name, "password": PASSWORD})
            body = assert_error(response, 415, "INVALID_CONTENT_TYPE")
            assert body["error"] == "Content-Type must be application/x-www-form-urlencoded"
            assert "send username and password as a form" in body["details"]
            assert "username=alice&password=" in body["details"]
        signed_in = http.post("/token", data={"username": name, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text


@pytest.mark.parametrize(
    ("path", "body", "detail"),
    [
        (
            "/games",
            {"white": {"type": 2, "level": 21}, "black": {"type": 2, "searchTime": 20}},
            "Level must be between 0 and 20 (white.level); SearchTime must be between 100 "
            "and 10000 ms, or 0 for the default 1000 ms (black.searchTime)",
        ),
        (
            "/battles",
            {"game": "duel", "seats": [PERSON, {"type": "ai", "level": -1}]},
            "Level must be between 0 and 20 (seats[1].level)",
        ),
        (
            "/ai/action",
            {"game": "chess", "state": MATE_IN_ONE, "searchTime": 10_001},
            "SearchTime must be between 100 and 10000 ms",
        ),
        (
            "/tournaments",
            {
                "name": "t",
                "game": "chess",
                "format": "match",
                "participants": [{"engine": "stockfish", "searchTime": 5}],
            },
            "SearchTime must be between 10 and 10000 ms (participants[0].searchTime)",
        ),
    ],
)
def test_ranges_are_stated_whole(
    client: httpx.Client, alice: Any, path: str, body: Any, detail: str
) -> None:
    response = client.post(path, json=body, headers=bearer(alice))
    assert assert_error(response, 400, "INVALID_REQUEST")["details"] == detail


def _malformed(game_id: str, battle_id: str, token: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Requests a newcomer gets wrong, across the faces: (method, path, httpx arguments)."""
    signed = {"Authorization": f"Bearer {token}"}
    json_body = {"Content-Type": "application/json", **signed}

    def sent(body: Any) -> dict[str, Any]:
        return {"json": body, "headers": signed}

    def raw(text: bytes) -> dict[str, Any]:
        return {"content": text, "headers": json_body}

    return [
        ("POST", "/api/v1/games", raw(b"{not json")),
        ("POST", "/api/v1/games", raw(b"")),
        ("POST", "/api/v1/games", sent([1, 2])),
        ("POST", "/api/v1/games", sent({"white": {"type": "1"}, "black": None, "fen": 1.5})),
        ("POST", "/api/v1/games", sent({"white": {"type": 2, "level": True}, "extra": 1})),
        ("POST", f"/api/v1/games/{game_id}/moves", sent({"move": ["e2e4"]})),
        ("POST", f"/api/v1/games/{game_id}/moves", sent({})),
        ("POST", f"/api/v1/games/{game_id}/undo", sent({"count": 1.5})),
        ("PUT", f"/api/v1/games/{game_id}/players", sent({"white": {}})),
        ("GET", f"/api/v1/games/{game_id}?wait=maybe&moveCount=many", {}),
        ("GET", "/api/v1/games/not-a-uuid", {}),
        ("POST", "/api/v1/battles", sent({"game": "go", "seats": []})),
        ("POST", "/api/v1/battles", sent({"game": "duel", "seats": [{"type": "robot"}, {}]})),
        ("POST", "/api/v1/battles", sent({"game": "duel", "seats": "two", "options": []})),
        (
            "POST",
            "/api/v1/battles",
            sent({"game": "chess", "seats": [PERSON, PERSON], "options": {"clock": {"limit": 0}}}),
        ),
        ("POST", f"/api/v1/battles/{battle_id}/actions", sent({"action": "e2e4"})),
        ("POST", "/api/v1/ai/action", sent({"game": "chess", "state": 5, "level": "max"})),
        ("POST", "/api/v1/game/state", sent({"battleId": "nope", "action": []})),
        ("GET", "/api/v1/battles?status=NOPE&limit=x", {"headers": signed}),
        ("GET", "/api/v1/state/history?battleId=nope", {"headers": signed}),
        ("GET", "/api/v1/leaderboard/go?limit=-1", {}),
        ("POST", "/api/v1/auth/register", sent({"username": 5, "password": None})),
        ("POST", "/api/v1/auth/register", sent({"username": "a b", "password": "short"})),
        ("POST", "/api/v1/auth/login", sent({"identifier": ["alice"]})),
        ("POST", "/api/v1/auth/refresh", sent({"refreshToken": 7})),
        ("POST", "/token", sent({"username": "alice", "password": PASSWORD})),
        ("POST", "/token", {"data": {"username": "alice"}}),
        ("PATCH", "/api/v1/users/me", sent({"displayName": "<b>", "email": 5})),
        ("GET", "/api/v1/users/nope", {}),
        ("GET", "/api/v1/users?username=", {}),
        ("POST", "/api/v1/account/tokens", sent({"scopes": "bot:play", "expiresAt": "soon"})),
        (
            "POST",
            "/api/v1/account/tokens",
            sent({"description": "x", "scopes": ["nope"], "expiresAt": "2030-01-01T00:00:00"}),
        ),
        (
            "POST",
            "/api/v1/tournaments",
            sent({"name": "", "game": "chess", "format": "league", "sprt": {"elo0": "a"}}),
        ),
        (
            "POST",
            "/api/v1/tournaments",
            sent({"name": "t", "game": "chess", "format": "match", "participants": [{}]}),
        ),
        ("GET", "/api/v1/tournaments?limit=x", {"headers": signed}),
        (
            "POST",
            "/api/challenge/ai",
            {"data": {"level": "x", "rated": "maybe"}, "headers": signed},
        ),
        ("POST", f"/api/board/game/{battle_id}/move/e2e4e5", {"headers": signed}),
        ("POST", f"/api/board/game/{battle_id}/draw/perhaps", {"headers": signed}),
        ("GET", "/api/users/status", {}),
        ("GET", "/api/games/user/nobody?max=0", {}),
    ]


BAD_TOKENS = [
    "abc",
    "a.b.c",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",  # alg: none
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",  # no exp, a made-up signature
    "gbt_" + "x" * 32,
]


def _expired_token(server: LiveServer, user_id: str) -> str:
    import jwt

    claims = {"sub": user_id, "iat": 1, "exp": 2, "jti": "j", "sid": "s"}
    key = server.settings.auth_secret_key
    assert key is not None
    return jwt.encode(claims, key.get_secret_value(), algorithm="HS256")


def test_no_library_wording_reaches_a_user(
    server: LiveServer, client: httpx.Client, alice: Any
) -> None:
    game_id = new_game(client)["gameId"]
    battle = create_battle(client, alice, "chess", PERSON, PERSON)
    refused: list[httpx.Response] = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for method, path, arguments in _malformed(game_id, battle["id"], alice["token"]):
            response = http.request(method, path, **arguments)
            assert 400 <= response.status_code < 500, (path, response.text)
            refused.append(response)
        for token in [*BAD_TOKENS, _expired_token(server, alice["userId"])]:
            for path in ("/api/v1/auth/me", "/api/account", "/api/v1/users/me"):
                response = http.get(path, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 401, (path, response.text)
                refused.append(response)
    for response in refused:
        leaked = [phrase for phrase in LIBRARY_PHRASES if phrase.lower() in response.text.lower()]
        assert not leaked, (response.request.url, response.text)
    # And each says, in its own words, what was wrong.
    said = " ".join(response.text for response in refused)
    for words in (
        "the body is not valid JSON",
        "the body is missing: send a JSON object",
        "State must be an object or a string",
        "Type must be one of [human ai] (seats[0].type)",
        "Type is required (seats[1].type)",
        "Seats must have at least 2 items",
        "Name must be at least 1 character;",
        "Elo0 must be a number (sprt.elo0)",
        "ExpiresAt must be a date and time in ISO 8601",
        "ExpiresAt must give its time zone",
        "its signature does not match",
        "token expired",
    ):
        assert words in said, words


def test_a_mate_is_reported_as_mate(server: LiveServer, client: httpx.Client, alice: Any) -> None:
    computer = {"type": 2, "level": 20, "searchTime": 200}
    game = new_game(client, computer, HUMAN, fen=MATE_IN_ONE)
    play(client, game["gameId"], "cccc")
    last = wait_until_settled(client, game["gameId"])["lastMove"]
    assert last == {"move": "a1a8", "playerColor": "w", "mate": 1, "depth": 1}
    quiet = new_game(client, HUMAN, {"type": 2, "level": 5, "searchTime": 100})
    play(client, quiet["gameId"], "e2e4", "cccc")
    last = wait_until_settled(client, quiet["gameId"])["lastMove"]
    assert isinstance(last["score"], int)
    assert "mate" not in last

    async def watch() -> list[dict[str, Any]]:
        async with open_socket(server.url, alice["token"]) as socket:
            battle = create_battle(
                client,
                alice,
                "chess",
                {"type": "ai", "level": 20, "searchTime": 300},
                PERSON,
                fen=MATE_IN_ONE,
            )
            reports = []
            while (message := await socket.next())["event"] != "ai:action":
                data = message["data"]
                if message["event"] == "ai:thinking" and data["battleId"] == battle["id"]:
                    reports += [{key: data[key] for key in ("mate", "depth", "pv") if key in data}]
            return [*reports, message["data"]["evaluation"]]

    reports = asyncio.run(watch())
    # That it started thinking; the mate, seen at depth 1, once as it thought (not again at
    # each of the 245 depths Stockfish runs through once it sees it); the mate with its move.
    assert reports == [{}] + [{"mate": 1, "depth": 1, "pv": ["a1a8"]}] * 2, reports


def test_the_built_in_engine_takes_the_time_asked(
    start_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ai, "find_stockfish", lambda path: None)
    live = start_server()
    with live.client() as http:
        assert http.get("/health").json()["engine"] == "gambit built-in engine"
        computer = {"type": 2, "level": 0, "searchTime": 600}  # level 0 moves at random
        game = new_game(http, computer, HUMAN)
        play(http, game["gameId"], "cccc")
        wait_until_settled(http, game["gameId"])  # the worker process starts
        play(http, game["gameId"], "e7e5", "cccc")
        started = time.monotonic()
        pending = http.get(f"/games/{game['gameId']}").json()["state"]
        settled = wait_until_settled(http, game["gameId"])
        took = time.monotonic() - started
    assert pending == "pending"
    assert len(settled["moves"]) == 3
    assert 0.5 < took < 3, took
