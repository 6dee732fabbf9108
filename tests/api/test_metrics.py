"""``GET /metrics``: real activity moves the series it should, and only the allowed
networks may read them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from gambit import __version__
from gambit.api.app import create_app
from tests.conftest import LiveServer, make_settings
from tests.helpers import (
    FAST_COMPUTER,
    HUMAN,
    PASSWORD,
    Samples,
    new_game,
    play,
    register,
    sample,
    scrape,
    wait_until_settled,
)
from tests.ws import open_socket


def test_real_activity_moves_the_series(start_server: Callable[..., LiveServer]) -> None:
    server = start_server(rate_limit_enabled=True, rate_limit_login="2/minute")
    engine = "stockfish" if server.services.engine.name.startswith("Stockfish") else "builtin"
    before = scrape(server.url)
    with server.client() as client:
        session = register(client)
        game = new_game(client, HUMAN, FAST_COMPUTER)
        game_id = game["gameId"]

        async def watch_a_move() -> Samples:
            async with open_socket(server.url, session["token"]) as socket:
                await socket.send("subscribe", {"battleId": game_id})
                await socket.expect("subscribe")
                during = scrape(server.url)
                assert sample(during, "gambit_ws_connections") == 1
                await asyncio.to_thread(play, client, game_id, "e2e4", "cccc")
                await socket.expect("game:update", battleId=game_id)
                return during

        during = asyncio.run(watch_a_move())
        assert len(wait_until_settled(client, game_id)["moves"]) == 2  # the engine answered
        wrong = {"identifier": session["username"], "password": PASSWORD + "x"}
        assert [client.post("/auth/login", json=wrong).status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]
        assert client.get("/no/such/path").status_code == 404
        assert client.get(f"/games/{game_id}/board/").status_code == 200  # the slash dropped
    after = scrape(server.url)

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    moves = {"method": "POST", "route": "/api/v1/games/{gameId}/moves", "status": "200"}
    assert moved("gambit_http_requests_total", **moves) == 2
    assert moved("gambit_http_request_duration_seconds_count", **moves) == 2
    refused = {"method": "POST", "route": "/api/v1/auth/login", "status": "429"}
    assert moved("gambit_http_requests_total", **refused) == 1  # labelled though never routed
    slashed = {"method": "GET", "route": "/api/v1/games/{gameId}/board", "status": "200"}
    assert moved("gambit_http_requests_total", **slashed) == 1
    unknown = {"method": "GET", "route": "unmatched", "status": "404"}
    assert moved("gambit_http_requests_total", **unknown) == 1
    assert moved("gambit_actions_total", game="chess") == 2
    assert moved("gambit_engine_search_seconds_count", engine=engine) == 1
    assert sample(after, "gambit_engine_busy", engine=engine) == 0
    assert moved("gambit_rate_limit_refusals_total", limit="login") == 1
    assert moved("gambit_login_failures_total", reason="wrong_credentials") == 2
    assert moved("gambit_storage_batch_size_count") >= 3  # the game and its moves
    assert moved("gambit_storage_write_seconds_count") >= 3
    sent = [sample(s, "gambit_ws_events_sent_total") for s in (before, during, after)]
    assert sent == sorted(set(sent))  # connect, subscribe; then the move's events
    assert sample(after, "gambit_ws_connections") == 0
    assert sample(after, "gambit_battles_live", game="chess") == 1
    assert sample(after, "gambit_battles_in_memory", game="chess", status="active") == 1
    info = {
        "version": __version__,
        "storage": "sqlite",
        "bus": "in-process",
        "engine": server.services.engine.name,
    }
    assert sample(after, "gambit_info", **info) == 1
    assert sample(after, "process_resident_memory_bytes") > 0


def test_metrics_answer_only_the_allowed_networks(
    start_server: Callable[..., LiveServer],
) -> None:
    # The test's client is 127.0.0.1, a trusted proxy: X-Forwarded-For says who it serves.
    server = start_server(metrics_allow="203.0.113.0/24")
    absent = httpx.get(server.url + "/no-such-page").json()
    for method, forwarded in (("GET", None), ("GET", "198.51.100.7"), ("POST", "192.0.2.1")):
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        refused = httpx.request(method, server.url + "/metrics", headers=headers)
        assert refused.status_code == 404
        assert refused.json() == absent
    assert (
        "gambit_info"
        in httpx.get(server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).text
    )
    assert "/metrics" not in httpx.get(server.url + "/openapi.json").json()["paths"]


def test_metrics_can_be_switched_off() -> None:
    async def status(enabled: bool) -> int:
        # Not started: a /metrics that is there fails (500) for want of services.
        app = create_app(make_settings(None, metrics_enabled=enabled))
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return (await http.get("/metrics")).status_code

    assert asyncio.run(status(enabled=False)) == 404
    assert asyncio.run(status(enabled=True)) != 404
