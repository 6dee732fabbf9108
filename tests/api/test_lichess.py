"""lichess's Bot and Board API, driven by berserk (lichess's Python client) against a
real server, on SQLite and PostgreSQL. Signed-in users' access tokens stand in for
lichess's personal API tokens."""

from __future__ import annotations

import json
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any, cast

import berserk
import chess
import httpx
import pytest

from tests.conftest import LiveServer, database, make_settings
from tests.helpers import register

KEEPALIVE = 0.3
CLAIM_AFTER = 1.0


@pytest.fixture(scope="module")
def lichess_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with database(backend, tmp_path_factory.mktemp("db")) as url:
        live = LiveServer(
            make_settings(
                url,
                lichess_keepalive_seconds=KEEPALIVE,
                lichess_claim_victory_seconds=CLAIM_AFTER,
            )
        ).start()
        yield live
        live.stop()


class Player:
    """A signed-in user with a berserk client on the test server."""

    def __init__(self, server: LiveServer, bot: bool = False) -> None:
        with server.client() as http:
            session = register(http)
        self.name: str = session["username"]
        self.token: str = session["token"]
        self.server = server
        self.client = berserk.Client(berserk.TokenSession(self.token), base_url=server.url)
        if bot:
            self.client.account.upgrade_to_bot()

    def follow(self, stream: Iterator[dict[str, Any]]) -> Feed:
        return Feed(stream)

    def events(self) -> Feed:
        return Feed(self.client.board.stream_incoming_events())

    def game(self, game_id: str) -> Feed:
        return Feed(self.client.board.stream_game_state(game_id))


class Feed:
    """A berserk stream read in a thread of its own, so that a test can act meanwhile."""

    def __init__(self, stream: Iterator[Mapping[str, Any]]) -> None:
        self._lines: queue.Queue[Mapping[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Iterator[Mapping[str, Any]]) -> None:
        for line in stream:
            self._lines.put(line)

    def next(
        self, kind: str, where: Callable[[Mapping[str, Any]], bool] = bool, timeout: float = 20
    ) -> Mapping[str, Any]:
        """The next line of type ``kind`` that is ``where`` (the others are skipped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line.get("type") == kind and where(line):
                return line
        raise AssertionError(f"no {kind} within {timeout} s")

    def final(self) -> Mapping[str, Any]:
        """The next gameState of a game that has ended."""
        return self.next("gameState", lambda state: state["status"] != "started")


def _challenged_game(white: Player, black: Player) -> str:
    """``white`` challenges ``black``, who accepts from its event stream."""
    events = black.events()
    challenge = white.client.challenges.create(
        black.name, rated=False, clock_limit=300, clock_increment=2, color="white"
    )
    seen = events.next("challenge")["challenge"]
    assert seen["id"] == challenge["id"]
    assert seen["challenger"]["name"] == white.name
    assert seen["destUser"]["name"] == black.name
    assert seen["timeControl"] == {"type": "clock", "limit": 300, "increment": 2, "show": "5+2"}
    assert (seen["speed"], seen["finalColor"], seen["status"]) == ("blitz", "white", "created")
    black.client.challenges.accept(challenge["id"])
    started = events.next("gameStart")["game"]
    assert started["gameId"] == challenge["id"]
    assert started["color"] == "black"
    assert started["opponent"]["username"] == white.name
    return str(challenge["id"])


def test_two_users_play_a_challenged_game_to_mate(lichess_server: LiveServer) -> None:
    white, black = Player(lichess_server), Player(lichess_server)
    white_events = white.events()
    game_id = _challenged_game(white, black)
    assert white_events.next("gameStart")["game"]["isMyTurn"] is True

    white_game, black_game = white.game(game_id), black.game(game_id)
    full = white_game.next("gameFull")
    assert full["id"] == game_id
    assert full["white"]["name"] == white.name
    assert full["black"]["name"] == black.name
    assert full["clock"] == {"initial": 300_000, "increment": 2_000}
    assert (full["speed"], full["rated"], full["initialFen"]) == ("blitz", False, "startpos")
    assert full["variant"]["key"] == "standard"
    assert full["state"]["moves"] == ""
    assert full["state"]["status"] == "started"
    black_game.next("gameFull")

    for mover, move in zip((white, black) * 2, ("f2f3", "e7e5", "g2g4", "d8h4"), strict=True):
        mover.client.board.make_move(game_id, move)
    states = [white_game.next("gameState") for _ in range(4)]
    assert states[-1]["moves"] == "f2f3 e7e5 g2g4 d8h4"
    assert (states[-1]["status"], states[-1]["winner"]) == ("mate", "black")
    finished = white_events.next("gameFinish")["game"]
    assert (finished["winner"], finished["status"]["name"]) == ("black", "mate")

    # An ordinary battle: the battle face shows it.
    with lichess_server.client() as http:
        battle = http.get(f"/battles/{game_id}").json()
    assert battle["game"] == "chess"
    assert battle["status"] == "FINISHED"


def test_a_user_plays_the_ai_from_its_board_stream(lichess_server: LiveServer) -> None:
    me = Player(lichess_server)
    events = me.events()
    game = me.client.challenges.create_ai(level=1, color="white")
    assert (game["player"], game["source"], game["status"]["name"]) == ("white", "ai", "started")
    started = events.next("gameStart")["game"]
    assert started["opponent"] == {"id": None, "username": "Stockfish level 1", "ai": 1}
    stream = me.game(game["id"])
    full = stream.next("gameFull")
    assert full["black"] == {"aiLevel": 1}
    state = full["state"]
    board = chess.Board()
    plies = 0
    while state["status"] == "started" and plies < 12:
        board = chess.Board()
        for move in state["moves"].split():
            board.push_uci(move)
        if board.turn == chess.WHITE:
            me.client.board.make_move(game["id"], next(iter(board.legal_moves)).uci())
        state = stream.next("gameState")
        plies = len(state["moves"].split())
    if state["status"] == "started":
        me.client.board.resign_game(game["id"])
        state = stream.next("gameState")
        assert (state["status"], state["winner"]) == ("resign", "black")
    assert events.next("gameFinish")["game"]["gameId"] == game["id"]


def test_a_bot_accepts_an_engine_challenge_and_plays_it_out_on_the_clock(
    lichess_server: LiveServer,
) -> None:
    """A bot author puts their bot against gambit's engine: the challenge comes on the
    bot's event stream, the bot accepts and plays every move until the game ends."""
    bot, author = Player(lichess_server, bot=True), Player(lichess_server)
    events = Feed(bot.client.bots.stream_incoming_events())
    sent = httpx.post(
        f"{lichess_server.url}/api/challenge/{bot.name}",
        data={"engine": "1", "clock.limit": "60", "clock.increment": "1", "color": "white"},
        headers={"Authorization": f"Bearer {author.token}"},
    )
    assert sent.status_code == 200, sent.text
    challenge = events.next("challenge")["challenge"]
    assert challenge["challenger"] == {
        "id": "stockfish-level-1",
        "name": "Stockfish level 1",
        "title": "BOT",
    }
    assert challenge["timeControl"]["show"] == "1+1"
    bot.client.bots.accept_challenge(challenge["id"])
    assert events.next("gameStart")["game"]["color"] == "black"

    game = Feed(bot.client.bots.stream_game_state(challenge["id"]))
    full = game.next("gameFull")
    assert full["white"] == {"aiLevel": 1}
    assert full["black"]["name"] == bot.name
    assert full["clock"] == {"initial": 60_000, "increment": 1_000}
    chooser = random.Random(3)
    state = full["state"]
    while state["status"] == "started":
        board = chess.Board()
        for move in state["moves"].split():
            board.push_uci(move)
        if board.turn == chess.BLACK:
            move = chooser.choice(list(board.legal_moves)).uci()
            bot.client.bots.make_move(challenge["id"], move)
        state = game.next("gameState")
        most = timedelta(seconds=60 + len(state["moves"].split()))  # 60 s and 1 s a move
        for side in ("wtime", "btime"):  # berserk reads them as timedeltas
            assert timedelta(0) <= state[side] <= most
    assert state["status"] in ("mate", "draw", "stalemate", "outoftime")
    finished = events.next("gameFinish")["game"]
    assert finished["gameId"] == challenge["id"]
    with lichess_server.client() as http:
        battle = http.get(f"/battles/{challenge['id']}").json()
    assert battle["status"] == "FINISHED"
    assert battle["players"][1]["username"] == bot.name


def test_resign_abort_and_draw_by_agreement(lichess_server: LiveServer) -> None:
    white, black = Player(lichess_server), Player(lichess_server)
    game_id = _challenged_game(white, black)
    stream = white.game(game_id)
    stream.next("gameFull")
    white.client.board.make_move(game_id, "e2e4")
    black.client.board.abort_game(game_id)
    aborted = stream.final()
    assert aborted["status"] == "aborted"
    assert "winner" not in aborted

    game_id = _challenged_game(white, black)
    for mover, move in zip((white, black), ("e2e4", "e7e5"), strict=True):
        mover.client.board.make_move(game_id, move)
    with pytest.raises(berserk.exceptions.ResponseError) as refused:
        white.client.board.abort_game(game_id)
    assert refused.value.status_code == 400
    assert "aborted" in refused.value.cause["error"]
    stream = black.game(game_id)
    white.client.board.offer_draw(game_id)
    offered = stream.next("gameState", lambda state: "wdraw" in state)
    assert offered["wdraw"] is True
    black.client.board.accept_draw(game_id)
    drawn = stream.final()
    assert drawn["status"] == "draw"
    assert "winner" not in drawn

    game_id = _challenged_game(white, black)
    stream = black.game(game_id)
    stream.next("gameFull")
    white.client.board.resign_game(game_id)
    resigned = stream.final()
    assert (resigned["status"], resigned["winner"]) == ("resign", "black")


def test_takeback_and_chat(lichess_server: LiveServer) -> None:
    white, black = Player(lichess_server), Player(lichess_server)
    game_id = _challenged_game(white, black)
    stream = white.game(game_id)
    stream.next("gameFull")
    white.client.board.make_move(game_id, "e2e4")
    black.client.board.make_move(game_id, "e7e5")
    black.client.board.offer_takeback(game_id)
    proposed = stream.next("gameState", lambda state: "btakeback" in state)
    assert proposed["btakeback"] is True
    white.client.board.accept_takeback(game_id)
    taken = stream.next("gameState", lambda state: "btakeback" not in state)
    assert taken["moves"] == "e2e4"
    assert "btakeback" not in taken

    white.client.board.post_message(game_id, "good luck")
    line = stream.next("chatLine")
    assert line == {
        "type": "chatLine",
        "room": "player",
        "username": white.name,
        "text": "good luck",
    }
    assert black.client.board.get_game_chat(game_id) == [{"text": "good luck", "user": white.name}]


def test_claim_victory_when_the_opponent_has_gone(lichess_server: LiveServer) -> None:
    white, black = Player(lichess_server), Player(lichess_server)
    game_id = _challenged_game(white, black)
    stream = white.game(game_id)
    stream.next("gameFull")
    with httpx.stream(
        "GET",
        f"{lichess_server.url}/api/board/game/stream/{game_id}",
        headers={"Authorization": f"Bearer {black.token}"},
    ) as black_stream:
        next(black_stream.iter_lines())
    with pytest.raises(berserk.exceptions.ResponseError):
        white.client.board.claim_victory(game_id)  # too soon
    gone = stream.next("opponentGone")
    assert gone["gone"] is True
    assert 0 <= gone["claimWinInSeconds"] <= CLAIM_AFTER
    time.sleep(CLAIM_AFTER)
    white.client.board.claim_victory(game_id)
    won = stream.final()
    assert (won["status"], won["winner"]) == ("timeout", "white")


def test_a_side_whose_time_runs_out_loses_on_the_servers_clock(
    lichess_server: LiveServer,
) -> None:
    """0+1: each side starts with lichess's 3 s; white moves once, then lets it run out."""
    white, black = Player(lichess_server), Player(lichess_server)
    events = black.events()
    challenge = white.client.challenges.create(
        black.name, rated=False, clock_limit=0, clock_increment=1, color="white"
    )
    events.next("challenge")
    black.client.challenges.accept(challenge["id"])
    stream = black.game(challenge["id"])
    full = stream.next("gameFull")
    assert full["clock"] == {"initial": 0, "increment": 1_000}
    white.client.board.make_move(challenge["id"], "e2e4")
    black.client.board.make_move(challenge["id"], "e7e5")
    running = stream.next("gameState", lambda state: state["moves"] == "e2e4 e7e5")
    assert timedelta(0) < running["wtime"] <= timedelta(seconds=4)
    flagged = stream.next("gameState", lambda state: state["status"] != "started", timeout=10)
    assert (flagged["status"], flagged["winner"]) == ("outoftime", "black")
    assert flagged["wtime"] == timedelta(0)


def test_ndjson_keepalives_and_a_reconnect_gets_game_full(lichess_server: LiveServer) -> None:
    white, black = Player(lichess_server), Player(lichess_server, bot=True)
    game_id = _challenged_game(white, black)
    white.client.board.make_move(game_id, "d2d4")
    # A person plays on the board API and a bot on the bot API, as on lichess.
    wrong_apis: tuple[Callable[[], None], ...] = (
        lambda: white.client.bots.make_move(game_id, "c2c4"),
        lambda: black.client.board.make_move(game_id, "d7d5"),
    )
    for wrong in wrong_apis:
        with pytest.raises(berserk.exceptions.ResponseError) as refused:
            wrong()
        assert refused.value.status_code == 400
    url = f"{lichess_server.url}/api/bot/game/stream/{game_id}"
    headers = {"Authorization": f"Bearer {black.token}"}
    with httpx.stream("GET", url, headers=headers, timeout=10) as response:
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = response.iter_lines()
        first = json.loads(next(lines))
        assert first["type"] == "gameFull"
        assert first["state"]["moves"] == "d2d4"
        assert next(lines) == ""  # a keep-alive
    black.client.bots.make_move(game_id, "d7d5")
    white.client.board.make_move(game_id, "c2c4")
    with httpx.stream("GET", url, headers=headers, timeout=10) as response:
        again = json.loads(next(response.iter_lines()))
    assert again["type"] == "gameFull"
    assert again["state"]["moves"] == "d2d4 d7d5 c2c4"


def test_challenges_listed_declined_canceled(lichess_server: LiveServer) -> None:
    me, other = Player(lichess_server), Player(lichess_server)
    my_events = me.events()
    first = me.client.challenges.create(other.name, rated=False, days=3)
    second = me.client.challenges.create(other.name, rated=False)
    listed = other.client.challenges.get_mine()
    assert [c["id"] for c in listed["in"]] == [first["id"], second["id"]]
    assert listed["in"][0]["timeControl"] == {"type": "correspondence", "daysPerTurn": 3}
    assert listed["in"][1]["timeControl"] == {"type": "unlimited"}
    assert listed["in"][0]["direction"] == "in"
    assert me.client.challenges.get_mine()["out"][0]["direction"] == "out"
    other.client.challenges.decline(first["id"], reason="later")
    declined = my_events.next("challengeDeclined")["challenge"]
    assert (declined["id"], declined["declineReasonKey"]) == (first["id"], "later")
    other_events = other.events()
    me.client.challenges.cancel(second["id"])
    assert other_events.next("challengeCanceled")["challenge"]["id"] == second["id"]
    assert other.client.challenges.get_mine() == {"in": [], "out": []}


def test_unsupported_variant_and_unknown_user(lichess_server: LiveServer) -> None:
    me, other = Player(lichess_server), Player(lichess_server)
    with pytest.raises(berserk.exceptions.ResponseError) as refused:
        me.client.challenges.create(other.name, rated=False, variant="atomic")
    assert refused.value.status_code == 400
    assert "variant" in refused.value.cause["error"]
    with pytest.raises(berserk.exceptions.ResponseError) as missing:
        me.client.challenges.create("nobody_here_at_all", rated=False)
    assert missing.value.status_code == 404


def test_from_position_and_exports(lichess_server: LiveServer) -> None:
    white, black = Player(lichess_server), Player(lichess_server)
    fen = "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1"
    events = black.events()
    challenge = white.client.challenges.create(
        black.name, rated=False, color="white", variant="fromPosition", position=fen
    )
    assert events.next("challenge")["challenge"]["initialFen"] == fen
    black.client.challenges.accept(challenge["id"])
    game_id = challenge["id"]
    full = white.game(game_id).next("gameFull")
    assert (full["initialFen"], full["variant"]["key"]) == (fen, "fromPosition")
    white.client.board.make_move(game_id, "e2e4")
    black.client.board.resign_game(game_id)

    pgn = white.client.games.export(game_id, as_pgn=True)
    assert '[FEN "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1"]' in pgn
    assert "1. e4" in pgn
    assert '[Result "1-0"]' in pgn
    # berserk types the answer str | dict whatever as_pgn is: without it, it is JSON
    game = cast(dict[str, Any], white.client.games.export(game_id))
    assert (game["id"], game["status"], game["winner"], game["moves"]) == (
        game_id,
        "resign",
        "white",
        "e4",
    )
    assert game["players"]["black"]["user"]["name"] == black.name
    games = white.client.games.export_by_player(white.name, as_pgn=False, max=5)
    mine = list(cast(Iterator[dict[str, Any]], games))
    assert [g["id"] for g in mine] == [game_id]
    pgns = list(white.client.games.export_by_player(white.name, as_pgn=True))
    assert len(pgns) == 1
