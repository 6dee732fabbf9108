"""Seed 000's WebSocket protocol over real sockets: every event, framing, resume, limits."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import chess
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gambit.bus import SYSTEM_TOPIC, Event
from gambit.store.errors import StorageUnavailable
from tests.conftest import LiveServer
from tests.helpers import PASSWORD, bearer, create_battle, register
from tests.ws import Socket, open_socket, ws_url

HUMAN = {"type": "human"}


@pytest.fixture(scope="module")
def backend() -> str:
    """The socket does not touch the database; one backend is enough."""
    return "sqlite"


@pytest.fixture
def live(server: LiveServer) -> LiveServer:
    return server


@pytest.fixture
def http(client: httpx.Client) -> httpx.Client:
    return client


def _run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 60))


async def _closed(socket: Socket) -> int | None:
    """Wait for the server to close; the close code."""
    try:
        while True:
            await socket.next(5)
    except ConnectionClosed:
        return socket.connection.close_code


def test_connect_announces_session_heartbeat_and_limits(
    live: LiveServer, http: httpx.Client
) -> None:
    me = register(http)

    async def run() -> None:
        async with connect(ws_url(live.url, me["token"])) as connection:
            hello = json.loads(await connection.recv())
        assert hello["event"] == "connect"
        assert hello["seq"] == 1
        assert isinstance(hello["ts"], int)
        data = hello["data"]
        assert data["userId"] == me["userId"]
        assert data["heartbeat"] == {"pingInterval": 30000, "pongTimeout": 5000}
        assert data["limits"]["maxMessageBytes"] == 16384
        assert data["limits"]["gameActionsPerMinute"] == 30
        assert len(data["sessionId"]) >= 16

    _run(run())


def test_three_ways_to_sign_in(live: LiveServer, http: httpx.Client) -> None:
    me = register(http)

    async def run() -> None:
        header = {"Authorization": f"Bearer {me['token']}"}
        async with connect(ws_url(live.url), additional_headers=header) as connection:
            assert json.loads(await connection.recv())["data"]["userId"] == me["userId"]
        async with open_socket(live.url) as anonymous:
            await anonymous.send("auth", {"token": me["token"]})
            assert (await anonymous.expect("auth"))["data"] == {"userId": me["userId"]}
        async with open_socket(live.url, "not-a-token") as refused:
            error = await refused.next()
            assert error["event"] == "error"
            assert error["data"]["code"] == "UNAUTHORIZED"
            assert refused.seen[0]["data"]["userId"] is None  # it may still watch

    _run(run())


def test_bad_requests_get_an_error_and_the_connection_stays(
    live: LiveServer, http: httpx.Client
) -> None:
    async def run() -> None:
        async with open_socket(live.url) as socket:
            for frame, code in (
                ({"event": "fly"}, "UNKNOWN_EVENT"),
                ([1, 2], "INVALID_MESSAGE"),
                ({"event": "subscribe", "data": []}, "INVALID_MESSAGE"),
                ({"event": "subscribe", "data": {}}, "INVALID_MESSAGE"),
                ({"event": "subscribe", "data": {"battleId": "nope"}}, "BATTLE_NOT_FOUND"),
                ({"event": "game:action", "data": {"battleId": "x", "action": {}}}, "UNAUTHORIZED"),
                ({"event": "auth", "data": {"token": "forged"}}, "UNAUTHORIZED"),
            ):
                await socket.connection.send(json.dumps(frame))
                error = await socket.expect("error")
                assert error["data"]["code"] == code, (frame, error)
                assert error["data"]["message"]
            seqs = [message["seq"] for message in socket.seen]
            assert seqs == list(range(1, 1 + len(seqs)))  # connect first, then one per error

    _run(run())


@pytest.mark.parametrize(
    ("frame", "code", "close_code"),
    [
        (b"\x00binary", "BINARY_NOT_SUPPORTED", 1003),
        ("x" * (16 * 1024 + 1), "MESSAGE_TOO_LARGE", 1009),
        ("{not json", "INVALID_JSON", 1007),
        # As deep as 16 KB goes; json.loads gives up at about a thousand levels.
        ("[" * 8_000 + "]" * 8_000, "INVALID_JSON", 1007),
    ],
    ids=["binary", "too-big", "not-json", "too-deep"],
)
def test_frames_the_protocol_refuses_close_the_connection(
    live: LiveServer, frame: str | bytes, code: str, close_code: int
) -> None:
    async def run() -> None:
        async with open_socket(live.url) as bystander, open_socket(live.url) as socket:
            await socket.connection.send(frame)
            error = await socket.expect("error")
            assert error["data"]["code"] == code
            assert (await socket.next())["event"] == "disconnect"
            assert await _closed(socket) == close_code
            # Nobody else noticed.
            await bystander.send("fly")
            assert (await bystander.expect("error"))["data"]["code"] == "UNKNOWN_EVENT"

    _run(run())


def test_invalid_utf8_closes_with_1007(live: LiveServer) -> None:
    async def run() -> None:
        async with open_socket(live.url) as socket:
            # A text frame (opcode 1) whose payload is not UTF-8, sent below the library.
            await socket.connection.send(b"\xff\xfe", text=True)
            assert await _closed(socket) == 1007

    _run(run())


def test_players_hear_start_actions_updates_and_the_end(
    live: LiveServer, http: httpx.Client
) -> None:
    alice, bob = register(http), register(http)

    async def run() -> None:
        async with (
            open_socket(live.url, alice["token"]) as white,
            open_socket(live.url, bob["token"]) as black,
            open_socket(live.url) as spectator,
        ):
            battle = create_battle(http, alice, "chess", HUMAN, HUMAN)
            battle_id = battle["id"]
            await spectator.send("subscribe", {"battleId": battle_id})
            await spectator.expect("subscribe", battleId=battle_id)
            http.post(f"/battles/{battle_id}/join", headers=bearer(bob))
            for socket in (white, black, spectator):
                start = await socket.expect("game:start", battleId=battle_id)
                assert start["data"]["battle"]["status"] == "ACTIVE"
            # White moves over the socket, black over REST.
            await white.send(
                "game:action", {"battleId": battle_id, "action": {"type": "move", "move": "f2f3"}}
            )
            http.post(
                f"/battles/{battle_id}/actions",
                json={"action": {"type": "move", "move": "e7e5"}},
                headers=bearer(bob),
            )
            for socket in (white, black, spectator):
                action = await socket.expect("game:action", battleId=battle_id, seq=2)
                assert action["data"]["playerId"] == bob["userId"]
                assert action["data"]["action"] == {"type": "move", "move": "e7e5"}
                update = await socket.expect("game:update", battleId=battle_id)
                assert update["data"]["moves"] == ["f2f3", "e7e5"]
                assert update["data"]["currentTurn"] == alice["userId"]
            await white.send(
                "game:action", {"battleId": battle_id, "action": {"type": "move", "move": "g2g4"}}
            )
            await black.send(
                "game:action", {"battleId": battle_id, "action": {"type": "move", "move": "d8h4"}}
            )
            for socket in (white, black, spectator):
                end = await socket.expect("game:end", battleId=battle_id)
                assert end["data"]["winner"] == bob["userId"]
                assert end["data"]["winners"] == [bob["userId"]]
                assert end["data"]["reason"] == "checkmate"
            # Spectators cannot play; players get the REST errors' codes.
            await spectator.send("game:action", {"battleId": battle_id, "action": {"type": "rest"}})
            assert (await spectator.expect("error"))["data"]["code"] == "UNAUTHORIZED"
            await white.send(
                "game:action", {"battleId": battle_id, "action": {"type": "move", "move": "e2e4"}}
            )
            assert (await white.expect("error"))["data"]["code"] == "GAME_OVER"

    _run(run())


def test_action_errors_over_the_socket(live: LiveServer, http: httpx.Client) -> None:
    alice, bob = register(http), register(http)
    battle = create_battle(http, alice, "duel", HUMAN, HUMAN, size=5)
    http.post(f"/battles/{battle['id']}/join", headers=bearer(bob))

    async def run() -> None:
        async with open_socket(live.url, bob["token"]) as socket:
            for action, code in (
                ({"type": "rest"}, "NOT_YOUR_TURN"),
                ("rest", "INVALID_MESSAGE"),
            ):
                await socket.send("game:action", {"battleId": battle["id"], "action": action})
                assert (await socket.expect("error"))["data"]["code"] == code
        async with open_socket(live.url, alice["token"]) as socket:
            await socket.send("game:action", {"battleId": battle["id"], "action": {"type": "fly"}})
            error = await socket.expect("error")
            assert error["data"]["code"] == "INVALID_ACTION"
            assert "type must be one of" in error["data"]["message"]

    _run(run())


def test_chess_face_moves_reach_watchers(live: LiveServer, http: httpx.Client) -> None:
    game = http.post("/games", json={"white": {"type": 1}, "black": {"type": 1}}).json()

    async def run() -> None:
        async with open_socket(live.url) as socket:
            await socket.send("subscribe", {"battleId": game["gameId"]})
            await socket.expect("subscribe")
            http.post(f"/games/{game['gameId']}/moves", json={"move": "e2e4"})
            update = await socket.expect("game:update", battleId=game["gameId"])
            assert update["data"]["moves"] == ["e2e4"]
            await socket.send("unsubscribe", {"battleId": game["gameId"]})
            await socket.expect("unsubscribe")
            http.post(f"/games/{game['gameId']}/moves", json={"move": "e7e5"})
            assert not [m for m in await socket.quiet() if m["event"].startswith("game:")]

    _run(run())


def test_watchers_hear_how_many_spectators_there_are(live: LiveServer, http: httpx.Client) -> None:
    alice = register(http)
    battle = create_battle(http, alice, "chess", HUMAN, HUMAN)

    async def run() -> None:
        async with open_socket(live.url, alice["token"]) as player:
            await player.send("subscribe", {"battleId": battle["id"]})
            await player.expect("subscribe")
            async with open_socket(live.url) as first, open_socket(live.url) as second:
                for spectator in (first, second):
                    await spectator.send("subscribe", {"battleId": battle["id"]})
                    await spectator.expect("subscribe")
                # Arrivals close together are told once; a player is no spectator.
                crowd = await player.expect("battle:spectators", battleId=battle["id"])
                assert crowd["data"] == {"battleId": battle["id"], "spectators": 2}
                await first.expect("battle:spectators", spectators=2)
                await second.send("unsubscribe", {"battleId": battle["id"]})
                await first.expect("battle:spectators", spectators=1)
            await player.expect("battle:spectators", spectators=0)

    _run(run())


def test_ai_turns_are_announced(live: LiveServer, http: httpx.Client) -> None:
    me = register(http)

    async def run() -> None:
        async with open_socket(live.url, me["token"]) as socket:
            battle = create_battle(
                http, me, "duel", HUMAN, {"type": "ai", "level": 5, "searchTime": 100}
            )
            ai = battle["players"][1]["id"]
            await socket.send("game:action", {"battleId": battle["id"], "action": {"type": "rest"}})
            thinking = await socket.expect("ai:thinking", battleId=battle["id"])
            assert thinking["data"]["playerId"] == ai
            lines = []
            while (action := await socket.next())["event"] == "ai:thinking":
                lines.append(action["data"])
            assert action["event"] == "ai:action"
            assert lines, "the duel AI reported no depth while it thought"
            assert all(line["depth"] >= 1 and line["pv"] for line in lines)
            assert action["data"]["playerId"] == ai
            assert action["data"]["action"]["type"]
            await socket.expect("game:update", battleId=battle["id"])
            assert (await socket.expect("ai:ready", battleId=battle["id"]))["data"][
                "playerId"
            ] == ai

    _run(run())


def test_stockfish_reports_its_search_while_it_thinks(live: LiveServer, http: httpx.Client) -> None:
    me = register(http)

    async def run() -> None:
        async with open_socket(live.url, me["token"]) as socket:
            battle = create_battle(
                http, me, "chess", HUMAN, {"type": "ai", "level": 20, "searchTime": 500}
            )
            await socket.send(
                "game:action",
                {"battleId": battle["id"], "action": {"type": "move", "move": "e2e4"}},
            )
            await socket.expect("ai:thinking", battleId=battle["id"])
            lines = []
            while (message := await socket.next())["event"] == "ai:thinking":
                lines.append(message["data"])
            assert message["event"] == "ai:action"
            assert len(lines) >= 3, lines
            depths = [line["depth"] for line in lines]
            assert depths == sorted(depths)
            assert all(isinstance(line["score"], int) and line["pv"] for line in lines)
            evaluation = message["data"]["evaluation"]
            assert evaluation["depth"] >= depths[-1]
            board = chess.Board()
            board.push_uci("e2e4")
            assert chess.Move.from_uci(message["data"]["action"]["move"]) in board.legal_moves

    _run(run())


class _BrokenAI:
    async def choose(self, state: Any, level: int, search_time_ms: int, progress: Any) -> Any:
        raise RuntimeError("the engine is on fire")


def test_ai_errors_are_announced(start_server: Callable[..., LiveServer]) -> None:
    server = start_server()
    server.services.ai_players["duel"] = _BrokenAI()
    with server.client() as http:
        me = register(http)

        async def run() -> None:
            async with open_socket(server.url, me["token"]) as socket:
                battle = create_battle(http, me, "duel", HUMAN, {"type": "ai", "level": 5})
                await socket.send(
                    "game:action", {"battleId": battle["id"], "action": {"type": "rest"}}
                )
                error = await socket.expect("ai:error", battleId=battle["id"])
                assert "on fire" in error["data"]["message"]
                await socket.expect("ai:ready", battleId=battle["id"])  # the fallback played

        _run(run())


def test_a_request_the_server_fails_on_gets_an_error_and_the_connection_stays(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    failures: list[Exception] = [RuntimeError("a bug"), StorageUnavailable("the disk is full")]

    async def fail(*args: Any) -> None:
        raise failures.pop(0)

    server.services.arena.act = fail
    with server.client() as http:
        me = register(http)
        battle = create_battle(http, me, "duel", HUMAN, HUMAN)

        async def run() -> None:
            async with open_socket(server.url, me["token"]) as socket:
                for code in ("INTERNAL_ERROR", "STORAGE_UNAVAILABLE"):
                    await socket.send(
                        "game:action", {"battleId": battle["id"], "action": {"type": "rest"}}
                    )
                    assert (await socket.expect("error"))["data"]["code"] == code
                await socket.send("fly")
                assert (await socket.expect("error"))["data"]["code"] == "UNKNOWN_EVENT"

        _run(run())


def test_a_player_who_leaves_is_announced_and_goodbye_closes(
    live: LiveServer, http: httpx.Client
) -> None:
    alice, bob = register(http), register(http)
    battle = create_battle(http, alice, "duel", HUMAN, HUMAN)
    http.post(f"/battles/{battle['id']}/join", headers=bearer(bob))

    async def run() -> None:
        async with open_socket(live.url, alice["token"]) as stays:
            async with open_socket(live.url, bob["token"]) as leaves:
                await leaves.send("disconnect")
                assert (await leaves.expect("disconnect"))["data"]["reason"]
                assert await _closed(leaves) == 1000
            left = await stays.expect("disconnect", battleId=battle["id"])
            assert left["data"]["playerId"] == bob["userId"]

    _run(run())


def test_a_dropped_client_resumes_and_misses_nothing(live: LiveServer, http: httpx.Client) -> None:
    alice, bob = register(http), register(http)
    battle = create_battle(http, alice, "duel", HUMAN, HUMAN, size=5)
    http.post(f"/battles/{battle['id']}/join", headers=bearer(bob))

    def rest(player: Any) -> None:
        response = http.post(
            f"/battles/{battle['id']}/actions",
            json={"action": {"type": "rest"}},
            headers=bearer(player),
        )
        assert response.status_code == 200, response.text

    async def run() -> None:
        async with open_socket(live.url, alice["token"]) as first:
            session_id = first.seen[0]["data"]["sessionId"]
            rest(alice)
            await first.expect("game:update")
            last_seq = first.seen[-1]["seq"]
        # Gone; meanwhile the battle goes on.
        rest(bob)
        rest(alice)
        async with open_socket(live.url, alice["token"]) as second:
            await second.send("reconnect", {"sessionId": session_id, "lastSeq": last_seq})
            replayed = []
            while True:
                message = await second.next()
                if message["event"] == "reconnect":
                    break
                replayed.append(message)
            assert message["data"] == {"resumed": True, "sessionId": session_id}
            assert [m["seq"] for m in replayed] == list(
                range(last_seq + 1, last_seq + 1 + len(replayed))
            )
            actions = [m["data"]["playerId"] for m in replayed if m["event"] == "game:action"]
            assert actions == [bob["userId"], alice["userId"]]
            # And it goes on live, on the old session's numbering.
            rest(bob)
            update = await second.expect("game:update")
            assert update["seq"] > message["seq"]
            # A session that is gone cannot be resumed; the client is told to re-fetch.
            await second.send("reconnect", {"sessionId": "nope", "lastSeq": 3})
            refused = await second.expect("reconnect")
            assert refused["data"]["resumed"] is False

    _run(run())


def test_resume_outside_the_window_is_refused(start_server: Callable[..., LiveServer]) -> None:
    server = start_server(ws_resume_events=2)
    with server.client() as http:
        alice, bob = register(http), register(http)
        battle = create_battle(http, alice, "duel", HUMAN, HUMAN)
        http.post(f"/battles/{battle['id']}/join", headers=bearer(bob))

        async def run() -> None:
            async with open_socket(server.url, bob["token"]) as first:
                session_id = first.seen[0]["data"]["sessionId"]
            for player in (alice, bob, alice):  # far more than two events
                http.post(
                    f"/battles/{battle['id']}/actions",
                    json={"action": {"type": "rest"}},
                    headers=bearer(player),
                )
            async with open_socket(server.url, bob["token"]) as second:
                await second.send("reconnect", {"sessionId": session_id, "lastSeq": 1})
                refused = await second.expect("reconnect")
                assert refused["data"]["resumed"] is False
                assert "re" in refused["data"]["reason"]

        _run(run())


def test_game_actions_over_the_socket_count_against_the_limit(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(rate_limit_enabled=True, rate_limit_game_actions="2/minute")
    with server.client() as http:
        alice, bob = register(http), register(http)
        battle = create_battle(http, alice, "duel", HUMAN, HUMAN)
        http.post(f"/battles/{battle['id']}/join", headers=bearer(bob))

        async def run() -> None:
            async with open_socket(server.url, alice["token"]) as socket:
                assert socket.seen[0]["data"]["limits"]["gameActionsPerMinute"] == 2
                await socket.send(
                    "game:action", {"battleId": battle["id"], "action": {"type": "rest"}}
                )
                await socket.expect("game:update")
                # REST and socket share the budget.
                http.post(
                    f"/battles/{battle['id']}/actions",
                    json={"action": {"type": "rest"}},
                    headers=bearer(bob),
                )
                shared = http.post(
                    "/game/state",
                    json={"battleId": battle["id"], "action": {"type": "rest"}},
                    headers=bearer(alice),
                )
                assert shared.status_code == 200, shared.text
                await socket.send(
                    "game:action", {"battleId": battle["id"], "action": {"type": "rest"}}
                )
                error = await socket.expect("error")
                assert error["data"]["code"] == "RATE_LIMIT_EXCEEDED"

        _run(run())


def test_operator_announcements_reach_everyone(live: LiveServer, http: httpx.Client) -> None:
    me = register(http)
    operator = live.app.state.tokens.issue_operator()

    async def run() -> None:
        async with open_socket(live.url) as anonymous, open_socket(live.url, me["token"]) as user:
            for event in ("maintenance", "error", "update", "restart"):
                response = http.post(
                    "/system/announce",
                    json={"event": event, "message": f"{event} at noon"},
                    headers={"Authorization": f"Bearer {operator}"},
                )
                assert response.status_code == 202, response.text
                for socket in (anonymous, user):
                    got = await socket.expect(f"system:{event}")
                    assert got["data"] == {"message": f"{event} at noon"}

    _run(run())
    refused = http.post(
        "/system/announce", json={"event": "update", "message": "hi"}, headers=bearer(me)
    )
    assert refused.status_code == 403  # a user's token is no operator's
    assert (
        http.post("/system/announce", json={"event": "update", "message": "hi"}).status_code == 401
    )
    # And an operator's token is no user's.
    assert http.get("/users/me", headers={"Authorization": f"Bearer {operator}"}).status_code == 401


def test_a_stopping_server_says_so_first(start_server: Callable[..., LiveServer]) -> None:
    server = start_server()

    async def run() -> None:
        async with open_socket(server.url) as socket:
            await asyncio.get_running_loop().run_in_executor(None, server.stop)
            assert (await socket.expect("system:restart"))["data"]["message"]
            assert (await socket.expect("disconnect"))["data"]["reason"] == "server restart"
            assert await _closed(socket) == 1012

    _run(run())


def test_a_client_that_does_not_read_is_cut_off(start_server: Callable[..., LiveServer]) -> None:
    server = start_server(ws_queue_size=64)
    port = int(server.url.rsplit(":", 1)[1])
    hub = server.app.state.hub

    async def run() -> None:
        # A client with a tiny receive window that never reads.
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", port))
        async with (
            connect(ws_url(server.url), sock=raw, max_queue=1, close_timeout=0.5) as sleeper,
            open_socket(server.url, max_queue=None) as reader,
        ):
            sleeper.transport.pause_reading()
            heard: list[str] = []

            async def listen() -> None:
                while True:
                    message = await reader.next(30)
                    if message["event"] == "system:update":
                        heard.append(message["data"]["message"][:5])

            listening = asyncio.create_task(listen())
            # Load straight onto the server's bus: 10 KB events, far faster than HTTP.
            server_loop = hub._sweeper.get_loop()
            bus = server.services.bus
            sent = 0

            async def burst(first: int) -> None:
                for index in range(first, first + 32):
                    message = f"{index:05d}" + base64.b64encode(os.urandom(7_500)).decode()
                    await bus.publish(SYSTEM_TOPIC, Event("system:update", {"message": message}))

            while hub.connections > 1 and sent < 20_000:
                done = asyncio.run_coroutine_threadsafe(burst(sent), server_loop)
                await asyncio.wrap_future(done)
                sent += 32
                await asyncio.sleep(0.05)
            assert hub.connections == 1, "the slow client is still connected"
            # The reader kept up and heard every announcement.
            deadline = asyncio.get_running_loop().time() + 20
            while len(heard) < sent and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.1)
            listening.cancel()
            assert sorted(heard) == [f"{i:05d}" for i in range(sent)]

    _run(run())


def _shake_hands(url: str) -> socket.socket:
    """A WebSocket connection opened by hand, with a tiny receive window; the caller reads
    nothing more from it."""
    port = int(url.rsplit(":", 1)[1])
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        f"GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = b""
    while not response.endswith(b"\r\n\r\n"):  # byte by byte: not a byte of the events
        response += raw.recv(1)
    assert response.startswith(b"HTTP/1.1 101"), response
    return raw


def _tcp_state(raw: socket.socket) -> int:
    """The kernel's state of a connection (Linux ``tcp_info.tcpi_state``), read without
    reading any data."""
    return raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]


TCP_ESTABLISHED = 1


def _wait(done: Callable[[], bool], seconds: float) -> bool:
    """Whether ``done()`` comes true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _announce_until(server: LiveServer, done: Callable[[], bool]) -> None:
    """10 KB announcements, one at a time, straight onto the server's bus until ``done()``."""
    hub = server.app.state.hub
    bus, server_loop = server.services.bus, hub._sweeper.get_loop()

    async def publish() -> None:
        message = base64.b64encode(os.urandom(7_500)).decode()
        await bus.publish(SYSTEM_TOPIC, Event("system:update", {"message": message}))
        await asyncio.sleep(0)  # let the connections send what they can

    for _ in range(5_000):
        asyncio.run_coroutine_threadsafe(publish(), server_loop).result()
        if done():
            return
    raise AssertionError("5,000 announcements and still not done")


def test_a_client_that_does_not_read_is_let_go_within_the_pong_timeout(
    start_server: Callable[..., LiveServer],
) -> None:
    pong_timeout = 1.0
    server = start_server(ws_queue_size=4, ws_pong_timeout=pong_timeout)
    hub = server.app.state.hub
    with _shake_hands(server.url) as raw:
        assert _wait(lambda: hub.connections == 1, 10)  # opened just after the handshake
        # The kernel's buffers both ways fill, then the connection's queue: cut off.
        _announce_until(server, lambda: hub.connections == 0)
        cut_off = time.monotonic()
        let_go = _wait(lambda: _tcp_state(raw) != TCP_ESTABLISHED, 10)
        assert let_go, "the server still holds the connection"
        assert time.monotonic() - cut_off < pong_timeout + 1.5


def test_a_stopping_server_does_not_wait_for_a_client_that_does_not_read(
    start_server: Callable[..., LiveServer],
) -> None:
    pong_timeout = 1.0
    server = start_server(ws_queue_size=10_000, ws_pong_timeout=pong_timeout)
    hub = server.app.state.hub
    with _shake_hands(server.url) as raw:
        assert _wait(lambda: hub.connections == 1, 10)
        (session,) = hub._sessions.values()

        def stuck() -> bool:  # the buffers are full: events wait in the queue
            return session.connection is not None and session.connection.queue.qsize() > 1

        _announce_until(server, stuck)
        stopping = time.monotonic()
        server.stop()
        # The pong timeout to take the last events, as much for the close, and no more.
        assert time.monotonic() - stopping < 2 * pong_timeout + 1.5
        assert _tcp_state(raw) != TCP_ESTABLISHED


def test_a_client_that_does_not_read_nor_answer_pings_is_let_go(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(ws_queue_size=10_000, ws_ping_interval=1.0, ws_pong_timeout=1.0)
    hub = server.app.state.hub
    with _shake_hands(server.url) as raw:
        assert _wait(lambda: hub.connections == 1, 10)
        (session,) = hub._sessions.values()

        def stuck_or_gone() -> bool:  # the buffers are full, or it is already let go
            connection = session.connection
            return connection is None or connection.queue.qsize() > 1

        _announce_until(server, stuck_or_gone)
        # Its queue is far from full; the unanswered ping alone lets it go.
        assert _wait(lambda: _tcp_state(raw) != TCP_ESTABLISHED, 3 * 1.0 + 1.5)
        assert _wait(lambda: hub.connections == 0, 1)


def test_heartbeat_closes_a_client_that_does_not_answer(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(ws_ping_interval=0.3, ws_pong_timeout=0.3)

    async def run() -> None:
        # A client that answers pings (the library does) stays connected.
        async with open_socket(server.url) as answering:
            assert answering.seen[0]["data"]["heartbeat"] == {
                "pingInterval": 300,
                "pongTimeout": 300,
            }
            await asyncio.sleep(1.5)
            await answering.send("fly")
            assert (await answering.expect("error"))["data"]["code"] == "UNKNOWN_EVENT"
        # One whose reading stops never answers, and is closed.
        async with open_socket(server.url, close_timeout=0.5) as silent:
            silent.connection.transport.pause_reading()
            await asyncio.sleep(2.0)
            hub = server.app.state.hub
            assert hub.connections == 0

    _run(run())


def test_a_revoked_token_stops_play_until_a_fresh_one_comes(
    live: LiveServer, http: httpx.Client
) -> None:
    alice, bob = register(http), register(http)
    battle = create_battle(http, alice, "duel", HUMAN, HUMAN)
    http.post(f"/battles/{battle['id']}/join", headers=bearer(bob))
    rest = {"battleId": battle["id"], "action": {"type": "rest"}}

    async def run() -> None:
        async with open_socket(live.url, alice["token"]) as socket:
            assert http.post("/auth/logout", headers=bearer(alice)).status_code in (200, 204)
            await socket.send("game:action", rest)
            assert (await socket.expect("error"))["data"]["code"] == "UNAUTHORIZED"
            login = http.post(
                "/auth/login", json={"identifier": alice["username"], "password": PASSWORD}
            ).json()
            await socket.send("auth", {"token": bob["token"]})  # someone else's: refused
            assert (await socket.expect("error"))["data"]["code"] == "INVALID_MESSAGE"
            await socket.send("auth", {"token": login["token"]})
            await socket.expect("auth")
            await socket.send("game:action", rest)
            action = await socket.expect("game:action", battleId=battle["id"])
            assert action["data"]["playerId"] == alice["userId"]

    _run(run())
