"""Bots in tournaments, as bot authors run them: accounts upgraded to BOT that play every
game the event stream announces, through lichess's Bot API (berserk), with no idea they
are in a tournament, and that connect again when the server goes away, as lichess-bot
does. A Swiss of four bots and two engines and an SPRT match of two bots, run at once,
survive a server killed half-way and started again on the same database."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import berserk
import chess
import httpx
import requests

from tests.api.test_tournaments import create, engine, finished, start, wait_for
from tests.conftest import ServerProcess
from tests.helpers import register

MAX_PLIES = 60  # then a bot resigns: random play is long
OFFLINE = (requests.exceptions.RequestException, berserk.exceptions.ApiError)
"""What a bot's calls raise while the server is down or starting again."""


class RandomBot:
    """A BOT account that plays a random legal move in every game it is given."""

    def __init__(self, url: str, http: httpx.Client, seed: int) -> None:
        session = register(http)
        self.user_id: str = session["userId"]
        self.client = berserk.Client(berserk.TokenSession(session["token"]), base_url=url)
        self.client.account.upgrade_to_bot()
        self.name = str(self.client.account.get()["id"])
        self.rng = random.Random(seed)
        self.games: set[str] = set()
        self._playing: set[str] = set()
        self._lock = threading.Lock()
        self.stopped = threading.Event()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        while not self.stopped.is_set():
            try:
                for event in self.client.bots.stream_incoming_events():
                    if event["type"] == "gameStart":
                        self._start(str(event["game"]["gameId"]))
            except OFFLINE:
                time.sleep(0.2)  # connect again; the stream announces games in progress first

    def _start(self, game_id: str) -> None:
        with self._lock:
            if game_id in self._playing:
                return
            self._playing.add(game_id)
            self.games.add(game_id)
        threading.Thread(target=self._play, args=(game_id,), daemon=True).start()

    def _play(self, game_id: str) -> None:
        try:
            self._play_out(game_id)
        except OFFLINE:
            pass  # the server went away: the event stream announces the game again
        finally:
            with self._lock:
                self._playing.discard(game_id)

    def _play_out(self, game_id: str) -> None:
        states: Iterator[dict[str, Any]] = self.client.bots.stream_game_state(game_id)
        full = next(states)
        me = chess.WHITE if full["white"].get("id") == self.name else chess.BLACK
        start_fen = full["initialFen"]
        state = full["state"]
        while state["status"] == "started":
            board = chess.Board(None if start_fen == "startpos" else start_fen)
            plies = state["moves"].split()
            for move in plies:
                board.push_uci(move)
            if board.turn == me:
                try:
                    if len(plies) >= MAX_PLIES:
                        self.client.bots.resign_game(game_id)
                    else:
                        move = self.rng.choice(list(board.legal_moves)).uci()
                        self.client.bots.make_move(game_id, move)
                except berserk.exceptions.ResponseError:
                    pass  # the game ended meanwhile (flag, adjudication): the stream says so
            state = next(s for s in states if s["type"] == "gameState")


def test_a_swiss_and_an_sprt_match_of_bots_survive_a_restart(
    spawn_server: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
    bots: list[RandomBot] = []
    try:
        first = spawn_server(database)
        with first.client() as client:
            organiser = register(client)
            bots += [RandomBot(first.url, client, seed) for seed in range(6)]
            swiss = create(
                client,
                organiser,
                format="swiss",
                rounds=3,
                gamesPerPairing=2,
                concurrency=6,
                timeControl={"limit": 30, "increment": 0},
                participants=[engine(0, 20), engine(2, 20)]
                + [{"userId": b.user_id} for b in bots[:4]],
            )
            match = create(
                client,
                organiser,
                format="match",
                gamesPerPairing=4,
                concurrency=2,
                timeControl={"limit": 30, "increment": 0},
                participants=[{"userId": b.user_id} for b in bots[4:]],
                sprt={"elo0": 0, "elo1": 10, "alpha": 0.05, "beta": 0.05},
            )
            for tournament in (swiss, match):
                start(client, organiser, tournament["id"])
            # Half-way: the Swiss's first round played, its second begun; the match's first pair.
            wait_for(client, swiss["id"], lambda t: t["progress"]["played"] >= 6, timeout=120)
            wait_for(client, match["id"], lambda t: t["progress"]["played"] >= 2, timeout=60)

        first.kill()  # games in play, the rest to come; nothing said to anyone
        second = spawn_server(database, port=first.port)
        with second.client() as client:
            swiss_done = wait_for(client, swiss["id"], finished, timeout=180)
            match_done = wait_for(client, match["id"], finished, timeout=60)
            pgn = client.get(f"/tournaments/{swiss['id']}/pgn").text
    finally:
        for bot in bots:
            bot.stopped.set()

    # The Swiss: 3 rounds of 3 pairings, 2 games each, no pairing twice.
    assert swiss_done["progress"] == {"played": 18, "running": 0, "total": 18}
    assert sum(row["games"] for row in swiss_done["standings"]) == 36
    assert sum(row["points"] for row in swiss_done["standings"]) == 18
    assert all(r["eloLow"] <= r["elo"] <= r["eloHigh"] for r in swiss_done["standings"])
    met = [frozenset(game["seats"]) for game in swiss_done["games"]]
    assert all(met.count(pair) == 2 for pair in met)
    assert len({game["battleId"] for game in swiss_done["games"]}) == 18
    assert sum(len(b.games) for b in bots[:4]) == 4 * 3 * 2  # every game reached its bots
    assert pgn.count("[Event ") == 18

    # The match: random against random decides nothing in its 2 pairs (the cap).
    sprt = match_done["sprt"]
    assert [step["pairs"] for step in sprt["history"]] == [1, 2]
    assert sprt["decision"] is None
    assert sprt["lower"] < sprt["llr"] < sprt["upper"]
    assert sum(match_done["pentanomial"][match_done["participants"][0]["id"]]) == 2
    assert sum(len(b.games) for b in bots[4:]) == 2 * 4
