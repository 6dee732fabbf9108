"""lichess-bot, unchanged, plays a whole game on a gambit server.

lichess-bot (github.com/lichess-bot-devs/lichess-bot) is the bridge most lichess bots run
on. Its code is not part of gambit: the test copies it, at test time, out of a local git
mirror (``LICHESS_BOT_MIRROR``, by default the one ``fetch`` leaves under /work/.mirror)
or takes a checkout from ``LICHESS_BOT_DIR``, points its ``url`` at a real server, and
drives it with Debian's Stockfish as its UCI engine. A person challenges the bot with a
clock and plays random legal moves on the board API until the game ends.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from io import BytesIO
from pathlib import Path
from typing import Any

import chess
import httpx
import pytest

from tests.api.test_lichess import Feed
from tests.conftest import LiveServer, database, make_settings
from tests.helpers import bearer, register

MIRROR = Path(
    os.environ.get("LICHESS_BOT_MIRROR", "/work/.mirror/lichess-bot-devs+lichess-bot/repo")
)
CHECKOUT = os.environ.get("LICHESS_BOT_DIR")
STOCKFISH = Path(os.environ.get("LICHESS_BOT_ENGINE", "/usr/games/stockfish"))
HOW_TO_GET_IT = (
    "lichess-bot NOT AVAILABLE: the lichess-bot test needs a git mirror of "
    "github.com/lichess-bot-devs/lichess-bot at LICHESS_BOT_MIRROR "
    f"(default {MIRROR}; e.g. `git clone --mirror "
    "https://github.com/lichess-bot-devs/lichess-bot.git <dir>`) "
    "or a checkout at LICHESS_BOT_DIR"
)
# Any attempt of lichess-bot's to reach the internet fails (and shows in its log).
OFFLINE = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}
ID = re.compile(r"/[0-9a-f-]{36}(/|$)")
MOVE = re.compile(r"/move/[a-h][1-8][a-h][1-8][qrbn]?$")
GAME_SECONDS = 45  # the whole game, once lichess-bot has accepted
MAX_PLIES = 300  # the person resigns past this: any real result will do


@pytest.fixture(scope="module")
def backend() -> str:
    """lichess-bot talks HTTP; the storage underneath is another test's business."""
    return "sqlite"


@pytest.fixture(scope="module")
def bot_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with database(backend, tmp_path_factory.mktemp("db")) as url:
        live = LiveServer(make_settings(url, lichess_keepalive_seconds=1.0)).start()
        yield live
        live.stop()


def _copy_lichess_bot(to: Path) -> Path:
    """A private copy of lichess-bot's files (never a download), or skip saying how."""
    if CHECKOUT:
        if not (Path(CHECKOUT) / "lichess-bot.py").is_file():
            pytest.skip(f"{HOW_TO_GET_IT} (LICHESS_BOT_DIR={CHECKOUT} has no lichess-bot.py)")
        shutil.copytree(CHECKOUT, to, ignore=shutil.ignore_patterns(".git"))
        return to
    if not (MIRROR / "HEAD").is_file():
        pytest.skip(HOW_TO_GET_IT)
    archive = subprocess.run(
        ["git", "--git-dir", str(MIRROR), "archive", "--format=tar", "HEAD"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(to, filter="data")
    return to


def _config(server: LiveServer, token: str, pgn_directory: Path) -> dict[str, Any]:
    """lichess-bot's config.yml: gambit's URL, the token, Stockfish thinking briefly."""
    return {
        "token": token,
        "url": server.url + "/",
        "engine": {
            "dir": str(STOCKFISH.parent),
            "name": STOCKFISH.name,
            "protocol": "uci",
            "ponder": False,
            "polyglot": {"enabled": False},
            "draw_or_resign": {"resign_enabled": False, "offer_draw_enabled": False},
            "uci_options": {
                "Threads": 1,
                "Hash": 16,
                "Move Overhead": 100,
                "go_commands": {"movetime": 30},
            },
        },
        "abort_time": 20,
        "move_overhead": 500,
        "challenge": {
            "concurrency": 1,
            "accept_bot": True,
            "only_bot": False,
            "max_increment": 20,
            "min_increment": 0,
            "max_base": 1800,
            "min_base": 0,
            "variants": ["standard"],
            "time_controls": ["bullet", "blitz", "rapid", "classical"],
            "modes": ["casual", "rated"],
        },
        "greeting": {"hello": "Hi! I'm {me}.", "goodbye": "Good game!"},
        "pgn_directory": str(pgn_directory),
        "matchmaking": {"allow_matchmaking": False},
    }


def ndjson(url: str, token: str) -> Iterator[dict[str, Any]]:
    """The lines of an NDJSON stream; keep-alive newlines are dropped."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", url, headers=headers, timeout=None) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.strip():
                yield json.loads(line)


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"


@contextmanager
def _lichess_bot(home: Path, config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """lichess-bot running from ``home`` in a process group of its own, stopped at the end
    as at a terminal (Ctrl-C), then the group killed: its engine and pool processes too."""
    with (log.parent / "lichess-bot.out").open("wb") as out:
        bot = subprocess.Popen(
            [sys.executable, "lichess-bot.py", "-v", "--config", str(config), "-l", str(log)],
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | OFFLINE | {"PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
            start_new_session=True,
        )
    try:
        yield bot
    finally:
        bot.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            bot.wait(timeout=5)
        with suppress(ProcessLookupError):
            os.killpg(bot.pid, signal.SIGKILL)
        bot.wait()


def test_lichess_bot_plays_a_whole_game(bot_server: LiveServer, tmp_path: Path) -> None:
    assert STOCKFISH.is_file(), f"the test's engine is Stockfish at {STOCKFISH}"
    home = _copy_lichess_bot(tmp_path / "lichess-bot")

    # The bot's account: a personal token with bot:play alone, upgraded to BOT.
    with bot_server.client() as http:
        owner = register(http)
        made = http.post(
            "/account/tokens",
            json={"description": "lichess-bot", "scopes": ["bot:play"]},
            headers=bearer(owner),
        )
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        person = register(http)
    bot_name = owner["username"]
    config = tmp_path / "config.yml"
    records = tmp_path / "games"
    config.write_text(json.dumps(_config(bot_server, token, records), indent=2))  # JSON is YAML
    log = tmp_path / "lichess-bot.log"

    with httpx.Client(base_url=bot_server.url, timeout=10) as api:
        upgrade = "/api/bot/account/upgrade"
        upgraded = api.post(upgrade, headers={"Authorization": f"Bearer {token}"})
        assert upgraded.status_code == 200, upgraded.text
        with _lichess_bot(home, config, log) as bot:
            game_id, end = _play_against(bot_server, api, bot, bot_name, person, log)
            # What it logged while it played (its shutdown is not under test).
            text = log.read_text(errors="replace")
            output = (tmp_path / "lichess-bot.out").read_text(errors="replace")

    assert "Traceback" not in text, text[-4000:]
    assert "Traceback" not in output, output[-4000:]
    # It spoke to gambit alone, and heard only 2xx answers.
    assert "HTTPS connection" not in text
    answers = re.findall(r'"(GET|POST) (\S+) HTTP/1.1" (\d+)', text)
    assert [a for a in answers if not a[2].startswith("2")] == [], answers
    heard = {ID.sub(r"/{id}\1", path.split("?")[0]) for _, path, _ in answers}
    assert {
        "/api/token/test",
        "/api/account",
        "/api/account/playing",
        "/api/challenge/{id}/accept",
        "/api/bot/game/stream/{id}",
        "/api/bot/game/{id}/move/{move}",
        "/api/bot/game/{id}/chat",
        "/game/export/{id}",
    } <= {MOVE.sub("/move/{move}", path) for path in heard}, heard
    # Its record of the game, made with gambit's PGN export.
    (record,) = records.glob("*.pgn")
    pgn = record.read_text()
    result = {"white": "1-0", "black": "0-1"}.get(end.get("winner", ""), "1/2-1/2")
    assert game_id in pgn, pgn
    assert f'[Result "{result}"]' in pgn, pgn


def _play_against(
    server: LiveServer,
    api: httpx.Client,
    bot: subprocess.Popen[bytes],
    bot_name: str,
    person: Any,
    log: Path,
) -> tuple[str, dict[str, Any]]:
    """The person challenges the bot (1+1) and plays random moves to the end."""
    me = {"Authorization": f"Bearer {person['token']}"}
    events = Feed(ndjson(f"{server.url}/api/stream/event", person["token"]))

    # lichess-bot tests its token, reads /api/account (title BOT), then awaits challenges.
    deadline = time.monotonic() + 30
    while "awaiting challenges" not in (log.read_text() if log.exists() else ""):
        assert bot.poll() is None, f"lichess-bot quit: {_log_tail(log)}"
        assert time.monotonic() < deadline, f"lichess-bot never got ready: {_log_tail(log)}"
        time.sleep(0.1)
    status = api.get("/api/users/status", params={"ids": bot_name}).json()
    assert status[0]["online"] is True

    challenge = api.post(
        f"/api/challenge/{bot_name}",
        data={"clock.limit": "60", "clock.increment": "1", "color": "white", "rated": "false"},
        headers=me,
    )
    assert challenge.status_code == 200, challenge.text
    game_id = challenge.json()["id"]
    try:
        started = events.next("gameStart", timeout=20)["game"]
    except AssertionError:
        raise AssertionError(f"lichess-bot did not accept: {_log_tail(log)}") from None
    assert started["gameId"] == game_id
    assert started["opponent"]["username"] == bot_name

    stream = Feed(ndjson(f"{server.url}/api/board/game/stream/{game_id}", person["token"]))
    full = stream.next("gameFull")
    assert full["black"]["name"] == bot_name
    assert full["black"]["title"] == "BOT"
    state = full["state"]
    board = chess.Board()
    mine: list[str] = []
    chooser = random.Random(game_id)
    deadline = time.monotonic() + GAME_SECONDS
    while state["status"] == "started":
        assert time.monotonic() < deadline, f"game unfinished: {state} {_log_tail(log)}"
        board = chess.Board()
        for move in state["moves"].split():
            board.push_uci(move)
        if board.turn == chess.WHITE and not board.is_game_over():
            if board.ply() >= MAX_PLIES:
                api.post(f"/api/board/game/{game_id}/resign", headers=me)
            else:
                move = chooser.choice(list(board.legal_moves)).uci()
                mine.append(move)
                made = api.post(f"/api/board/game/{game_id}/move/{move}", headers=me)
                assert made.status_code == 200, made.text
        state = stream.next("gameState", timeout=15)

    # The moves alternated: every white one is the person's, and lichess-bot answered
    # each (but a last one that ended the game).
    moves = state["moves"].split()
    assert moves[0::2] == mine
    assert len(moves[1::2]) in (len(mine), len(mine) - 1)
    assert len(moves) >= 4
    assert state["status"] in {"mate", "resign", "stalemate", "draw", "outoftime", "timeout"}
    finished = events.next("gameFinish", lambda line: line["game"]["gameId"] == game_id)
    assert finished["game"]["status"]["name"] == state["status"]

    with server.client() as http:
        battle = http.get(f"/battles/{game_id}")
    assert battle.status_code == 200, battle.text
    shown = battle.json()
    assert (shown["game"], shown["status"]) == ("chess", "FINISHED")
    assert shown["state"]["moves"] == moves
    assert shown["state"]["result"]["reason"]
    assert shown["options"]["clock"] == {"limit": 60, "increment": 1}
    # The web face names the players: the seats carry their names.
    assert [p["username"] for p in shown["players"]] == [person["username"], bot_name]
    if state.get("winner") == "black":
        assert shown["state"]["result"]["winners"] == [shown["players"][1]["id"]]

    # lichess-bot saw the end too, and logged it with a link that leads to the game's page.
    deadline = time.monotonic() + 15
    while f"{game_id}/black Game over" not in (text := log.read_text(errors="replace")):
        assert time.monotonic() < deadline, _log_tail(log)
        time.sleep(0.2)
    winner = state.get("winner")
    if winner == "black":
        assert f"{bot_name} won!" in text
    elif winner == "white":
        assert f"{person['username']} won!" in text
    link = api.get(f"/{game_id}/black")
    assert (link.status_code, link.headers["location"]) == (302, f"/game/{game_id}")
    return str(game_id), state
