"""Bot games on lichess's Bot API: moves per second and the server's added delay per move.

Run with ``make bench-bots`` (or ``.venv/bin/python bench/bot_games.py --help``). The
script starts ``gambit serve`` (``bench/http_load.py``'s ``launch``: a fresh SQLite file,
or ``--database-url``; rate limits off), makes 2 x N bot accounts (register, a personal
token with ``bot:play``, ``challenge:read`` and ``challenge:write``, upgrade to BOT), then
for each level of concurrency N (``--games``, default 10, 100 and 500) plays N games at
once for ``--duration`` seconds, from load-generator processes apart from the server:

- each pair's first bot challenges the second to a casual 1+0 game (``clock.limit=60``,
  ``clock.increment=0``) and takes white; the second accepts from its event stream
  (``GET /api/stream/event``); on ``gameStart`` both follow the game stream
  (``GET /api/bot/game/stream/{id}``) and answer every ``gameState`` where it is their
  turn at once: a random legal move (python-chess, an RNG seeded per game), posted to
  ``POST /api/bot/game/{id}/move/{move}`` in a task of its own so the stream keeps being
  read. A game is capped at ``--plies`` plies (default 80): the side to move then resigns.
  Random play seldom mates within 80 plies, so most games end that way; a pair starts
  its next game as soon as one ends (``--think-ms`` makes the bots wait before moving);
- the measured window opens ``--warmup`` seconds after every pair's first game has begun
  (both sides moved; "all begun s" in the table): at 500 games the storm of challenges,
  accepts and streams opening at once takes a while;
- **delay**: from a move's POST being sent to the opponent's ``gameState`` holding that
  move being read from the opponent's stream (both bots of a pair live in one process,
  so one clock times both ends). Moves whose POST went out in the window give p50/p99
  and moves per second;
- **baseline**, in the same run and just before the games, from the same processes and
  HTTP client: N concurrent loops of ``GET /health`` for ``--baseline`` seconds. Instant
  replies make every game a closed loop with one move in flight, as N loops of
  ``/health`` have one request each in flight; the ratio of the two p99s is the figure
  to compare between machines.

Each bot has its own HTTP client, one event loop per load-generator process: by default
HTTP/1.1 on asyncio streams (keep-alive, chunked NDJSON), ``--client httpx`` for
``httpx.AsyncClient``s. httpx cost the load generator more CPU than the server spent
(about 3 ms a request here; one client shared by hundreds of connections collapsed in
httpcore's pool), so it measured itself. ``--clients K`` shards the pairs over K
processes (default: one per 250 games); this machine has 2 CPUs, which server and clients
share. The table gives both sides' CPU in the window: the server's near 100% of a core
is the bound, the load generators use about a tenth of one.
``--profile FILE`` runs the server under cProfile and writes its statistics to FILE, or
under pyinstrument (a sampling profiler, far lighter on asyncio servers) for a FILE.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import signal
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Iterator
from contextlib import aclosing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import chess
import httpx

from http_load import launch

GOAL_P99_MS = 20.0
GOAL_GAMES = 100
PASSWORD = "SecurePass123"
RAMP_LIMIT = 120.0  # seconds to wait for every pair's first game to begin
GAME_LIMIT = 300.0  # a 1+0 game capped at 80 plies ends well within this
SCOPES = ["bot:play", "challenge:read", "challenge:write"]
UNLIMITED = httpx.Limits(max_connections=None, max_keepalive_connections=None)
NO_TIMEOUT = httpx.Timeout(None, connect=30)


@dataclass(frozen=True)
class Bot:
    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Plan:
    """One level of one load-generator process: its pairs and when each phase runs."""

    port: int
    server_pid: int
    pairs: list[tuple[Bot, Bot]]
    start: float  # wall clock (time.time()) when the baseline starts
    baseline: float
    warmup: float
    duration: float
    plies: int
    seed: int
    client: str  # a key of WIRES
    think: float  # seconds a bot waits before each move (0: instant replies)


@dataclass
class Result:
    """What one process measured; merged over processes by the parent."""

    health_ms: list[float] = field(default_factory=list)
    delays_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    moves: int = 0  # moves answered 200 whose POST went out in the measured window
    window: float = 0.0
    endings: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    unfinished: int = 0
    ramp: float = 0.0  # seconds until every pair's game had begun
    client_cpu: float = 0.0  # CPU seconds of the load generators in the measured window
    server_cpu: float = 0.0  # CPU seconds of the server in the measured window

    def merge(self, other: Result) -> None:
        self.health_ms += other.health_ms
        self.delays_ms += other.delays_ms
        self.post_ms += other.post_ms
        self.moves += other.moves
        self.window = max(self.window, other.window)
        self.endings += other.endings
        self.errors += other.errors
        self.unfinished += other.unfinished
        self.client_cpu += other.client_cpu
        self.server_cpu = max(self.server_cpu, other.server_cpu)
        self.ramp = max(self.ramp, other.ramp)


Answer = tuple[int, bytes]


class Wire:
    """One bot's HTTP client: posts, and NDJSON streams read line by line."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        raise NotImplementedError

    async def post(self, path: str, form: dict[str, str] | None = None) -> Answer:
        raise NotImplementedError

    async def get(self, path: str) -> Answer:
        raise NotImplementedError

    def lines(self, path: str, opened: asyncio.Event | None = None) -> AsyncGenerator[bytes]:
        """The stream's lines, without their newline (a keep-alive is empty)."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class HttpxWire(Wire):
    """``httpx.AsyncClient``, one per bot: one shared by hundreds of connections would
    measure httpcore's pool, whose cost per request grows with its size."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.http = _client(port, headers)

    async def post(self, path: str, form: dict[str, str] | None = None) -> Answer:
        answer = await self.http.post(path, data=form)
        return answer.status_code, answer.content

    async def get(self, path: str) -> Answer:
        answer = await self.http.get(path)
        return answer.status_code, answer.content

    async def lines(self, path: str, opened: asyncio.Event | None = None) -> AsyncGenerator[bytes]:
        async with self.http.stream("GET", path) as stream:
            if opened:
                opened.set()
            async for line in stream.aiter_lines():
                yield line.encode()

    async def close(self) -> None:
        await self.http.aclose()


class RawWire(Wire):
    """HTTP/1.1 on asyncio streams, keep-alive connections reused: a few times cheaper
    than httpx per request, so that the load generator measures the server rather than
    itself (2 CPUs here). Enough HTTP for gambit's answers: ``Content-Length`` bodies and
    chunked streams."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.streams: set[asyncio.StreamWriter] = set()

    async def _request(self, method: str, path: str, body: bytes = b"") -> Answer:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{self.head}"
        if body:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
        request = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        while True:
            reused = bool(self.idle)
            reader, writer = self.idle.pop() if reused else await self._open()
            try:
                writer.write(request)
                status, headers = await _response_head(reader)
                answer = await reader.readexactly(int(headers.get(b"content-length", b"0")))
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                if reused:
                    continue  # the server closed an idle connection: take a new one
                raise
            self.idle.append((reader, writer))
            return status, answer

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port, limit=2**20)

    async def post(self, path: str, form: dict[str, str] | None = None) -> Answer:
        return await self._request("POST", path, urlencode(form or {}).encode())

    async def get(self, path: str) -> Answer:
        return await self._request("GET", path)

    async def lines(self, path: str, opened: asyncio.Event | None = None) -> AsyncGenerator[bytes]:
        reader, writer = await self._open()
        self.streams.add(writer)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{self.head}\r\n".encode())
            status, headers = await _response_head(reader)
            if status != 200 or headers.get(b"transfer-encoding") != b"chunked":
                raise RuntimeError(f"GET {path} answered {status} {headers}")
            if opened:
                opened.set()
            pending = b""
            while size := int((await reader.readuntil(b"\r\n"))[:-2], 16):
                pending += (await reader.readexactly(size + 2))[:-2]
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    yield line
        finally:
            self.streams.discard(writer)
            writer.close()

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        for writer in self.streams:
            writer.close()


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *fields = head[:-4].split(b"\r\n")
    headers = {}
    for line in fields:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(b" ", 2)[1]), headers


WIRES: dict[str, type[Wire]] = {"raw": RawWire, "httpx": HttpxWire}


class Game:
    """A game both bots of a pair share: when each ply's move was sent."""

    def __init__(self, game_id: str) -> None:
        self.id = game_id
        self.sent: dict[int, float] = {}  # ply (1-based) -> perf_counter at its POST
        self.ended = asyncio.Event()
        self.followers = 0


class Shard:
    """The bots of one process, their streams and what they measure."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        wire = WIRES[plan.client]
        self.wires = {b.name: wire(plan.port, b.auth) for pair in plan.pairs for b in pair}
        self.result = Result()
        self.games: dict[str, Game] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.measure_from = self.stop_at = float("inf")
        self.begun = 0  # games in which both sides have moved
        self.all_begun = asyncio.Event()  # as many as there are pairs

    def game(self, game_id: str) -> Game:
        if game_id not in self.games:
            self.games[game_id] = Game(game_id)
        return self.games[game_id]

    def spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as exc:  # counted and shown, not lost
                self.error("task", (0, repr(exc).encode()))

        task = asyncio.create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def error(self, what: str, answer: Answer) -> None:
        self.result.errors += 1
        if self.result.errors <= 3:
            print(f"  error: {what} -> {answer[0]} {answer[1][:200]!r}", flush=True)

    # -- the event stream ---------------------------------------------------------

    async def events(self, bot: Bot, connected: asyncio.Event) -> None:
        """``bot``'s event stream: accepts challenges to it, follows the games it starts."""
        async with aclosing(self.wires[bot.name].lines("/api/stream/event", connected)) as lines:
            async for line in lines:
                if not line:
                    continue
                event = json.loads(line)
                if event["type"] == "challenge":
                    challenge = event["challenge"]
                    if challenge["destUser"]["name"] == bot.name:
                        self.spawn(self.accept(bot, challenge["id"]))
                elif event["type"] == "gameStart":
                    self.spawn(self.follow(bot, event["game"]["gameId"]))

    async def accept(self, bot: Bot, challenge_id: str) -> None:
        answer = await self.wires[bot.name].post(f"/api/challenge/{challenge_id}/accept")
        if answer[0] != 200:
            self.error("accept", answer)

    # -- a game -------------------------------------------------------------------

    async def follow(self, bot: Bot, game_id: str) -> None:
        """Follow the game stream; answer every state where it is ``bot``'s turn."""
        game = self.game(game_id)
        game.followers += 1
        rng = random.Random(f"{self.plan.seed}:{game_id}:{bot.name}")
        board = chess.Board()
        colour: chess.Color | None = None
        answered: set[int] = set()
        url = f"/api/bot/game/stream/{game_id}"
        try:
            async with aclosing(self.wires[bot.name].lines(url)) as lines:
                async for line in lines:
                    if not line:
                        continue
                    read = time.perf_counter()
                    message = json.loads(line)
                    if message["type"] == "gameFull":
                        colour = message["white"].get("name") == bot.name
                        state = message["state"]
                    elif message["type"] == "gameState":
                        state = message
                    else:
                        continue
                    moves = state["moves"].split()
                    plies = len(moves)
                    if message["type"] == "gameState" and plies and (plies % 2 == 1) != colour:
                        # The opponent's move: the delay is its POST until now.
                        sent = game.sent.get(plies)
                        if sent is not None and self.measure_from <= sent < self.stop_at:
                            self.result.delays_ms.append((read - sent) * 1000)
                    for move in moves[len(board.move_stack) :]:
                        board.push_uci(move)
                    if state["status"] != "started":
                        if colour:
                            self.result.endings[state["status"]] += 1
                        break
                    if board.turn == colour and plies not in answered:
                        answered.add(plies)
                        if plies >= self.plan.plies or time.perf_counter() >= self.stop_at:
                            self.spawn(self.resign(bot, game_id))
                        else:
                            move = rng.choice(list(board.legal_moves)).uci()
                            self.spawn(self.move(bot, game, plies + 1, move))
        finally:
            game.followers -= 1
            if game.followers == 0:
                game.ended.set()

    async def move(self, bot: Bot, game: Game, ply: int, move: str) -> None:
        if self.plan.think:
            await asyncio.sleep(self.plan.think)
        sent = game.sent[ply] = time.perf_counter()
        answer = await self.wires[bot.name].post(f"/api/bot/game/{game.id}/move/{move}")
        if ply == 2:
            self.begun += 1
            if self.begun >= len(self.plan.pairs):
                self.all_begun.set()
        if answer[0] != 200:
            self.error(f"move {move}", answer)
        elif self.measure_from <= sent < self.stop_at:
            self.result.post_ms.append((time.perf_counter() - sent) * 1000)
            self.result.moves += 1

    async def resign(self, bot: Bot, game_id: str) -> None:
        answer = await self.wires[bot.name].post(f"/api/bot/game/{game_id}/resign")
        if answer[0] != 200:
            self.error("resign", answer)

    async def pair(self, white: Bot, black: Bot) -> None:
        """``white`` challenges ``black`` to 1+0 games, one after another, until the end."""
        terms = {"clock.limit": "60", "clock.increment": "0", "color": "white", "rated": "false"}
        while time.perf_counter() < self.stop_at:
            challenger = self.wires[white.name]
            answer = await challenger.post(f"/api/challenge/{black.name}", terms)
            if answer[0] != 200:
                self.error("challenge", answer)
                await asyncio.sleep(1)
                continue
            game = self.game(json.loads(answer[1])["id"])
            try:
                await asyncio.wait_for(game.ended.wait(), GAME_LIMIT)
            except TimeoutError:
                self.result.unfinished += 1
                return

    # -- the baseline -------------------------------------------------------------

    async def health(self, until: float) -> None:
        wire = WIRES[self.plan.client](self.plan.port, {})
        while time.perf_counter() < until:
            sent = time.perf_counter()
            answer = await wire.get("/health")
            self.result.health_ms.append((time.perf_counter() - sent) * 1000)
            if answer[0] != 200:
                self.error("health", answer)
        await wire.close()

    async def cpu(self) -> None:
        """The CPU time this process and the server use in the measured window."""
        await asyncio.sleep(self.measure_from - time.perf_counter())
        client, server = time.process_time(), _cpu_seconds(self.plan.server_pid)
        await asyncio.sleep(self.stop_at - time.perf_counter())
        self.result.client_cpu = time.process_time() - client
        self.result.server_cpu = _cpu_seconds(self.plan.server_pid) - server

    async def run(self) -> Result:
        plan = self.plan
        bots = [bot for pair in plan.pairs for bot in pair]
        connected = [asyncio.Event() for _ in bots]
        pairs = zip(bots, connected, strict=True)
        streams = [asyncio.create_task(self.events(b, c)) for b, c in pairs]
        await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), 120)
        await asyncio.sleep(max(0.0, plan.start - time.time()))
        # Phase 1: the baseline, one /health loop per pair of this process.
        until = time.perf_counter() + plan.baseline
        await asyncio.gather(*(self.health(until) for _ in plan.pairs))
        # Phase 2: the games. The window opens ``warmup`` seconds after every pair's game
        # has begun (both sides moved), so that the storm of first challenges, accepts and
        # streams opening does not count against the moves.
        started = time.perf_counter()
        games = asyncio.gather(*(self.pair(w, b) for w, b in plan.pairs))
        with suppress(TimeoutError):
            await asyncio.wait_for(self.all_begun.wait(), RAMP_LIMIT)
        self.result.ramp = time.perf_counter() - started
        self.measure_from = time.perf_counter() + plan.warmup
        self.stop_at = self.measure_from + plan.duration
        self.result.window = plan.duration
        await self.cpu()
        await games
        for task in streams:
            if task.done() and task.exception():
                self.error("event stream", (0, repr(task.exception()).encode()))
            task.cancel()
        await asyncio.gather(*streams, *self.tasks, return_exceptions=True)
        await asyncio.gather(*(wire.close() for wire in self.wires.values()))
        return self.result


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _client(port: int, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, limits=UNLIMITED, timeout=NO_TIMEOUT
    )


async def _shard(plan: Plan) -> Result:
    return await Shard(plan).run()


def play(plan: Plan) -> Result:
    """Runs in a load-generator process."""
    try:
        import uvloop

        return uvloop.run(_shard(plan))
    except ImportError:
        return asyncio.run(_shard(plan))


# -- accounts ------------------------------------------------------------------------


async def _post(http: httpx.AsyncClient, path: str, **options: Any) -> Any:
    """POST, tried again while the server answers 503 (SQLite busy); the answer's JSON."""
    for _ in range(20):
        answer = await http.post(path, **options)
        if answer.status_code != 503:
            break
        await asyncio.sleep(0.5)
    answer.raise_for_status()
    return answer.json()


async def _make_bot(http: httpx.AsyncClient, gate: asyncio.Semaphore) -> Bot:
    async with gate:
        name = "bot" + uuid.uuid4().hex[:12]
        account = {"username": name, "password": PASSWORD}
        signed_in = await _post(http, "/auth/register", json=account)
        session = {"Authorization": f"Bearer {signed_in['token']}"}
        wanted = {"description": "bench", "scopes": SCOPES}
        made = await _post(http, "/api/v1/account/tokens", json=wanted, headers=session)
        bot = Bot(name, made["token"])
        await _post(http, "/api/bot/account/upgrade", headers=bot.auth)
        return bot


async def _make_bots(port: int, count: int) -> list[Bot]:
    gate = asyncio.Semaphore(8)
    async with _client(port) as http:
        return list(await asyncio.gather(*(_make_bot(http, gate) for _ in range(count))))


# -- the report ----------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass(frozen=True)
class Row:
    games: int
    clients: int
    moves_per_second: float
    delay_p50: float
    delay_p99: float
    health_p50: float
    health_p99: float
    post_p50: float
    post_p99: float
    endings: dict[str, int]
    errors: int
    unfinished: int
    server_cpu: float  # share of one CPU in the measured window
    ramp: float
    client_cpu: float

    @property
    def ratio(self) -> float:
        return self.delay_p99 / self.health_p99

    @classmethod
    def of(cls, games: int, clients: int, result: Result) -> Row:
        return cls(
            games=games,
            clients=clients,
            moves_per_second=result.moves / result.window,
            delay_p50=percentile(result.delays_ms, 0.5),
            delay_p99=percentile(result.delays_ms, 0.99),
            health_p50=percentile(result.health_ms, 0.5),
            health_p99=percentile(result.health_ms, 0.99),
            post_p50=percentile(result.post_ms, 0.5),
            post_p99=percentile(result.post_ms, 0.99),
            endings=dict(result.endings),
            errors=result.errors,
            unfinished=result.unfinished,
            server_cpu=result.server_cpu / result.window,
            client_cpu=result.client_cpu / result.window,
            ramp=result.ramp,
        )


def table(rows: list[Row]) -> str:
    lines = [
        "| games | client procs | moves/s | delay p50 ms | delay p99 ms | /health p50 ms "
        "| /health p99 ms | p99 ratio | move POST p50/p99 ms | CPU server/clients "
        "| all begun s | games ended (status) | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        endings = ", ".join(f"{k} {v}" for k, v in sorted(r.endings.items())) or "-"
        lines.append(
            f"| {r.games} | {r.clients} | {r.moves_per_second:.0f} | {r.delay_p50:.1f} "
            f"| {r.delay_p99:.1f} | {r.health_p50:.1f} | {r.health_p99:.1f} | {r.ratio:.2f} "
            f"| {r.post_p50:.1f} / {r.post_p99:.1f} | {r.server_cpu:.0%} / {r.client_cpu:.0%} "
            f"| {r.ramp:.1f} | {endings} | {r.errors + r.unfinished} |"
        )
    return "\n".join(lines)


# -- the run -------------------------------------------------------------------------


def _profiler(output: Path) -> list[str]:
    """Python options that profile the server into ``output``: pyinstrument's text report
    if ``output`` ends with ``.txt`` (pyinstrument on PYTHONPATH, e.g. ``pip install
    --target DIR pyinstrument``), else cProfile's statistics."""
    if output.suffix == ".txt":
        return ["-m", "pyinstrument", "-r", "text", "-o", str(output.resolve())]
    return ["-m", "cProfile", "-o", str(output.resolve())]


@contextmanager
def served(
    database_url: str | None, extra: list[str], profile: Path | None
) -> Iterator[tuple[int, int]]:
    """``gambit serve`` on a fresh SQLite file (or ``database_url``): its port and pid."""
    # Accounts are made with cheap password hashes: the benchmark is about playing.
    os.environ.setdefault("ARGON2_TIME_COST", "1")
    os.environ.setdefault("ARGON2_MEMORY_KIB", "1024")
    with tempfile.TemporaryDirectory(prefix="gambit-bench-") as directory:
        url = database_url or f"sqlite+aiosqlite:///{directory}/gambit.db"
        python = _profiler(profile) if profile else []
        with (
            Path(directory, "server.log").open("wb") as log,
            launch(
                url, log, extra, python, signal.SIGINT if profile else signal.SIGTERM
            ) as started,
        ):
            print("server:", " ".join(started.command), flush=True)
            yield started.port, started.pid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", default="10,100,500", help="concurrent games per level")
    parser.add_argument("--quick", action="store_true", help="10 games only, shorter")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of play not measured")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of /health per level")
    parser.add_argument("--plies", type=int, default=80, help="the side to move resigns here")
    parser.add_argument("--clients", type=int, help="load-generator processes (default: auto)")
    parser.add_argument(
        "--client", choices=sorted(WIRES), default="raw", help="the bots' HTTP client"
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="a bot's wait before each move (default 0: instant replies)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="e.g. postgresql+asyncpg://… (default: SQLite)")
    parser.add_argument(
        "--profile",
        type=Path,
        help="profile the server: cProfile stats, or pyinstrument's report for .txt",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("server_args", nargs="*", help="extra `gambit serve` arguments")
    args = parser.parse_args()
    levels = [10] if args.quick else [int(n) for n in args.games.split(",")]
    if args.quick:
        args.duration, args.baseline = min(args.duration, 8.0), min(args.baseline, 3.0)

    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    )
    context = multiprocessing.get_context("spawn")
    rows: list[Row] = []
    began = time.perf_counter()
    with served(args.database_url, args.server_args, args.profile) as (port, server_pid):
        made = time.perf_counter()
        bots = asyncio.run(_make_bots(port, 2 * max(levels)))
        print(f"{len(bots)} bot accounts made in {time.perf_counter() - made:.1f} s", flush=True)
        pairs = list(zip(bots[::2], bots[1::2], strict=True))
        for games in levels:
            clients = args.clients or max(1, round(games / 250))
            start = time.time() + 3 + games * 0.01  # time for the event streams to open
            plans = [
                Plan(
                    port=port,
                    server_pid=server_pid,
                    pairs=pairs[shard:games:clients],
                    start=start,
                    baseline=args.baseline,
                    warmup=args.warmup,
                    duration=args.duration,
                    plies=args.plies,
                    seed=args.seed + games,
                    client=args.client,
                    think=args.think_ms / 1000,
                )
                for shard in range(clients)
            ]
            print(f"{games} games from {clients} client process(es)...", flush=True)
            with context.Pool(clients) as pool:
                results = pool.map(play, plans)
            merged = Result()
            for result in results:
                merged.merge(result)
            rows.append(Row.of(games, clients, merged))
    print(f"\n{table(rows)}\n")
    print(f"(total {time.perf_counter() - began:.0f} s; delay: a move's POST sent until the "
          "opponent reads it on its game stream; ratio: delay p99 / /health p99)")  # fmt: skip
    goal = [r for r in rows if r.games == GOAL_GAMES]
    if goal:
        met = "met" if goal[0].delay_p99 < GOAL_P99_MS else "NOT met"
        print(f"goal: p99 under {GOAL_P99_MS:g} ms at {GOAL_GAMES} games: "
              f"{goal[0].delay_p99:.1f} ms, {met}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2))
    if args.profile:
        print(f"server profile: {args.profile} (python -m pstats {args.profile})")
    return 1 if any(r.errors or r.unfinished for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
