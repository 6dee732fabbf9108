"""Seed 003's per-IP limit on the chess face: 10 requests/s, 20 in development mode."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tests.conftest import LiveServer
from tests.helpers import assert_error


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
