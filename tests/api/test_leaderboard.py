"""Lists that come from indexed queries: a user's battles page by page, and leaderboards."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import LiveServer
from tests.helpers import FOOLS_MATE, act, assert_error, bearer, create_battle, register

HUMAN = {"type": "human"}


def test_the_leaderboard_ranks_by_rating_and_pages(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server()
    with live.client() as client:
        winner, loser, idle = register(client), register(client), register(client)
        for _ in range(2):
            battle = create_battle(client, loser, "chess", HUMAN, HUMAN)
            client.post(f"/battles/{battle['id']}/join", headers=bearer(winner))
            for ply, move in enumerate(FOOLS_MATE):
                mover = loser if ply % 2 == 0 else winner
                act(client, mover, battle["id"], {"type": "move", "move": move})

        board = client.get("/leaderboard/chess").json()
        assert [p["userId"] for p in board["players"]] == [winner["userId"], loser["userId"]]
        assert idle["userId"] not in {p["userId"] for p in board["players"]}  # never played
        top = board["players"][0]
        assert (top["rank"], top["username"], top["wins"], top["played"]) == (
            1,
            winner["username"],
            2,
            2,
        )
        assert top["rating"] > 1500 > board["players"][1]["rating"]
        assert board["nextOffset"] is None

        first = client.get("/leaderboard/chess", params={"limit": 1}).json()
        assert [p["rank"] for p in first["players"]] == [1]
        second = client.get(
            "/leaderboard/chess", params={"limit": 1, "offset": first["nextOffset"]}
        ).json()
        assert [(p["rank"], p["userId"]) for p in second["players"]] == [(2, loser["userId"])]
        assert client.get("/leaderboard/duel").json()["players"] == []
        assert_error(client.get("/leaderboard/go"), 400, "INVALID_REQUEST")
        assert_error(client.get("/leaderboard/chess", params={"limit": 0}), 400, "INVALID_REQUEST")


def test_a_users_battles_page_newest_first(start_server: Callable[..., LiveServer]) -> None:
    live = start_server()
    with live.client() as client:
        alice, bob = register(client), register(client)
        made = [create_battle(client, alice, "duel", HUMAN, HUMAN)["id"] for _ in range(2)]
        made.append(create_battle(client, bob, "chess", HUMAN, HUMAN)["id"])
        client.post(f"/battles/{made[2]}/join", headers=bearer(alice))

        seen: list[str] = []
        cursor = None
        while True:
            params = {"userId": alice["userId"], "limit": 2} | (
                {"cursor": cursor} if cursor else {}
            )
            page = client.get("/battles", params=params).json()
            seen += [battle["id"] for battle in page["battles"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
        assert seen == made[::-1]
        bobs = client.get("/battles", params={"userId": bob["userId"]}).json()["battles"]
        assert [battle["id"] for battle in bobs] == [made[2]]
        waiting = client.get("/battles", params={"status": "WAITING", "game": "duel"}).json()
        assert [battle["id"] for battle in waiting["battles"]] == made[1::-1]
        state = client.get("/state", headers=bearer(alice)).json()
        assert state["battleId"] == made[2]  # her battle in play
