"""The example duel bot (examples/duel_bot.py) plays whole duels over the socket with a
personal API token: against gambit's AI, through a dropped connection, and against
itself through an open battle and a join."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.helpers import bearer, register

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "duel_bot.py"
FAST_AI = ["--level", "0", "--search-time", "100"]
SHORT_DUEL = ["--size", "5", "--max-rounds", "40"]


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("duel_bot", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["duel_bot"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    import duel_bot  # examples/ is on mypy's path
else:
    duel_bot = _load_example()


@pytest.fixture(scope="module")
def backend() -> str:
    """The bot talks to the API, not the database; one backend is enough."""
    return "sqlite"


def bot_token(client: httpx.Client) -> tuple[str, str]:
    """A new user's personal API token, and the user's id."""
    me = register(client)
    body = {"description": "duel bot", "scopes": ["bot:play"]}
    made = client.post("/account/tokens", json=body, headers=bearer(me))
    assert made.status_code == 201, made.text
    return made.json()["token"], me["userId"]


def assert_finished_as_told(client: httpx.Client, result: dict[str, Any], me: str) -> None:
    """The server agrees on the end, and took every action the bot sent."""
    battle = client.get(f"/battles/{result['battleId']}").json()
    assert battle["status"] == "FINISHED"
    assert battle["state"]["result"]["winners"] == result["winners"]
    assert battle["state"]["result"]["reason"] == result["reason"]
    replay = client.get(f"/state/replay/{result['battleId']}").json()
    mine = [step for step in replay["actions"] if step["playerId"] == me]
    assert len(mine) == result["actions"] > 0


def test_the_bot_plays_a_duel_against_the_ai_to_the_end(
    server: LiveServer, client: httpx.Client
) -> None:
    token, me = bot_token(client)
    command = [sys.executable, str(EXAMPLE), "--server", server.url, "--token", token]
    done = subprocess.run(
        [*command, *FAST_AI, *SHORT_DUEL, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["result"] in ("won", "lost", "draw")
    assert result["reason"]
    assert result["errors"] == []  # every action it sent was legal and in time
    assert result["resumes"] == []
    assert_finished_as_told(client, result, me)


class DroppingBot(duel_bot.DuelBot):
    """Loses its connection (no close handshake) right after its third action lands."""

    dropped = False

    async def handle(self, event: dict[str, Any]) -> None:
        await super().handle(event)
        data = event["data"]
        if (
            not self.dropped
            and event["event"] == "game:action"
            and data["playerId"] == self.user_id
            and self.actions == 3
        ):
            self.dropped = True
            assert self.connection is not None
            self.connection.transport.abort()


def test_the_bot_resumes_after_its_connection_is_cut(
    server: LiveServer, client: httpx.Client
) -> None:
    token, me = bot_token(client)
    args = duel_bot.arguments(["--server", server.url, "--token", token, *FAST_AI, *SHORT_DUEL])
    outcome = asyncio.run(asyncio.wait_for(duel_bot.main(args, DroppingBot), 120))
    result = outcome.to_json()
    # The AI played on while the bot was away; the resume replayed what it missed.
    assert result["resumes"] == [True]
    assert result["actions"] > 3  # and it played on
    assert result["errors"] == []
    assert result["result"] in ("won", "lost", "draw")
    assert_finished_as_told(client, result, me)


def test_two_bots_meet_through_an_open_battle(server: LiveServer, client: httpx.Client) -> None:
    (host_token, host), (guest_token, guest) = bot_token(client), bot_token(client)

    async def run() -> tuple[Any, Any]:
        async with (
            duel_bot.DuelBot(server.url, host_token) as first,
            duel_bot.DuelBot(server.url, guest_token) as second,
        ):
            battle_id = await first.open_battle(2, {"size": 5, "maxRounds": 30})
            await second.join(battle_id)
            return await asyncio.gather(first.play(battle_id), second.play(battle_id))

    first, second = asyncio.run(asyncio.wait_for(run(), 120))
    assert first.winners == second.winners
    assert {first.verdict, second.verdict} in ({"won", "lost"}, {"draw"})
    assert first.errors == second.errors == []
    assert_finished_as_told(client, first.to_json(), host)
    assert_finished_as_told(client, second.to_json(), guest)
