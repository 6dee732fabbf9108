"""Accounts and tokens: register, login, /token, refresh rotation, logout, /auth/me."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import BACKENDS, SECRET_KEY, LiveServer, database
from tests.helpers import (
    PASSWORD,
    assert_error,
    bearer,
    refused_within_a_second,
    register,
    run_sql,
)


def test_register_answers_a_signed_in_session(client: httpx.Client) -> None:
    name = "alice_" + uuid.uuid4().hex[:8]
    response = client.post(
        "/auth/register",
        json={"username": name, "email": f"{name}@Example.com", "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "token",
        "refreshToken",
        "expiresIn",
        "expiresAt",
        "userId",
        "username",
        "email",
    }
    assert body["username"] == name
    assert body["email"] == f"{name}@example.com"  # the domain is normalised
    assert body["expiresIn"] == 30 * 60
    expires = datetime.fromisoformat(body["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires.timestamp() - (time.time() + 1800)) < 60
    claims = jwt.decode(body["token"], SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == body["userId"]
    assert claims["username"] == name
    assert claims["email"] == body["email"]
    assert {"exp", "iat", "jti"} <= set(claims)
    me = client.get("/auth/me", headers=bearer(body))
    assert me.status_code == 200
    assert me.json()["userId"] == body["userId"]
    assert me.json()["createdAt"].endswith("Z")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"password": PASSWORD}, "Username is required"),
        ({"username": "", "password": PASSWORD}, "Username must be 1-40"),
        ({"username": "x" * 41, "password": PASSWORD}, "Username must be 1-40"),
        ({"username": "bad name", "password": PASSWORD}, "Username must be 1-40"),
        ({"username": "<script>", "password": PASSWORD}, "Username must be 1-40"),
        ({"username": "bob"}, "Password is required"),
        ({"username": "bob", "password": "Short1"}, "Password must be at least 8 characters"),
        ({"username": "bob", "password": "lettersonly"}, "Password must contain a letter"),
        ({"username": "bob", "password": "123456789"}, "Password must contain a letter"),
        ({"username": "bob", "password": PASSWORD, "email": "not-an-email"}, "Email must be"),
    ],
)
def test_register_validation(client: httpx.Client, body: Any, detail: str) -> None:
    response = client.post("/auth/register", json=body)
    error = assert_error(response, 400, "INVALID_REQUEST", "validation failed")
    assert detail in error["details"]


def test_duplicates_conflict_ignoring_case(client: httpx.Client) -> None:
    name = "Carol_" + uuid.uuid4().hex[:8]
    register(client, name, email=f"{name}@example.com")
    again = client.post("/auth/register", json={"username": name.upper(), "password": PASSWORD})
    assert_error(again, 409, "CONFLICT", "username")
    same_email = client.post(
        "/auth/register",
        json={"username": "x" + name, "email": f"{name.upper()}@EXAMPLE.com", "password": PASSWORD},
    )
    assert_error(same_email, 409, "CONFLICT", "email")


def test_racing_registrations_let_exactly_one_win(server: LiveServer) -> None:
    name = "race_" + uuid.uuid4().hex[:8]
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        with server.client() as client:
            barrier.wait()
            response = client.post("/auth/register", json={"username": name, "password": PASSWORD})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 7


def test_login_by_username_or_email_any_case(client: httpx.Client) -> None:
    name = "dave_" + uuid.uuid4().hex[:8]
    account = register(client, name, email=f"{name}@example.com")
    for identifier in (name, name.upper(), f"{name.upper()}@EXAMPLE.COM"):
        response = client.post("/auth/login", json={"identifier": identifier, "password": PASSWORD})
        assert response.status_code == 200, response.text
        assert response.json()["userId"] == account["userId"]
    legacy = client.post("/auth/login", json={"username": name, "password": PASSWORD})
    assert legacy.status_code == 200


def test_wrong_credentials_get_one_answer(client: httpx.Client) -> None:
    name = "erin_" + uuid.uuid4().hex[:8]
    register(client, name)
    wrong_password = client.post("/auth/login", json={"identifier": name, "password": "Wrong12345"})
    no_user = client.post(
        "/auth/login", json={"identifier": "nobody_" + name, "password": "Wrong12345"}
    )
    first = assert_error(wrong_password, 401, "UNAUTHORIZED")
    second = assert_error(no_user, 401, "UNAUTHORIZED")
    assert first == second
    assert wrong_password.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_users_take_as_long_as_wrong_passwords(start_server: Any) -> None:
    # The production hash cost, so that the hash dominates as it does in service.
    live = start_server(argon2_time_cost=3, argon2_memory_kib=65536)
    with live.client() as client:
        name = "timing_" + uuid.uuid4().hex[:8]
        register(client, name)

        def timed(identifier: str) -> float:
            started = time.perf_counter()
            response = client.post(
                "/auth/login", json={"identifier": identifier, "password": "Wrong12345"}
            )
            assert response.status_code == 401
            return time.perf_counter() - started

        known = sorted(timed(name) for _ in range(3))[1]
        unknown = sorted(timed(f"ghost_{i}_{name}") for i in range(3))[1]
    # Without the decoy hash an unknown user answers in a small fraction of the time.
    assert unknown > known * 0.5, (known, unknown)


def test_oauth2_token_form(client: httpx.Client) -> None:
    name = "frank_" + uuid.uuid4().hex[:8]
    account = register(client, name)
    response = client.post("/token", data={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert body["refresh_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["userId"] == account["userId"]
    bad = client.post("/token", data={"username": name, "password": "Wrong12345"})
    assert_error(bad, 401, "UNAUTHORIZED")
    missing = client.post("/token", data={"username": name})
    assert_error(missing, 400, "INVALID_REQUEST")


def test_seed_000_root_paths_answer_too(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as root:
        account = register(root)
        assert root.get("/auth/me", headers=bearer(account)).status_code == 200
        assert root.get("/users/me", headers=bearer(account)).status_code == 200
        form = {"username": account["username"], "password": PASSWORD}
        assert root.post("/token", data=form).status_code == 200


def test_refresh_rotates_and_reuse_revokes_the_login(client: httpx.Client) -> None:
    first = register(client)
    second = client.post("/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert second.status_code == 200, second.text
    second_body = second.json()
    assert second_body["refreshToken"] != first["refreshToken"]
    assert second_body["userId"] == first["userId"]
    assert client.get("/auth/me", headers=bearer(second_body)).status_code == 200
    # The first refresh token is spent: showing it again means it leaked.
    reused = client.post("/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert_error(reused, 401, "UNAUTHORIZED", "reused")
    # ... and every token of that login is now refused.
    assert_error(
        client.post("/auth/refresh", json={"refreshToken": second_body["refreshToken"]}),
        401,
        "UNAUTHORIZED",
    )
    assert_error(client.get("/auth/me", headers=bearer(second_body)), 401, "UNAUTHORIZED")
    assert_error(client.get("/auth/me", headers=bearer(first)), 401, "UNAUTHORIZED")


def test_reuse_leaves_other_logins_alone(client: httpx.Client) -> None:
    account = register(client)
    other = client.post(
        "/auth/login", json={"identifier": account["username"], "password": PASSWORD}
    ).json()
    client.post("/auth/refresh", json={"refreshToken": account["refreshToken"]})
    client.post("/auth/refresh", json={"refreshToken": account["refreshToken"]})
    assert client.get("/auth/me", headers=bearer(other)).status_code == 200


def test_unknown_refresh_token(client: httpx.Client) -> None:
    response = client.post("/auth/refresh", json={"refreshToken": "made-up"})
    assert_error(response, 401, "UNAUTHORIZED")


def test_logout_revokes_access_and_refresh_tokens(client: httpx.Client) -> None:
    account = register(client)
    response = client.post(
        "/auth/logout", json={"refreshToken": account["refreshToken"]}, headers=bearer(account)
    )
    assert response.status_code == 204
    assert_error(client.get("/auth/me", headers=bearer(account)), 401, "UNAUTHORIZED", "revoked")
    refreshed = client.post("/auth/refresh", json={"refreshToken": account["refreshToken"]})
    assert_error(refreshed, 401, "UNAUTHORIZED")


def test_logout_without_a_body(client: httpx.Client) -> None:
    account = register(client)
    assert client.post("/auth/logout", headers=bearer(account)).status_code == 204
    assert_error(client.get("/auth/me", headers=bearer(account)), 401, "UNAUTHORIZED")
    assert_error(client.post("/auth/logout"), 401, "UNAUTHORIZED")


def test_revocations_survive_a_restart(start_server: Any) -> None:
    live = start_server()
    with live.client() as client:
        account = register(client)
        client.post("/auth/logout", headers=bearer(account))
    live.stop()
    restarted = start_server()
    with restarted.client() as client:
        assert_error(client.get("/auth/me", headers=bearer(account)), 401, "UNAUTHORIZED")
        login = client.post(
            "/auth/login", json={"identifier": account["username"], "password": PASSWORD}
        )
        assert login.status_code == 200


@pytest.mark.parametrize("backend", BACKENDS)
def test_revocations_come_from_the_database_and_leave_it_when_expired(
    backend: str, tmp_path: Path, start_server: Any
) -> None:
    with database(backend, tmp_path) as url:
        server = start_server(url)
        with server.client() as client:
            account = register(client)
            token_id = jwt.decode(account["token"], SECRET_KEY, algorithms=["HS256"])["jti"]
            now = int(time.time())
            # Another process signs the token out; an old revocation has run its course.
            run_sql(
                url,
                "INSERT INTO revocations (key, expires_at) VALUES (:key, :until)",
                [
                    {"key": f"jti:{token_id}", "until": now + 600},
                    {"key": "jti:long-expired", "until": now - 1},
                ],
            )
            refused_within_a_second(lambda: client.get("/auth/me", headers=bearer(account)))

            def stored() -> set[str]:
                return {row.key for row in run_sql(url, "SELECT key FROM revocations")}

            deadline = time.monotonic() + 5
            while "jti:long-expired" in stored():
                assert time.monotonic() < deadline, "the expired revocation stayed"
                time.sleep(0.1)
            assert f"jti:{token_id}" in stored()


def _forge(claims: dict[str, Any], key: str = SECRET_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_bad_tokens_are_refused(client: httpx.Client) -> None:
    account = register(client)
    claims = jwt.decode(account["token"], SECRET_KEY, algorithms=["HS256"])
    now = int(time.time())
    tampered_payload = account["token"].split(".")
    tampered_payload[1] = (
        base64.urlsafe_b64encode(json.dumps(claims | {"sub": str(uuid.uuid4())}).encode())
        .rstrip(b"=")
        .decode()
    )
    tokens = {
        "wrong key": _forge(claims, key="another-key-" + "x" * 64),
        "alg none": _unsigned(claims),
        "expired": _forge(claims | {"iat": now - 7200, "exp": now - 3600}),
        "tampered": ".".join(tampered_payload),
        "HS512": _forge(claims, algorithm="HS512"),
        "no jti": _forge({k: v for k, v in claims.items() if k != "jti"}),
        "garbage": "not.a.token",
    }
    for name, token in tokens.items():
        response = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "UNAUTHORIZED")
        assert response.headers["WWW-Authenticate"] == "Bearer", name
    # A bad token is refused even where anonymous callers are welcome.
    response = client.post(
        "/games",
        json={"white": {"type": 1}, "black": {"type": 1}},
        headers={"Authorization": f"Bearer {tokens['alg none']}"},
    )
    assert_error(response, 401, "UNAUTHORIZED")
