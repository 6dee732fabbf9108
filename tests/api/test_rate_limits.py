"""Seed 003's per-IP limit on the chess face: 10 requests/s, 20 in development mode."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import LiveServer, RedisServer
from tests.helpers import HUMAN, assert_error, bearer, register


def _burst(client: httpx.Client, count: int, **headers: str) -> list[httpx.Response]:
    return [
        client.get("/games/00000000-0000-0000-0000-000000000000", headers=headers)
        for _ in range(count)
    ]


def test_limit_headers_and_429(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=True)
    with live.client() as client:
        started = time.time()
        responses = _burst(client, 11)
        assert time.time() - started < 1, "the burst must fit in one window"
    allowed, refused = responses[:10], responses[10]
    for index, response in enumerate(allowed):
        assert response.status_code == 404
        assert response.headers["X-RateLimit-Limit"] == "10"
        assert response.headers["X-RateLimit-Remaining"] == str(9 - index)
        assert int(response.headers["X-RateLimit-Reset"]) >= int(started)
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 1
    time.sleep(1.1)
    with live.client() as client:
        assert client.get("/games/00000000-0000-0000-0000-000000000000").status_code == 404


def test_development_mode_allows_twenty(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=True, dev_mode=True)
    with live.client() as client:
        statuses = [r.status_code for r in _burst(client, 21)]
    assert statuses == [404] * 20 + [429]


def test_clients_behind_a_trusted_proxy_are_limited_apart(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server(rate_limit_enabled=True)
    with live.client() as proxy:
        first = _burst(proxy, 11, **{"X-Forwarded-For": "203.0.113.7"})
        second = _burst(proxy, 10, **{"X-Forwarded-For": "203.0.113.8"})
        chained = _burst(proxy, 1, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert [r.status_code for r in first] == [404] * 10 + [429]
    assert {r.status_code for r in second} == {404}
    # The proxy appended .7 as the address it saw: that client is still over its limit.
    assert chained[0].status_code == 429


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server(rate_limit_enabled=True, trusted_proxies="10.0.0.0/8")
    with live.client() as client:
        statuses = [
            client.get(
                "/games/00000000-0000-0000-0000-000000000000",
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(11)
        ]
    assert statuses == [404] * 10 + [429]


def test_health_is_not_limited(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=True)
    with live.client() as client:
        responses = [client.get("/health") for _ in range(15)]
    assert {r.status_code for r in responses} == {200}
    assert "X-RateLimit-Limit" not in responses[0].headers


def test_limits_can_be_switched_off(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=False)
    with live.client() as client:
        responses = _burst(client, 15)
    assert {r.status_code for r in responses} == {404}
    assert "X-RateLimit-Limit" not in responses[0].headers


def _health(live: LiveServer, path: str = "/health") -> httpx.Response:
    return httpx.get(live.url + path, timeout=10)


def _wait_for_bus(live: LiveServer, status: str) -> None:
    deadline = time.monotonic() + 15
    while _health(live).json()["bus"] != status:
        assert time.monotonic() < deadline, f"/health never said bus: {status}"
        time.sleep(0.05)


def test_without_redis_limits_count_per_process(
    start_server: Callable[..., LiveServer], throwaway_redis: RedisServer
) -> None:
    settings: dict[str, Any] = {
        "rate_limit_enabled": True,
        "rate_limit_battle_create": "2/minute",
        "redis_url": throwaway_redis.url,
    }
    first = start_server(**settings)
    second = start_server(database_url=None, **settings)
    assert _health(first).json()["bus"] == "ok"
    assert _health(first, "/health/ready").status_code == 200

    throwaway_redis.kill()
    with first.client() as client:
        started = time.time()
        created = client.post("/games", json={"white": HUMAN, "black": HUMAN})
        chess = [created, *_burst(client, 10)]
        assert time.time() - started < 1, "the burst must fit in one window"
        alice = register(client)
        duel = {"game": "duel", "seats": [{"type": "human"}, {"type": "human"}]}
        battles = [client.post("/battles", json=duel, headers=bearer(alice)) for _ in range(3)]
        wrong = {"identifier": alice["username"], "password": "Wrong12345"}
        failed_login = client.post("/auth/login", json=wrong)
    assert [r.status_code for r in chess] == [201] + [404] * 9 + [429]
    assert [r.status_code for r in battles] == [201, 201, 429]
    assert failed_login.status_code == 401
    with second.client() as client:  # a budget of its own meanwhile
        assert [r.status_code for r in _burst(client, 11)] == [404] * 10 + [429]
    assert _health(first).json()["bus"] == "degraded"
    not_ready = _health(first, "/health/ready")
    assert not_ready.status_code == 503
    assert not_ready.json() == {"ready": False, "storage": "ok", "bus": "degraded"}

    throwaway_redis.start()
    for live in (first, second):
        _wait_for_bus(live, "ok")
    ready = _health(first, "/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "storage": "ok", "bus": "ok"}
    # The processes share one budget again.
    with first.client() as one, second.client() as other:
        started = time.time()
        shared = _burst(one, 5) + _burst(other, 6)
        assert time.time() - started < 1, "the burst must fit in one window"
    assert [r.status_code for r in shared] == [404] * 10 + [429]
