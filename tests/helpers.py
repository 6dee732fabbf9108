"""Small helpers the API tests share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from gambit.store import open_database

HUMAN = {"type": 1}
FAST_COMPUTER = {"type": 2, "level": 5, "searchTime": 100}
FOOLS_MATE = ("f2f3", "e7e5", "g2g4", "d8h4")


def new_game(client: httpx.Client, white: Any = HUMAN, black: Any = HUMAN, **extra: Any) -> Any:
    response = client.post("/games", json={"white": white, "black": black, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def play(client: httpx.Client, game_id: str, *moves: str) -> Any:
    body: Any = None
    for move in moves:
        response = client.post(f"/games/{game_id}/moves", json={"move": move})
        assert response.status_code == 200, response.text
        body = response.json()
    return body


def wait_until_settled(client: httpx.Client, game_id: str, timeout: float = 30) -> Any:
    """Poll until the game is no longer `pending`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        game = client.get(f"/games/{game_id}").json()
        if game["state"] != "pending":
            return game
        time.sleep(0.05)
    raise AssertionError(f"game {game_id} still pending after {timeout} s")


def assert_error(response: httpx.Response, status: int, code: str, text: str | None = None) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "code", "details"}, body
    assert body["code"] == code, body
    assert body["message"] == body["error"]
    if text is not None:
        assert text in body["error"] or text in body["details"], body
    return body


PASSWORD = "SecurePass123"


def register(client: httpx.Client, username: str | None = None, **extra: Any) -> Any:
    """A new account (a unique name unless given); the auth response."""
    import uuid

    name = username or "u_" + uuid.uuid4().hex[:12]
    response = client.post("/auth/register", json={"username": name, "password": PASSWORD, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def bearer(session: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['token']}"}


def create_battle(
    client: httpx.Client, session: Any, game: str, *seats: Any, **options: Any
) -> Any:
    """A new battle of seed 000's face, created by ``session``."""
    body: dict[str, Any] = {"game": game, "seats": list(seats)}
    if options:
        body["options"] = options
    response = client.post("/battles", json=body, headers=bearer(session))
    assert response.status_code == 201, response.text
    return response.json()


def act(client: httpx.Client, session: Any, battle_id: str, action: Any) -> httpx.Response:
    return client.post(
        f"/battles/{battle_id}/actions", json={"action": action}, headers=bearer(session)
    )


def wait_for_turn(client: httpx.Client, session: Any, battle_id: str) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        battle = client.get(f"/battles/{battle_id}", headers=bearer(session)).json()
        if battle["legalActions"] or battle["status"] == "FINISHED":
            return battle
        time.sleep(0.05)
    raise AssertionError("the AI never handed the turn back")


def run_sql(database_url: str, statement: str, parameters: Any = None) -> list[Any]:
    """Run one statement on the database, from outside any server, as another process
    would; the rows it returns."""

    async def run() -> list[Any]:
        engine = open_database(database_url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), parameters)
                return list(result) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def refused_within_a_second(request: Callable[[], httpx.Response]) -> None:
    """Send ``request`` until it is refused with 401, which must happen within 1 s."""
    deadline = time.monotonic() + 1
    while (response := request()).status_code != 401:
        assert time.monotonic() < deadline, f"still {response.status_code} after 1 s"
        time.sleep(0.02)


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
"""A scrape of /metrics: each sample's value by its name and labels."""


def scrape(server_url: str, **headers: str) -> Samples:
    response = httpx.get(server_url + "/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float:
    """The value of one series of a scrape; 0 if it has none yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)
