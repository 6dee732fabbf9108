"""What ``gambit serve`` logs: its banner, one access line per request under the request's
id (a service's lines too), JSON with ``LOG_FORMAT=json``, and never a secret."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gambit.logs import configure
from gambit.services.tokens import secret_hash
from gambit.settings import Settings
from tests.conftest import ServerProcess
from tests.helpers import PASSWORD, bearer, register
from tests.ws import open_socket

WRONG_PASSWORD = "NotThePassword1"


def records(log: Path) -> list[dict[str, Any]]:
    """Every line the server wrote, each of which must be one JSON object."""
    return [json.loads(line) for line in log.read_text().splitlines()]


def eventually(log: Path, found: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        matching = [record for record in records(log) if found(record)]
        if matching:
            return matching[0]
        assert time.monotonic() < deadline, "no such line in the log"
        time.sleep(0.05)


def access(method: str, path: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["logger"] == "gambit.access" and (r["method"], r["path"]) == (method, path)


@pytest.fixture
def json_server(
    spawn_server: Callable[..., ServerProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ServerProcess]:
    monkeypatch.setenv("LOG_FORMAT", "json")
    server = spawn_server(f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}")
    yield server
    server.stop()


def test_a_server_logs_its_banner_each_request_under_its_id_and_no_secret(
    json_server: ServerProcess, tmp_path: Path
) -> None:
    url = json_server.url
    engine = httpx.get(url + "/health").json()["engine"]
    banner = "\n".join(r["message"] for r in records(json_server.log) if r["logger"] == "gambit")
    assert f"listening at {url}" in banner
    assert f"web face:  {url}/" in banner
    assert f"API docs: {url}/docs" in banner
    assert f"engine:    {engine}" in banner
    assert f"storage:   SQLite at {tmp_path / 'gambit.db'}" in banner
    assert "bus:       in-process" in banner
    assert "mode:      production" in banner
    assert f"metrics:   {url}/metrics (for 127.0.0.0/8, ::1/128)" in banner

    log = json_server.log
    with json_server.client() as client:
        session = register(client)
        name = session["username"]
        # A sane X-Request-ID is kept, echoed and put on every line of its request.
        wrong = {"identifier": name, "password": WRONG_PASSWORD}
        refused = client.post("/auth/login", json=wrong, headers={"X-Request-ID": "rq-42/a"})
        assert refused.status_code == 401
        assert refused.headers["X-Request-ID"] == "rq-42/a"
        line = eventually(log, access("POST", "/api/v1/auth/login"))
        assert line["request_id"] == "rq-42/a"
        assert line["status"] == 401
        assert line["client"] == "127.0.0.1"
        assert line["duration_ms"] > 0
        assert line["level"] == "INFO"  # no --debug needed
        service = eventually(log, lambda r: r["logger"] == "gambit.services.accounts")
        assert service["request_id"] == "rq-42/a"
        assert name.lower() in service["message"]
        # Anything else gets an id of the server's own.
        made = client.get("/health", headers={"X-Request-ID": "two words"})
        assert re.fullmatch("[0-9a-f]{32}", made.headers["X-Request-ID"])

        # Every kind of secret, through every way in.
        signed_in = client.post("/auth/login", json={"identifier": name, "password": PASSWORD})
        assert signed_in.status_code == 200
        form = client.post(
            json_server.url + "/token", data={"username": name, "password": PASSWORD}
        ).json()
        renewed = client.post(
            "/auth/refresh", json={"refreshToken": signed_in.json()["refreshToken"]}
        ).json()
        made_token = client.post(
            "/account/tokens",
            json={"description": "bot", "scopes": ["bot:play"]},
            headers=bearer(renewed),
        )
        assert made_token.status_code == 201, made_token.text
        personal = made_token.json()["token"]
        assert client.get("/users/me", headers={"Authorization": f"Bearer {personal}"}).is_success
        in_query = client.get("/users/me", params={"access_token": renewed["token"]})
        assert in_query.status_code == 401  # tokens go in the Authorization header

        async def socket() -> None:
            async with open_socket(json_server.url, renewed["token"]) as opened:
                await opened.send("auth", {"token": renewed["token"]})
                await opened.expect("auth")

        asyncio.run(socket())

    connected = eventually(log, lambda r: r.get("method") == "WS" and r["status"] == 101)
    assert connected["path"] == "/api/v1/ws"
    assert connected["query"] == "token=***"
    closed = eventually(log, lambda r: r.get("method") == "WS" and r["status"] != 101)
    assert closed["request_id"] == connected["request_id"]
    assert eventually(log, access("GET", "/api/v1/users/me"))
    assert eventually(log, lambda r: r.get("query") == "access_token=***")

    everything = log.read_text()
    secrets = [PASSWORD, WRONG_PASSWORD, personal, secret_hash(personal), "$argon2"]
    for tokens in (session, signed_in.json(), renewed):
        secrets += [tokens["token"], tokens["refreshToken"], secret_hash(tokens["refreshToken"])]
    secrets += [form["access_token"], form["refresh_token"]]
    for secret in secrets:
        assert secret not in everything


def test_debug_logging_keeps_the_indiscreet_libraries_quiet() -> None:
    """At DEBUG, SQLAlchemy and aiosqlite would log SQL parameters (password hashes), the
    form parser a password, the WebSocket library the frames (tokens)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    indiscreet = ("sqlalchemy.engine", "aiosqlite", "python_multipart", "websockets.server")
    levels = {name: logging.getLogger(name).level for name in ("sqlalchemy", *indiscreet)}
    try:
        configure(Settings(api_debug=True))
        assert root.isEnabledFor(logging.DEBUG)
        for name in indiscreet:
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, was in levels.items():
            logging.getLogger(name).setLevel(was)
