"""Bots in tournaments, as bot authors run them: accounts upgraded to BOT that play every
game the event stream announces, through lichess's Bot API (berserk), with no idea they
are in a tournament. A Swiss of four bots and two engines, and an SPRT match of two bots."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import berserk
import chess
import httpx
import pytest

from tests.api.test_tournaments import create, engine, finished, start, wait_for
from tests.conftest import LiveServer
from tests.helpers import register

MAX_PLIES = 160  # then a bot resigns: random play is long


@pytest.fixture(scope="module")
def backend() -> str:
    """Whole games, on SQLite only, as in test_tournaments."""
    return "sqlite"


class RandomBot:
    """A BOT account that plays a random legal move in every game it is given."""

    def __init__(self, server: LiveServer, http: httpx.Client, seed: int) -> None:
        session = register(http)
        self.user_id: str = session["userId"]
        self.client = berserk.Client(berserk.TokenSession(session["token"]), base_url=server.url)
        self.client.account.upgrade_to_bot()
        self.rng = random.Random(seed)
        self.games: set[str] = set()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        for event in self.client.bots.stream_incoming_events():
            if event["type"] != "gameStart":
                continue
            game_id = str(event["game"]["gameId"])
            if game_id not in self.games:
                self.games.add(game_id)
                threading.Thread(target=self._play, args=(game_id,), daemon=True).start()

    def _play(self, game_id: str) -> None:
        states: Iterator[dict[str, Any]] = self.client.bots.stream_game_state(game_id)
        full = next(states)
        me = chess.WHITE if full["white"].get("id") == self._name() else chess.BLACK
        board = chess.Board(None if full["initialFen"] == "startpos" else full["initialFen"])
        start = board.copy()
        state = full["state"]
        while state["status"] == "started":
            board = start.copy()
            for move in state["moves"].split():
                board.push_uci(move)
            if board.turn == me:
                try:
                    if board.ply() - start.ply() >= MAX_PLIES:
                        self.client.bots.resign_game(game_id)
                    else:
                        move = self.rng.choice(list(board.legal_moves)).uci()
                        self.client.bots.make_move(game_id, move)
                except berserk.exceptions.ResponseError:
                    pass  # the game ended meanwhile (flag, adjudication): the stream says so
            state = next(s for s in states if s["type"] == "gameState")

    def _name(self) -> str:
        return str(self.client.account.get()["id"])


def test_a_swiss_of_four_bots_and_two_engines(server: LiveServer, client: httpx.Client) -> None:
    organiser = register(client)
    bots = [RandomBot(server, client, seed) for seed in range(4)]
    created = create(
        client,
        organiser,
        format="swiss",
        rounds=3,
        gamesPerPairing=2,
        concurrency=6,
        timeControl={"limit": 30, "increment": 0},
        participants=[engine(0), engine(2)] + [{"userId": b.user_id} for b in bots],
    )
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished, timeout=180)
    # 3 rounds of 3 pairings, 2 games each.
    assert done["progress"]["played"] == done["progress"]["total"] == 18
    assert sum(row["games"] for row in done["standings"]) == 36
    assert all(row["eloLow"] <= row["elo"] <= row["eloHigh"] for row in done["standings"])
    met = [frozenset(game["seats"]) for game in done["games"]]
    assert all(met.count(pair) == 2 for pair in met)  # each pairing's two games, no rematch
    assert sum(len(b.games) for b in bots) == 4 * 3 * 2  # every game reached its bot's stream
    pgn = client.get(f"/tournaments/{created['id']}/pgn").text
    assert pgn.count("[Event ") == 18


def test_an_sprt_match_between_two_bots(server: LiveServer, client: httpx.Client) -> None:
    organiser = register(client)
    first, second = RandomBot(server, client, 7), RandomBot(server, client, 8)
    created = create(
        client,
        organiser,
        format="match",
        gamesPerPairing=4,
        concurrency=2,
        timeControl={"limit": 30, "increment": 0},
        participants=[{"userId": first.user_id}, {"userId": second.user_id}],
        sprt={"elo0": 0, "elo1": 10, "alpha": 0.05, "beta": 0.05},
    )
    start(client, organiser, created["id"])
    done = wait_for(client, created["id"], finished, timeout=120)
    sprt = done["sprt"]
    assert [step["pairs"] for step in sprt["history"]] == [1, 2]  # the cap: 4 games, 2 pairs
    assert sprt["decision"] is None  # random against random decides nothing in 2 pairs
    assert sprt["lower"] < sprt["llr"] < sprt["upper"]
    assert sum(done["pentanomial"][done["participants"][0]["id"]]) == 2
