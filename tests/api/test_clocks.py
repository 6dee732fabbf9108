"""Time controls over HTTP: every view shows the clock, the server's clock flags a side
whose time runs out, and the result counts in its speed's rating."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import get_args

from gambit.api.schemas.battles import Days, Speed
from gambit.games.clock import DAYS_CHOICES, SPEEDS
from tests.conftest import LiveServer
from tests.helpers import act, assert_error, bearer, create_battle, register

HUMAN = {"type": "human"}


def test_a_side_whose_clock_runs_out_loses_by_the_servers_clock(
    start_server: Callable[..., LiveServer],
) -> None:
    live = start_server()
    with live.client() as client:
        alice, bob = register(client), register(client)
        clock = {"limit": 1, "increment": 0}
        battle = create_battle(client, alice, "chess", HUMAN, HUMAN, clock=clock)
        assert battle["options"]["clock"] == clock
        assert battle["state"]["clock"]["remaining"] == [1000, 1000]
        client.post(f"/battles/{battle['id']}/join", headers=bearer(bob))
        act(client, alice, battle["id"], {"type": "move", "move": "e2e4"})
        act(client, bob, battle["id"], {"type": "move", "move": "e7e5"})
        shown = client.get(f"/battles/{battle['id']}").json()["state"]["clock"]
        assert shown["limit"] == 1
        assert shown["increment"] == 0
        assert shown["days"] is None
        assert shown["running"] == 0  # white's time runs once both have moved
        assert shown["remaining"] == [1000, 1000]
        face = client.get(f"/games/{battle['id']}").json()["clock"]  # the chess face
        assert (face["remaining"], face["running"], face["at"]) == (
            shown["remaining"],
            shown["running"],
            shown["at"],
        )
        deadline = time.monotonic() + 15
        while (ended := client.get(f"/battles/{battle['id']}").json())["status"] != "FINISHED":
            assert time.monotonic() < deadline, ended
            time.sleep(0.1)
        assert ended["state"]["result"] == {"winners": [bob["userId"]], "reason": "timeout"}
        assert ended["state"]["clock"]["remaining"][0] == 0
        assert ended["state"]["clock"]["running"] is None

        stats = client.get(f"/users/{bob['userId']}/stats").json()
        assert stats["speeds"]["chess"]["ultraBullet"]["wins"] == 1
        assert stats["games"]["chess"]["played"] == 0  # untimed, as before
        assert stats["total"]["wins"] == 1
        board = client.get("/leaderboard/chess", params={"speed": "ultraBullet"}).json()
        assert board["speed"] == "ultraBullet"
        assert [p["userId"] for p in board["players"]] == [bob["userId"], alice["userId"]]
        assert client.get("/leaderboard/chess").json()["players"] == []


def test_a_battle_has_one_kind_of_time_limit(start_server: Callable[..., LiveServer]) -> None:
    live = start_server()
    with live.client() as client:
        alice = register(client)
        for options in (
            {"clock": {"limit": 60}, "turnSeconds": 30},
            {"clock": {"limit": 60}, "days": 1},
        ):
            body = {"game": "chess", "seats": [HUMAN, HUMAN], "options": options}
            refused = client.post("/battles", json=body, headers=bearer(alice))
            assert_error(refused, 400, "INVALID_REQUEST")
            assert "only one of turnSeconds, clock, days" in refused.text
        for out_of_range in ({"clock": {"limit": 0}}, {"clock": {"limit": 10801}}, {"days": 4}):
            body = {"game": "chess", "seats": [HUMAN, HUMAN], "options": out_of_range}
            assert client.post("/battles", json=body, headers=bearer(alice)).status_code == 400


def test_the_api_names_the_speeds_and_days_the_rules_know() -> None:
    assert get_args(Speed) == SPEEDS
    assert get_args(Days) == DAYS_CHOICES
