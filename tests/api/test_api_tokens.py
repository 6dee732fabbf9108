"""Personal API tokens: made, listed and revoked over gambit's API, accepted as bearer
tokens, refused at once when revoked (by other processes too), tested as lichess does."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.helpers import assert_error, bearer, refused_within_a_second, register


def new_token(client: httpx.Client, session: Any, *scopes: str, **extra: Any) -> Any:
    body = {"description": "my bot", "scopes": list(scopes), **extra}
    response = client.post("/account/tokens", json=body, headers=bearer(session))
    assert response.status_code == 201, response.text
    return response.json()


def with_token(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked(
    client: httpx.Client,
) -> None:
    me = register(client)
    made = new_token(client, me, "bot:play", "challenge:read")
    token = made["token"]
    assert re.fullmatch(r"gbt_[A-Za-z0-9]{32}", token)
    assert made["scopes"] == ["bot:play", "challenge:read"]
    assert made["expiresAt"] is None
    assert made["lastUsedAt"] is None

    # The token acts as its user on gambit's own endpoints, whatever its scopes.
    profile = client.get("/users/me", headers=with_token(token))
    assert profile.status_code == 200, profile.text
    assert profile.json()["userId"] == me["userId"]

    listed = client.get("/account/tokens", headers=bearer(me)).json()["tokens"]
    assert [entry["id"] for entry in listed] == [made["id"]]
    assert "token" not in listed[0]
    assert listed[0]["description"] == "my bot"
    assert listed[0]["lastUsedAt"] is not None
    assert token not in client.get("/account/tokens", headers=bearer(me)).text

    # Someone else cannot see or revoke it.
    other = register(client)
    assert client.get("/account/tokens", headers=bearer(other)).json() == {"tokens": []}
    refused = client.delete(f"/account/tokens/{made['id']}", headers=bearer(other))
    assert_error(refused, 404, "NOT_FOUND")

    revoked = client.delete(f"/account/tokens/{made['id']}", headers=bearer(me))
    assert revoked.status_code == 204
    assert_error(client.get("/users/me", headers=with_token(token)), 401, "UNAUTHORIZED")
    assert client.get("/account/tokens", headers=bearer(me)).json() == {"tokens": []}
    again = client.delete(f"/account/tokens/{made['id']}", headers=bearer(me))
    assert_error(again, 404, "NOT_FOUND")


def test_bad_token_requests_are_refused(client: httpx.Client) -> None:
    me = register(client)
    assert_error(
        client.post("/account/tokens", json={"description": "x", "scopes": []}),
        401,
        "UNAUTHORIZED",
    )
    for body in (
        {"description": "x", "scopes": ["bot:fly"]},
        {"description": "", "scopes": []},
        {"description": " padded", "scopes": []},
        {"scopes": ["bot:play"]},
        {"description": "x", "scopes": [], "expiresAt": "2001-01-01T00:00:00Z"},
        {"description": "x", "scopes": [], "expiresAt": "2099-01-01T00:00:00"},  # no zone
    ):
        response = client.post("/account/tokens", json=body, headers=bearer(me))
        assert_error(response, 400, "INVALID_REQUEST")
    assert_error(client.get("/users/me", headers=with_token("gbt_nope")), 401, "UNAUTHORIZED")
    assert_error(
        client.delete("/account/tokens/not-a-uuid", headers=bearer(me)), 400, "INVALID_REQUEST"
    )


def test_a_token_expires_when_told(client: httpx.Client) -> None:
    me = register(client)
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    made = new_token(client, me, expiresAt=soon.isoformat())
    assert made["expiresAt"] is not None
    assert client.get("/users/me", headers=with_token(made["token"])).status_code == 200
    time.sleep(1.6)
    assert_error(client.get("/users/me", headers=with_token(made["token"])), 401, "UNAUTHORIZED")


def test_signing_out_with_a_token_revokes_it(client: httpx.Client) -> None:
    me = register(client)
    token = new_token(client, me)["token"]
    assert client.post("/auth/logout", headers=with_token(token)).status_code == 204
    assert_error(client.get("/users/me", headers=with_token(token)), 401, "UNAUTHORIZED")
    assert client.get("/users/me", headers=bearer(me)).status_code == 200  # the login lives


def test_a_revoked_token_is_refused_by_every_server_within_a_second(
    tmp_path: Path, start_server: Any
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    first, second = start_server(url), start_server(url)
    with first.client() as one, second.client() as two:
        me = register(one)
        made = new_token(one, me, "bot:play")
        # The second server has checked the token, and remembers it.
        assert two.get("/users/me", headers=with_token(made["token"])).status_code == 200
        assert one.delete(f"/account/tokens/{made['id']}", headers=bearer(me)).status_code == 204
        refused_within_a_second(lambda: two.get("/users/me", headers=with_token(made["token"])))


def test_token_test_answers_as_lichess(server: LiveServer, client: httpx.Client) -> None:
    me = register(client, username="Tester_" + str(time.time_ns())[-6:])
    made = new_token(client, me, "bot:play", "challenge:write")
    tokens = f"{made['token']}, gbt_unknown ,{me['token']},not-a-token"
    response = httpx.post(
        server.url + "/api/token/test", content=tokens, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    tested = response.json()
    assert tested[made["token"]] == {
        "userId": me["username"].lower(),
        "scopes": "bot:play,challenge:write",
        "expires": None,
    }
    assert tested["gbt_unknown"] is None
    assert tested["not-a-token"] is None
    session = tested[me["token"]]  # a session's JWT has every scope, and expires
    assert session["userId"] == me["username"].lower()
    assert "bot:play" in session["scopes"].split(",")
    assert session["expires"] > 0
    too_many = ",".join(f"gbt_{i}" for i in range(1001))
    refused = httpx.post(server.url + "/api/token/test", content=too_many)
    assert refused.status_code == 400
    assert set(refused.json()) == {"error"}
