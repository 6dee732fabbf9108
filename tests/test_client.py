"""gambit.client against a live server: the README's bot, and resuming after a drop."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

from gambit.client import GambitClient, GambitError, ServerEvent
from tests.conftest import LiveServer
from tests.helpers import PASSWORD


def _name() -> str:
    return "bot_" + uuid.uuid4().hex[:10]


async def play_duel(url: str) -> str:
    """The README's bot: play a duel against the AI over the socket, striking if it can."""
    async with GambitClient(url) as gambit:
        await gambit.register(_name(), PASSWORD)
        async with gambit.socket() as socket:
            battle = await gambit.create_battle(
                "duel", [{"type": "human"}, {"type": "ai", "level": 0}]
            )
            async for event in socket.events():
                if event.event == "game:end":
                    return str(event.data["reason"])
                if event.event == "error":
                    await asyncio.sleep(2)
                elif event.event != "game:update" or event.data["currentTurn"] != gambit.user_id:
                    continue
                if legal := (await gambit.battle(battle["id"]))["legalActions"]:
                    strike = max(legal, key=lambda a: a["type"] in ("attack", "bolt"))
                    await socket.act(battle["id"], strike)
    raise AssertionError("the socket closed before the end")


def test_the_readme_bot_plays_a_duel_to_the_end(start_server: Callable[..., LiveServer]) -> None:
    server = start_server()
    reason = asyncio.run(asyncio.wait_for(play_duel(server.url), 120))
    assert reason


def test_rest_errors_are_raised_with_their_code(start_server: Callable[..., LiveServer]) -> None:
    server = start_server()

    async def run() -> None:
        async with GambitClient(server.url) as gambit:
            with pytest.raises(GambitError) as refused:
                await gambit.create_battle("duel", [{"type": "human"}, {"type": "human"}])
            assert (refused.value.status, refused.value.code) == (401, "UNAUTHORIZED")
            await gambit.register(_name(), PASSWORD)
            battle = await gambit.create_battle("duel", [{"type": "human"}, {"type": "human"}])
            with pytest.raises(GambitError) as conflict:
                await gambit.join(battle["id"])
            assert conflict.value.code == "CONFLICT"

    asyncio.run(run())


def test_a_dropped_socket_comes_back_and_misses_nothing(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()

    async def run() -> None:
        async with GambitClient(server.url) as alice, GambitClient(server.url) as bob:
            await alice.register(_name(), PASSWORD)
            await bob.register(_name(), PASSWORD)
            battle = await alice.create_battle("duel", [{"type": "human"}, {"type": "human"}])
            await bob.join(battle["id"])
            async with alice.socket() as socket:
                events = socket.events()
                await alice.act(battle["id"], {"type": "rest"})
                seen: list[ServerEvent] = []
                while not any(e.event == "game:update" for e in seen):
                    seen.append(await anext(events))
                # The network drops; the battle goes on meanwhile.
                assert socket._connection is not None
                socket._connection.transport.abort()
                await bob.act(battle["id"], {"type": "rest"})
                await alice.act(battle["id"], {"type": "rest"})
                while seen[-1].event != "reconnect":
                    seen.append(await asyncio.wait_for(anext(events), 10))
                # The missed events came first, then the server's word that it resumed.
                assert seen[-1].data["resumed"] is True
                session = seen
                assert [e.seq for e in session] == list(range(session[0].seq, session[-1].seq + 1))
                players = [e.data["playerId"] for e in seen if e.event == "game:action"]
                assert players == [alice.user_id, bob.user_id, alice.user_id]

    asyncio.run(asyncio.wait_for(run(), 60))
