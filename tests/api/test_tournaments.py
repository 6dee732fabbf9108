"""Tournaments over HTTP: engines play round-robins and matches to the end; Swiss pairs
users without rematches; the errors of the contract.

On SQLite only: engines playing whole games take most of these tests' time, and the
runner's writes on PostgreSQL are proven where two processes share one
(tests/api/test_tournament_restarts.py).
"""

from __future__ import annotations

import asyncio
import io
import random
import time
from collections.abc import Callable
from typing import Any

import chess.pgn
import httpx
import pytest

from tests.conftest import LiveServer
from tests.helpers import act, assert_error, bearer, register, run_sql
from tests.ws import open_socket

RANDOM_PLIES = 12


@pytest.fixture(scope="module")
def backend() -> str:
    return "sqlite"


QUICK = {"limit": 5, "increment": 0}  # engines moving every 50 ms lose on time, if ever


def engine(level: int, search_time: int = 50) -> dict[str, Any]:
    return {"engine": "stockfish", "level": level, "searchTime": search_time}


def create(client: httpx.Client, session: Any, **body: Any) -> Any:
    body = {"name": "test", "game": "chess", "concurrency": 2} | body
    response = client.post("/tournaments", json=body, headers=bearer(session))
    assert response.status_code == 201, response.text
    return response.json()


def start(client: httpx.Client, session: Any, tournament_id: str) -> Any:
    response = client.post(f"/tournaments/{tournament_id}/start", headers=bearer(session))
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(
    client: httpx.Client,
    tournament_id: str,
    done: Callable[[Any], bool],
    timeout: float = 60,
    each: Callable[[Any], None] | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tournament = client.get(f"/tournaments/{tournament_id}").json()
        if done(tournament):
            return tournament
        if each is not None:
            each(tournament)
        time.sleep(0.2)
    raise AssertionError(f"tournament not done after {timeout} s: {tournament}")


def finished(tournament: Any) -> bool:
    return bool(tournament["status"] == "finished")


def test_a_round_robin_of_three_engines_runs_to_the_end(client: httpx.Client) -> None:
    organiser = register(client)
    created = create(
        client,
        organiser,
        format="round-robin",
        participants=[engine(0), engine(5), engine(10)],
        gamesPerPairing=2,
        concurrency=3,
    )
    assert created["status"] == "open"
    assert created["progress"]["total"] == 6
    assert [p["id"] for p in created["participants"]] == ["p1", "p2", "p3"]
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished, timeout=120)
    assert done["progress"] == {"played": 6, "running": 0, "total": 6}
    assert sum(row["points"] for row in done["standings"]) == 6
    assert all(row["games"] == 4 for row in done["standings"])
    assert done["crosstable"]["p1"]["p2"]["games"] == 2
    anchor = next(r for r in done["standings"] if r["participantId"] == "p1")
    assert anchor["elo"] == 0  # the first engine is the anchor
    for row in done["standings"]:
        assert row["eloLow"] <= row["elo"] <= row["eloHigh"]
    assert 0 <= done["los"]["p3"]["p1"] <= 1
    assert sum(done["pentanomial"]["p1"]) == 2  # two pairs, one per opponent
    for game in done["games"]:
        assert game["status"] == "finished"
        assert game["battleId"]
        assert sum(game["result"]["points"]) == 1
    # The two games of a pair: one opening, colours swapped.
    by_pair: dict[int, list[Any]] = {}
    for game in done["games"]:
        by_pair.setdefault(game["pair"], []).append(game)
    for one, two in by_pair.values():
        assert one["opening"] == two["opening"]
        assert one["seats"] == two["seats"][::-1]

    pgn = client.get(f"/tournaments/{created['id']}/pgn")
    assert pgn.status_code == 200
    assert pgn.headers["content-type"].startswith("application/x-chess-pgn")
    games = []
    stream = io.StringIO(pgn.text)
    while (game := chess.pgn.read_game(stream)) is not None:
        games.append(game)
    assert len(games) == 6
    assert games[0].headers["Event"] == "test"

    exported = client.get(f"/tournaments/{created['id']}/results")
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.json()["standings"] == done["standings"]
    listed = client.get("/tournaments", params={"status": "finished"}).json()
    assert any(t["id"] == created["id"] and t["played"] == 6 for t in listed["tournaments"])


def test_a_started_tournament_with_nothing_scheduled_is_scheduled(
    server: LiveServer, client: httpx.Client
) -> None:
    # What a process stopped between committing the start and scheduling leaves behind,
    # and what the runner of another process saw while a long schedule was being written:
    # it once took such a tournament for played out and finished it with no games.
    organiser = register(client)
    created = create(
        client,
        organiser,
        format="round-robin",
        participants=[engine(0, 20), engine(1, 20)],
        gamesPerPairing=4,
        timeControl=QUICK,
    )
    run_sql(
        server.settings.database_url,
        "UPDATE tournaments SET status = 'running', started_at = 1 WHERE id = :id",
        {"id": created["id"]},
    )
    done = wait_for(client, created["id"], finished)
    assert done["progress"] == {"played": 4, "running": 0, "total": 4}


def test_an_sprt_match_stops_as_soon_as_it_decides(client: httpx.Client) -> None:
    organiser = register(client)
    created = create(
        client,
        organiser,
        format="match",
        participants=[engine(20, 50), engine(0, 50)],
        gamesPerPairing=40,
        concurrency=2,
        sprt={"elo0": 0, "elo1": 200, "alpha": 0.05, "beta": 0.05},
    )
    assert created["sprt"]["upper"] == 2.944
    assert created["progress"]["total"] is None
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished, timeout=120)
    sprt = done["sprt"]
    assert sprt["decision"] == "H1", sprt
    assert sprt["llr"] >= sprt["upper"]
    assert len(sprt["history"]) < 20  # stopped well before the cap of 20 pairs
    assert done["progress"]["played"] < 40
    assert [h["pairs"] for h in sprt["history"]] == list(range(1, len(sprt["history"]) + 1))


def play_randomly(client: httpx.Client, sessions: dict[str, Any], battle_ids: set[str]) -> None:
    """The user to move in each running game makes a random legal move; after
    `RANDOM_PLIES` they give up, so that games between people end quickly."""
    for battle_id in list(battle_ids):
        battle = client.get(f"/battles/{battle_id}").json()
        session = sessions.get(battle["state"]["currentTurn"])
        if battle["status"] == "FINISHED":
            battle_ids.discard(battle_id)
        elif session is not None and len(battle["state"]["moves"]) >= RANDOM_PLIES:
            client.post(f"/battles/{battle_id}/forfeit", headers=bearer(session))
        elif session is not None:
            mine = client.get(f"/battles/{battle_id}", headers=bearer(session)).json()
            if mine["legalActions"]:
                act(client, session, battle_id, random.choice(mine["legalActions"]))


def test_a_swiss_of_users_and_engines_pairs_no_one_twice(client: httpx.Client) -> None:
    organiser = register(client)
    sessions: dict[str, Any] = {}
    for _ in range(2):
        session = register(client)
        sessions[session["userId"]] = session
    created = create(
        client,
        organiser,
        format="swiss",
        rounds=3,
        gamesPerPairing=2,
        concurrency=6,
        timeControl=QUICK,
        participants=[engine(0), engine(3)] + [{"userId": u} for u in sessions],
    )
    # Two more join before it starts.
    for _ in range(2):
        session = register(client)
        sessions[session["userId"]] = session
        joined = client.post(f"/tournaments/{created['id']}/join", headers=bearer(session))
        assert joined.status_code == 200, joined.text
    assert len(joined.json()["participants"]) == 6
    start(client, organiser, created["id"])
    running: set[str] = set()

    def each(tournament: Any) -> None:
        for game in tournament["games"]:
            if game["status"] == "running":
                running.add(game["battleId"])
        play_randomly(client, sessions, running)

    done = wait_for(client, created["id"], finished, timeout=120, each=each)
    assert done["progress"]["played"] == 3 * 3 * 2
    met = {(game["round"], frozenset(game["seats"])) for game in done["games"]}
    pairs = [seats for _, seats in met]
    assert len(pairs) == len(set(pairs)) == 9  # 3 rounds x 3 pairings, no rematch
    assert {g["round"] for g in done["games"]} == {1, 2, 3}
    assert all(row["games"] == 6 for row in done["standings"])


def test_the_errors_of_the_contract(server: LiveServer, client: httpx.Client) -> None:
    alice, bob = register(client), register(client)
    bad = client.post(
        "/tournaments",
        json={"name": "x", "game": "chess", "format": "round-robin", "gamesPerPairing": 3},
        headers=bearer(alice),
    )
    assert_error(bad, 400, "INVALID_REQUEST", "even")
    duel_engine = client.post(
        "/tournaments",
        json={"name": "x", "game": "duel", "format": "gauntlet", "participants": [engine(1)]},
        headers=bearer(alice),
    )
    assert_error(duel_engine, 400, "INVALID_REQUEST", "duel-ai")
    no_sprt = client.post(
        "/tournaments",
        json={"name": "x", "game": "chess", "format": "match"},
        headers=bearer(alice),
    )
    assert_error(no_sprt, 400, "INVALID_REQUEST", "sprt")
    anonymous = client.post("/tournaments", json={"name": "x", "game": "chess", "format": "swiss"})
    assert_error(anonymous, 401, "UNAUTHORIZED")
    assert_error(client.get("/tournaments/nope"), 404, "NOT_FOUND")

    created = create(client, alice, format="round-robin", participants=[engine(0)])
    tid = created["id"]
    assert_error(client.post(f"/tournaments/{tid}/start", headers=bearer(bob)), 403, "FORBIDDEN")
    too_few = client.post(f"/tournaments/{tid}/start", headers=bearer(alice))
    assert_error(too_few, 409, "CONFLICT", "at least 2")
    assert client.post(f"/tournaments/{tid}/join", headers=bearer(bob)).status_code == 200
    again = client.post(f"/tournaments/{tid}/join", headers=bearer(bob))
    assert_error(again, 409, "CONFLICT", "already")
    paused = client.post(f"/tournaments/{tid}/pause", headers=bearer(alice))
    assert_error(paused, 409, "CONFLICT")
    canceled = client.post(f"/tournaments/{tid}/cancel", headers=bearer(alice))
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    late = client.post(f"/tournaments/{tid}/join", headers=bearer(register(client)))
    assert_error(late, 409, "CONFLICT", "open")
    engines = client.get("/engines").json()["engines"]
    assert all(e["eloLow"] <= e["elo"] <= e["eloHigh"] for e in engines)
    # Each game's engine, calibrated at five levels or more, as a participant names it.
    by_game = {e["game"]: e["engine"] for e in engines}
    assert by_game == {"chess": "stockfish", "duel": "duel-ai"}
    assert all(sum(e["engine"] == name for e in engines) >= 5 for name in by_game.values())


def test_a_duel_gauntlet_starts_each_pair_mirrored(client: httpx.Client) -> None:
    organiser = register(client)
    duel_ai = {"engine": "duel-ai", "level": 1, "searchTime": 50}
    created = create(
        client,
        organiser,
        game="duel",
        format="gauntlet",
        participants=[duel_ai, duel_ai | {"level": 3}, duel_ai | {"level": 5}],
        adjudication={"maxRounds": 8},
        concurrency=4,
    )
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished)
    assert done["progress"] == {"played": 4, "running": 0, "total": 4}
    assert all(game["opening"] is None for game in done["games"])
    starts: dict[int, list[Any]] = {}
    for game in done["games"]:
        battle = client.get(f"/state/replay/{game['battleId']}").json()
        initial = battle["initialState"]["players"]
        seats = [p["id"] for p in battle["battle"]["players"]]
        starts.setdefault(game["pair"], []).append([initial[seat]["position"] for seat in seats])
        assert battle["battle"]["state"]["round"] <= 8
    for one, two in starts.values():
        assert one == two  # the same start, the participants in swapped seats
    assert client.get(f"/tournaments/{created['id']}/pgn").text == ""


def test_watchers_hear_tournament_updates(server: LiveServer, client: httpx.Client) -> None:
    organiser = register(client)
    duel_ai = {"engine": "duel-ai", "level": 1, "searchTime": 50}
    created = create(
        client,
        organiser,
        game="duel",
        format="round-robin",
        participants=[duel_ai, duel_ai],
        adjudication={"maxRounds": 3},
    )

    async def watch() -> None:
        async with open_socket(server.url) as watcher:
            await watcher.send("subscribe", {"tournamentId": created["id"]})
            await watcher.expect("subscribe", tournamentId=created["id"])
            start(client, organiser, created["id"])
            update = await watcher.expect("tournament:update", status="running")
            assert update["data"]["standings"][0]["participantId"] in ("p1", "p2")
            await watcher.expect("tournament:update", status="finished", timeout=30)
            await watcher.send("subscribe", {"tournamentId": "nope"})
            await watcher.expect("error", code="NOT_FOUND")

    asyncio.run(watch())
