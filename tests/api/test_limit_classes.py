"""The rate-limit classes of both seeds, per IP or per user, and failed-login locks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.helpers import PASSWORD, assert_error, bearer, register


def _address() -> dict[str, str]:
    """A client address of its own (loopback is a trusted proxy), so counts never mix."""
    word = uuid.uuid4().hex
    return {"X-Forwarded-For": f"2001:db8::{word[:4]}:{word[4:8]}:{word[8:12]}"}


def _limited(responses: list[httpx.Response], allowed: int) -> None:
    for index, response in enumerate(responses[:allowed]):
        assert response.status_code < 400, response.text
        assert response.headers["X-RateLimit-Limit"] == str(allowed)
        assert response.headers["X-RateLimit-Remaining"] == str(allowed - 1 - index)
        assert int(response.headers["X-RateLimit-Reset"]) > time.time()
    refused = responses[allowed]
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_registration_is_limited_per_address(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=True, rate_limit_register="3/minute")
    address = {"X-Forwarded-For": "203.0.113.10"}
    with live.client() as client:
        responses = [
            client.post(
                "/auth/register",
                json={"username": f"r{i}_{uuid.uuid4().hex[:6]}", "password": PASSWORD},
                headers=address,
            )
            for i in range(4)
        ]
        _limited(responses, 3)
        other = client.post(
            "/auth/register",
            json={"username": "r_" + uuid.uuid4().hex[:6], "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.11"},
        )
        assert other.status_code == 201


def test_login_and_token_share_the_login_class(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=True, rate_limit_login="4/minute")
    with live.client() as client:
        account = register(client)
        address = {"X-Forwarded-For": "203.0.113.20"}
        body = {"identifier": account["username"], "password": PASSWORD}
        form = {"username": account["username"], "password": PASSWORD}
        responses = [
            client.post("/auth/login", json=body, headers=address),
            client.post("/token", data=form, headers=address),
            client.post("/auth/login", json=body, headers=address),
            client.post("/token", data=form, headers=address),
            client.post("/auth/login", json=body, headers=address),
        ]
        _limited(responses, 4)


def test_refresh_is_limited_per_user(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(rate_limit_enabled=True, rate_limit_auth="2/minute")
    with live.client() as client:
        first, second = register(client), register(client)
        token = first["refreshToken"]
        responses = []
        for _ in range(3):
            response = client.post(
                "/auth/refresh", json={"refreshToken": token}, headers=bearer(first)
            )
            responses.append(response)
            token = response.json().get("refreshToken", token)
        _limited(responses, 2)
        # Same address, another user: a budget of its own.
        other = client.post(
            "/auth/refresh", json={"refreshToken": second["refreshToken"]}, headers=bearer(second)
        )
        assert other.status_code == 200


def test_general_class_from_rate_limit_requests_and_period(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server(rate_limit_enabled=True, rate_limit_requests=3, rate_limit_period=60)
    with live.client() as client:
        account = register(client)
        _limited([client.get("/users/me", headers=bearer(account)) for _ in range(4)], 3)
        # Anonymous callers are counted per address.
        anonymous = [
            client.get(f"/users/{account['userId']}", headers={"X-Forwarded-For": "203.0.113.30"})
            for _ in range(4)
        ]
        _limited(anonymous, 3)


def test_battle_face_classes_count_per_user(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(
        rate_limit_enabled=True,
        rate_limit_battle_create="2/minute",
        rate_limit_game_actions="3/minute",
        rate_limit_state="2/minute",
    )
    duel = {"game": "duel", "seats": [{"type": "human"}, {"type": "human"}]}
    with live.client() as client:
        alice, bob = register(client), register(client)
        created = [client.post("/battles", json=duel, headers=bearer(alice)) for _ in range(3)]
        _limited(created, 2)
        # Each user has a budget of their own.
        battle_id = client.post("/battles", json=duel, headers=bearer(bob)).json()["id"]
        client.post(f"/battles/{battle_id}/join", headers=bearer(alice))
        turns = [
            client.post(
                f"/battles/{battle_id}/actions",
                json={"action": {"type": "rest"}},
                headers=bearer(player),
            )
            for player in (bob, alice)
        ]
        turns.append(
            client.post("/game/state", json={"action": {"type": "rest"}}, headers=bearer(bob))
        )
        turns.append(client.post(f"/battles/{battle_id}/forfeit", headers=bearer(bob)))
        assert [r.status_code for r in turns] == [200, 200, 200, 200]  # two budgets of 3
        refused = client.post(f"/battles/{battle_id}/forfeit", headers=bearer(bob))
        assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
        states = [
            client.get("/state", params={"battleId": battle_id}, headers=bearer(alice))
            for _ in range(2)
        ]
        states.append(client.get("/game/state", headers=bearer(alice)))
        _limited(states, 2)
        # Listing and reading battles are in the general class, not these.
        assert client.get(f"/battles/{battle_id}", headers=bearer(alice)).status_code == 200


def test_counters_in_redis_are_shared_by_processes(
    start_server: Callable[..., LiveServer], redis_url: str
) -> None:
    settings: dict[str, Any] = {
        "rate_limit_enabled": True,
        "rate_limit_register": "3/minute",
        "redis_url": redis_url,
    }
    first = start_server(**settings)
    second = start_server(database_url=None, **settings)
    address = _address()
    statuses = []
    for live in (first, second, first, second):
        with live.client() as client:
            response = client.post(
                "/auth/register",
                json={"username": "s_" + uuid.uuid4().hex[:8], "password": PASSWORD},
                headers=address,
            )
            statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429]


def test_failed_logins_lock_the_address_for_that_account(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server(login_failures_per_pair=3, login_failures_slow_down=100)
    with live.client() as client:
        account = register(client)
        attacker = {"X-Forwarded-For": "203.0.113.40"}
        wrong = {"identifier": account["username"], "password": "Wrong12345"}
        for _ in range(3):
            assert client.post("/auth/login", json=wrong, headers=attacker).status_code == 401
        right = {"identifier": account["username"], "password": PASSWORD}
        locked = client.post("/auth/login", json=right, headers=attacker)
        assert_error(locked, 429, "RATE_LIMIT_EXCEEDED", "too many failed logins")
        assert 60 < int(locked.headers["Retry-After"]) <= 15 * 60
        # The owner, elsewhere, is not locked out.
        owner = client.post("/auth/login", json=right, headers={"X-Forwarded-For": "203.0.113.41"})
        assert owner.status_code == 200


def test_failed_logins_lock_an_address_across_accounts(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server(login_failures_per_ip=4, login_failures_slow_down=100)
    with live.client() as client:
        attacker = {"X-Forwarded-For": "203.0.113.50"}
        for i in range(4):
            guess = {"identifier": f"victim{i}", "password": "Wrong12345"}
            assert client.post("/auth/login", json=guess, headers=attacker).status_code == 401
        account = register(client)
        right = {"identifier": account["username"], "password": PASSWORD}
        assert client.post("/auth/login", json=right, headers=attacker).status_code == 429
        assert client.post("/auth/login", json=right).status_code == 200


def test_failed_logins_slow_down_an_account(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(login_failures_slow_down=2, login_failures_per_pair=100)
    with live.client() as client:
        account = register(client)
        wrong = {"identifier": account["username"], "password": "Wrong12345"}

        def attempt(address: str) -> float:
            started = time.perf_counter()
            client.post("/auth/login", json=wrong, headers={"X-Forwarded-For": address})
            return time.perf_counter() - started

        fast = [attempt(f"203.0.113.{60 + i}") for i in range(2)]
        slow = attempt("203.0.113.70")  # the account's failures count from any address
        slower = attempt("203.0.113.71")
    assert max(fast) < 0.5
    assert slow >= 0.5
    assert slower >= 1.0
