"""The lichess account routes over HTTP: /api/account, bots, users, their status, and
berserk driving them unchanged."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import berserk
import httpx
import pytest

from gambit.api.auth import BoardCaller, BotCaller
from gambit.api.lichess.errors import LichessRoute
from gambit.services.tokens import AccessClaims
from tests.conftest import LiveServer
from tests.helpers import bearer, create_battle, register

HAS_PLAYED = "You already have games played. Make a new account."


@pytest.fixture
def lichess(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def person(client: httpx.Client, *scopes: str) -> tuple[Any, str]:
    """A new account (with a capitalised name) and a personal token with ``scopes``."""
    session = register(client, username="Ann_" + uuid.uuid4().hex[:8])
    body = {"description": "test", "scopes": list(scopes)}
    made = client.post("/account/tokens", json=body, headers=bearer(session))
    assert made.status_code == 201, made.text
    return session, made.json()["token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def lichess_error(response: httpx.Response, status: int, error: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}, response.text
    if error is not None:
        assert response.json()["error"] == error


def test_my_account_as_lichess_shows_it(client: httpx.Client, lichess: httpx.Client) -> None:
    session, token = person(client)  # no scope needed
    response = lichess.get("/api/account", headers=auth(token))
    assert response.status_code == 200, response.text
    account = response.json()
    assert account["id"] == session["username"].lower()
    assert account["username"] == session["username"]
    assert "title" not in account
    assert account["perfs"]["correspondence"]["rating"] == 1500
    assert account["perfs"]["correspondence"]["prov"] is True
    assert isinstance(account["createdAt"], int)
    assert isinstance(account["seenAt"], int)
    assert account["count"]["all"] == 0
    assert account["url"].endswith(f"/profile/{session['userId']}")
    lichess_error(lichess.get("/api/account"), 401)
    lichess_error(lichess.get("/api/account", headers=auth("gbt_wrong")), 401, "No such token")


def test_upgrade_needs_the_bot_scope_and_is_for_good(
    client: httpx.Client, lichess: httpx.Client
) -> None:
    _, board_token = person(client, "board:play")
    refused = lichess.post("/api/bot/account/upgrade", headers=auth(board_token))
    lichess_error(refused, 403, "Missing scope")

    _, bot_token = person(client, "bot:play")
    upgraded = lichess.post("/api/bot/account/upgrade", headers=auth(bot_token))
    assert upgraded.status_code == 200, upgraded.text
    assert upgraded.json() == {"ok": True}
    assert lichess.get("/api/account", headers=auth(bot_token)).json()["title"] == "BOT"
    again = lichess.post("/api/bot/account/upgrade", headers=auth(bot_token))
    assert again.json() == {"ok": True}


def test_a_session_token_has_every_scope(client: httpx.Client, lichess: httpx.Client) -> None:
    session = register(client)
    upgraded = lichess.post("/api/bot/account/upgrade", headers=bearer(session))
    assert upgraded.json() == {"ok": True}


def test_an_account_that_has_played_cannot_become_a_bot(
    client: httpx.Client, lichess: httpx.Client
) -> None:
    session, token = person(client, "bot:play")
    create_battle(client, session, "chess", {"type": "human"}, {"type": "human"})
    refused = lichess.post("/api/bot/account/upgrade", headers=auth(token))
    lichess_error(refused, 400, HAS_PLAYED)
    assert "title" not in lichess.get("/api/account", headers=auth(token)).json()


def test_my_ongoing_games(client: httpx.Client, lichess: httpx.Client) -> None:
    session, token = person(client)
    ai = {"type": "ai", "level": 3, "searchTime": 100}
    battle = create_battle(client, session, "chess", {"type": "human"}, ai)
    create_battle(client, session, "duel", {"type": "human"}, ai)  # not a lichess game
    response = lichess.get("/api/account/playing", headers=auth(token))
    assert response.status_code == 200, response.text
    playing = response.json()
    assert playing["nbMyTurn"] == 1
    [game] = playing["nowPlaying"]
    assert game["gameId"] == battle["id"]
    assert game["fullId"] == battle["id"]
    assert game["color"] == "white"
    assert game["fen"].startswith("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w")
    assert game["isMyTurn"] is True
    assert game["hasMoved"] is False
    assert game["lastMove"] == ""
    assert game["opponent"]["ai"] == 3
    assert game["variant"] == {"key": "standard", "name": "Standard"}
    assert game["status"] == {"id": 20, "name": "started"}
    assert game["speed"] == "correspondence"
    assert game["source"] == "ai"
    lichess_error(lichess.get("/api/account/playing?nb=0", headers=auth(token)), 400)
    extended = lichess.get("/api/account", headers=auth(token)).json()
    assert extended["count"]["playing"] == 2
    assert "/game/" in extended["playing"]


def test_a_user_by_name(client: httpx.Client, lichess: httpx.Client) -> None:
    session, _ = person(client)
    shown = lichess.get(f"/api/user/{session['username'].upper()}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["username"] == session["username"]
    assert "email" not in shown.json()
    lichess_error(lichess.get("/api/user/nobody_at_all_here"), 404, "Not found")


def test_users_status(client: httpx.Client, lichess: httpx.Client) -> None:
    seen, token = person(client)
    assert lichess.get("/api/account", headers=auth(token)).status_code == 200
    player, _ = person(client)
    battle = create_battle(client, player, "chess", {"type": "human"}, {"type": "ai"})
    names = f"{seen['username'].lower()},nobody_at_all_here,{player['username']}"
    statuses = lichess.get("/api/users/status", params={"ids": names}).json()
    assert [s["name"] for s in statuses] == [seen["username"], player["username"]]
    assert statuses[0] == {"id": seen["username"].lower(), "name": seen["username"], "online": True}
    assert statuses[1]["playing"] is True
    assert "playingId" not in statuses[1]
    with_ids = lichess.get("/api/users/status", params={"ids": names, "withGameIds": "true"})
    assert with_ids.json()[1]["playingId"] == battle["id"]
    too_many = ",".join(f"u{i}" for i in range(101))
    lichess_error(lichess.get("/api/users/status", params={"ids": too_many}), 400)
    lichess_error(lichess.get("/api/users/status"), 400)


def test_online_bots_as_ndjson(client: httpx.Client, lichess: httpx.Client) -> None:
    for _ in range(2):
        _, token = person(client, "bot:play")
        assert lichess.post("/api/bot/account/upgrade", headers=auth(token)).status_code == 200
    response = lichess.get("/api/bot/online")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.text.endswith("\n")
    bots = [json.loads(line) for line in response.text.splitlines()]
    assert len(bots) >= 2
    assert all(bot["title"] == "BOT" for bot in bots)
    assert all(bot["id"] == bot["username"].lower() for bot in bots)
    one = lichess.get("/api/bot/online", params={"nb": 1})
    assert one.text.count("\n") == 1


def test_bots_play_with_the_bot_api_and_people_with_the_board_api(
    server: LiveServer, client: httpx.Client, lichess: httpx.Client
) -> None:
    async def who(caller: AccessClaims) -> dict[str, str]:
        return {"userId": caller.user_id}

    async def bot_only(caller: BotCaller) -> dict[str, str]:
        return await who(caller)

    async def board_only(caller: BoardCaller) -> dict[str, str]:
        return await who(caller)

    # Routes of the colleague's lichess face would use these callers like this.
    router = server.app.router
    router.add_api_route("/test/bot", bot_only, route_class_override=LichessRoute)
    router.add_api_route("/test/board", board_only, route_class_override=LichessRoute)

    bot, bot_token = person(client, "bot:play", "board:play")
    lichess.post("/api/bot/account/upgrade", headers=auth(bot_token))
    human, human_token = person(client, "bot:play", "board:play")
    _, no_scope = person(client)
    assert lichess.get("/test/bot", headers=auth(bot_token)).json() == {"userId": bot["userId"]}
    assert lichess.get("/test/board", headers=auth(human_token)).json() == {
        "userId": human["userId"]
    }
    lichess_error(
        lichess.get("/test/bot", headers=auth(human_token)),
        400,
        "This endpoint can only be used with a Bot account.",
    )
    lichess_error(
        lichess.get("/test/board", headers=auth(bot_token)),
        400,
        "This endpoint cannot be used with a Bot account.",
    )
    lichess_error(lichess.get("/test/board", headers=auth(no_scope)), 403, "Missing scope")


def test_berserk_drives_the_account_routes_unchanged(
    server: LiveServer, client: httpx.Client
) -> None:
    session, token = person(client, "bot:play")
    lichess = berserk.Client(session=berserk.TokenSession(token), base_url=server.url)
    assert lichess.account.get()["id"] == session["username"].lower()
    assert lichess.oauth.test_tokens(token)[token]["scopes"] == "bot:play"
    lichess.account.upgrade_to_bot()
    assert lichess.account.get()["title"] == "BOT"
    assert session["username"] in {bot["username"] for bot in lichess.bots.get_online_bots()}
    public = lichess.users.get_public_data(session["username"])
    assert public["title"] == "BOT"
    [status] = lichess.users.get_realtime_statuses(session["username"])
    assert status["online"] is True

    played, played_token = person(client, "bot:play")
    create_battle(client, played, "chess", {"type": "human"}, {"type": "ai"})
    other = berserk.Client(session=berserk.TokenSession(played_token), base_url=server.url)
    with pytest.raises(berserk.exceptions.ResponseError) as refused:
        other.account.upgrade_to_bot()
    assert refused.value.status_code == 400
    assert HAS_PLAYED in str(refused.value)


def test_a_play_token_streams_events_and_answers_challenges(
    client: httpx.Client, lichess: httpx.Client
) -> None:
    """lichess lists bot:play and board:play beside challenge:read/write on the event
    stream and the challenge routes: any one of them will do (lichess-bot's token has
    bot:play alone)."""
    bot, bot_token = person(client, "bot:play")
    assert lichess.post("/api/bot/account/upgrade", headers=auth(bot_token)).status_code == 200
    _, board_token = person(client, "board:play")
    _, no_scope = person(client)
    for token in (bot_token, board_token):
        with lichess.stream("GET", "/api/stream/event", headers=auth(token)) as events:
            assert events.status_code == 200
    refused = lichess.get("/api/stream/event", headers=auth(no_scope))
    lichess_error(refused, 403, "Missing scope")
    lichess_error(lichess.post(f"/api/challenge/{bot['username']}", headers=auth(no_scope)), 403)

    challenger = register(client)
    made = lichess.post(
        f"/api/challenge/{bot['username']}",
        data={"clock.limit": "180", "clock.increment": "0"},
        headers=bearer(challenger),
    )
    assert made.status_code == 200, made.text
    game_id = made.json()["id"]
    accepted = lichess.post(f"/api/challenge/{game_id}/accept", headers=auth(bot_token))
    assert accepted.status_code == 200, accepted.text

    # The game's seats carry the players' names and blitz ratings, as the arena's do.
    seats = client.get(f"/battles/{game_id}").json()["players"]
    assert sorted(s["username"] for s in seats) == sorted([bot["username"], challenger["username"]])
    assert [s["rating"] for s in seats] == [1500, 1500]

    # lichess's links to a game lead to its page.
    for path in (f"/{game_id}", f"/{game_id}/white", f"/{game_id}/black"):
        link = lichess.get(path)
        assert (link.status_code, link.headers["location"]) == (302, f"/game/{game_id}")
    assert lichess.get(f"/{game_id}/grey").status_code == 404
