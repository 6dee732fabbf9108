"""Profiles and records: /users/me, PATCH /users/me, /users/{id}, /users/{id}/stats."""

from __future__ import annotations

import uuid

import httpx

from tests.helpers import FOOLS_MATE, PASSWORD, assert_error, bearer, new_game, play, register


def test_my_profile(client: httpx.Client) -> None:
    account = register(client, email=f"p{uuid.uuid4().hex[:8]}@example.com")
    response = client.get("/users/me", headers=bearer(account))
    assert response.status_code == 200
    profile = response.json()
    assert profile["userId"] == account["userId"]
    assert profile["email"] == account["email"]
    assert profile["displayName"] is None
    assert profile["lastLoginAt"] is None
    assert profile["stats"] == {"played": 0, "wins": 0, "losses": 0, "draws": 0}
    assert_error(client.get("/users/me"), 401, "UNAUTHORIZED")


def test_public_profile_shows_nothing_private(client: httpx.Client) -> None:
    account = register(client, email=f"q{uuid.uuid4().hex[:8]}@example.com")
    response = client.get(f"/users/{account['userId']}")
    assert response.status_code == 200
    assert set(response.json()) == {"userId", "username", "displayName", "createdAt"}
    assert account["email"] not in response.text
    assert_error(client.get(f"/users/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert_error(client.get("/users/not-a-uuid"), 400, "INVALID_REQUEST")


def test_a_user_is_found_by_name_in_any_case(client: httpx.Client) -> None:
    account = register(client)
    found = client.get("/users", params={"username": account["username"].upper()})
    assert found.status_code == 200, found.text
    assert found.json()["userId"] == account["userId"]
    assert_error(
        client.get("/users", params={"username": "nobody_" + uuid.uuid4().hex[:8]}),
        404,
        "NOT_FOUND",
    )
    assert_error(client.get("/users"), 400, "INVALID_REQUEST")


def test_update_display_name_and_email(client: httpx.Client) -> None:
    account = register(client)
    email = f"new{uuid.uuid4().hex[:8]}@example.com"
    response = client.patch(
        "/users/me", json={"displayName": "Grand Master", "email": email}, headers=bearer(account)
    )
    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "Grand Master"
    assert response.json()["email"] == email
    assert client.get(f"/users/{account['userId']}").json()["displayName"] == "Grand Master"
    cleared = client.patch("/users/me", json={"displayName": ""}, headers=bearer(account))
    assert cleared.json()["displayName"] is None
    for bad in ("<b>x</b>", " padded", "tab\there", "x" * 51):
        response = client.patch("/users/me", json={"displayName": bad}, headers=bearer(account))
        assert_error(response, 400, "INVALID_REQUEST", "DisplayName")
    taken = register(client, email=f"t{uuid.uuid4().hex[:8]}@example.com")["email"]
    response = client.patch("/users/me", json={"email": taken}, headers=bearer(account))
    assert_error(response, 409, "CONFLICT", "email")


def test_password_change_needs_the_current_one_and_ends_other_logins(
    client: httpx.Client,
) -> None:
    account = register(client)
    other = client.post(
        "/auth/login", json={"identifier": account["username"], "password": PASSWORD}
    ).json()
    wrong = client.patch(
        "/users/me",
        json={"password": "NewPass456", "currentPassword": "Wrong12345"},
        headers=bearer(account),
    )
    assert_error(wrong, 401, "UNAUTHORIZED", "current password")
    missing = client.patch("/users/me", json={"password": "NewPass456"}, headers=bearer(account))
    assert_error(missing, 401, "UNAUTHORIZED")
    weak = client.patch(
        "/users/me",
        json={"password": "weak", "currentPassword": PASSWORD},
        headers=bearer(account),
    )
    assert_error(weak, 400, "INVALID_REQUEST", "Password must be at least 8")
    changed = client.patch(
        "/users/me",
        json={"password": "NewPass456", "currentPassword": PASSWORD},
        headers=bearer(account),
    )
    assert changed.status_code == 200
    assert client.get("/auth/me", headers=bearer(account)).status_code == 200
    assert_error(client.get("/auth/me", headers=bearer(other)), 401, "UNAUTHORIZED")
    refreshed = client.post("/auth/refresh", json={"refreshToken": other["refreshToken"]})
    assert_error(refreshed, 401, "UNAUTHORIZED")
    old = client.post("/auth/login", json={"identifier": account["username"], "password": PASSWORD})
    assert_error(old, 401, "UNAUTHORIZED")
    new = client.post(
        "/auth/login", json={"identifier": account["username"], "password": "NewPass456"}
    )
    assert new.status_code == 200
    assert client.get("/users/me", headers=bearer(new.json())).json()["lastLoginAt"]


def test_stats_count_finished_games(client: httpx.Client) -> None:
    account = register(client)
    user_id = account["userId"]
    game = client.post(
        "/games", json={"white": {"type": 1}, "black": {"type": 1}}, headers=bearer(account)
    ).json()
    for move in FOOLS_MATE:
        response = client.post(
            f"/games/{game['gameId']}/moves", json={"move": move}, headers=bearer(account)
        )
        assert response.status_code == 200
    # A game the user plays both sides of counts as played and won, and moves no rating.
    stats = client.get(f"/users/{user_id}/stats").json()
    assert stats["userId"] == user_id
    assert stats["games"]["chess"] == {
        "played": 1,
        "wins": 1,
        "losses": 0,
        "draws": 0,
        "rating": 1500,
        "ratingDeviation": 350,
        "provisional": True,
    }
    assert stats["games"]["duel"]["played"] == 0
    # Anonymous games count for nobody.
    anonymous = new_game(client)
    play(client, anonymous["gameId"], *FOOLS_MATE)
    assert client.get(f"/users/{user_id}/stats").json()["total"]["played"] == 1
    assert_error(client.get(f"/users/{uuid.uuid4()}/stats"), 404, "NOT_FOUND")
