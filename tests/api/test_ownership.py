"""Games created with a token belong to their user; anonymous games stay open."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import FAST_COMPUTER, HUMAN, assert_error, bearer, new_game, register


def _create(client: httpx.Client, session: dict[str, str], black: object = HUMAN) -> dict[str, Any]:
    response = client.post("/games", json={"white": HUMAN, "black": black}, headers=bearer(session))
    assert response.status_code == 201, response.text
    game: dict[str, Any] = response.json()
    return game


def test_human_sides_carry_the_user_id(client: httpx.Client) -> None:
    owner = register(client)
    game = _create(client, owner, black=FAST_COMPUTER)
    assert game["players"]["white"]["id"] == owner["userId"]
    assert game["players"]["black"]["id"].startswith("ai-player-")
    assert new_game(client)["players"]["white"]["id"] != owner["userId"]


def test_only_the_owner_may_change_an_owned_game(client: httpx.Client) -> None:
    owner, stranger = register(client), register(client)
    game = _create(client, owner)
    path = f"/games/{game['gameId']}"
    players = {"white": HUMAN, "black": FAST_COMPUTER}
    for who in ({}, bearer(stranger)):
        assert_error(
            client.post(f"{path}/moves", json={"move": "e2e4"}, headers=who), 403, "FORBIDDEN"
        )
        assert_error(client.post(f"{path}/undo", json={}, headers=who), 403, "FORBIDDEN")
        assert_error(client.put(f"{path}/players", json=players, headers=who), 403, "FORBIDDEN")
        assert_error(client.delete(path, headers=who), 403, "FORBIDDEN")
    # Anyone may look.
    assert client.get(path).status_code == 200
    assert client.get(f"{path}/board").status_code == 200
    ok = client.post(f"{path}/moves", json={"move": "e2e4"}, headers=bearer(owner))
    assert ok.status_code == 200
    assert client.post(f"{path}/undo", json={}, headers=bearer(owner)).status_code == 200
    assert client.delete(path, headers=bearer(owner)).status_code == 204


def test_anonymous_games_are_open_to_anyone(client: httpx.Client) -> None:
    someone = register(client)
    game = new_game(client)
    path = f"/games/{game['gameId']}"
    assert client.post(f"{path}/moves", json={"move": "e2e4"}).status_code == 200
    signed_in = client.post(f"{path}/moves", json={"move": "e7e5"}, headers=bearer(someone))
    assert signed_in.status_code == 200
    assert client.delete(path).status_code == 204


def test_a_side_made_human_later_belongs_to_who_changed_it(client: httpx.Client) -> None:
    owner = register(client)
    game = _create(client, owner, black=FAST_COMPUTER)
    response = client.put(
        f"/games/{game['gameId']}/players",
        json={"white": HUMAN, "black": HUMAN},
        headers=bearer(owner),
    )
    assert response.status_code == 200, response.text
    assert response.json()["players"]["black"]["id"] == owner["userId"]
