"""Adjudication over HTTP: engines of very different strength end by the resign rule
before mate, equal ones by the draw rule; the reason shows in the tournament's games, the
battle's result and the PGN."""

from __future__ import annotations

import io
from typing import Any

import chess
import chess.pgn
import httpx
import pytest

from gambit.ai import mate_as_score
from tests.api.test_tournaments import create, engine, finished, start, wait_for
from tests.helpers import assert_error, bearer, register


@pytest.fixture(scope="module")
def backend() -> str:
    """Engines' whole games, on SQLite only, as in test_tournaments."""
    return "sqlite"


def adjudicated(done: Any) -> list[Any]:
    return [g for g in done["games"] if g["result"]["reason"] == "adjudication"]


def test_a_lost_game_is_resigned_for_the_weaker_engine(client: httpx.Client) -> None:
    organiser = register(client)
    created = create(
        client,
        organiser,
        format="round-robin",
        participants=[engine(0), engine(20)],
        gamesPerPairing=4,
        concurrency=2,
        adjudication={"resign": {"score": 600, "moves": 3}},
    )
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished, timeout=120)
    ended = adjudicated(done)
    assert ended, [g["result"] for g in done["games"]]
    for game in ended:
        strong = game["seats"].index("p2")
        assert game["result"]["points"][strong] == 1  # the level-20 engine won
        battle = client.get(f"/battles/{game['battleId']}").json()
        state = battle["state"]
        assert state["result"]["reason"] == "adjudication"
        assert state["result"]["winners"] == [battle["players"][strong]["id"]]
        assert not chess.Board(state["fen"]).is_game_over()  # before mate
        assert len(state["moves"]) >= 6  # three moves of each engine at least
        # The last move's score is its mover's own view: the winner sees a won game,
        # the loser a lost one.
        last = client.get(f"/games/{game['battleId']}").json()["lastMove"]
        mover = 0 if last["playerColor"] == "w" else 1
        seen = mate_as_score(last["mate"]) if "mate" in last else last["score"]
        assert seen >= 600 if mover == strong else seen <= -600

    records = []
    stream = io.StringIO(client.get(f"/tournaments/{created['id']}/pgn").text)
    while (record := chess.pgn.read_game(stream)) is not None:
        records.append(record)
    assert sum(r.headers.get("Termination") == "adjudication" for r in records) == len(ended)


def test_a_quiet_game_is_drawn_after_the_move_number(client: httpx.Client) -> None:
    organiser = register(client)
    created = create(
        client,
        organiser,
        format="round-robin",
        participants=[engine(20), engine(20)],
        gamesPerPairing=2,
        concurrency=2,
        adjudication={"draw": {"score": 150, "moves": 2, "after": 5}},
    )
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished, timeout=120)
    ended = adjudicated(done)
    assert ended, [g["result"] for g in done["games"]]
    for game in ended:
        assert game["result"]["points"] == [0.5, 0.5]
        state = client.get(f"/battles/{game['battleId']}").json()["state"]
        assert state["result"] == {"winners": [], "reason": "adjudication"}
        assert len(state["moves"]) >= 10  # five full moves at least

    duel = client.post(
        "/tournaments",
        json={
            "name": "x",
            "game": "duel",
            "format": "round-robin",
            "adjudication": {"resign": {"score": 600, "moves": 3}},
        },
        headers=bearer(organiser),
    )
    assert_error(duel, 400, "INVALID_REQUEST", "chess")
