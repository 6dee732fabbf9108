"""HTTP throughput and latency of gambit, as ratios to ``GET /health`` measured in the same run.

Run with ``make bench`` (or ``.venv/bin/python bench/http_load.py --help``). The script
starts ``gambit serve`` on a free port with a fresh SQLite file and rate limits off,
then drives it from a second process (so server and load generator each get a core)
with a keep-alive HTTP/1.1 client written on raw asyncio streams: a general-purpose
client would measure itself rather than the server. Three scenarios, in rounds:

- ``health``: ``GET /health``, the baseline;
- ``get game``: ``GET /api/v1/games/{id}`` over games that have a few moves;
- ``moves``: human moves, each connection playing its own games from pre-computed
  random legal sequences; every move is committed to SQLite before its answer.

Machines here are noisy, so each scenario runs ``--rounds`` times interleaved with the
others and the median round counts. The goal of the project is moves/health >= 0.60.
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
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import chess

GOAL = 0.60
NEW_GAME = b'{"white": {"type": 1}, "black": {"type": 1}}'


@dataclass(frozen=True)
class Figures:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read exactly its response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        response = await self.reader.readuntil(b"\r\n\r\n")
        status = int(response.split(b" ", 2)[1])
        length = 0
        for line in response.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    async def new_game(self, moves: tuple[str, ...] = ()) -> str:
        status, body = await self.request("POST", "/api/v1/games", NEW_GAME)
        if status != 201:
            raise RuntimeError(f"creating a game answered {status}: {body!r}")
        game_id: str = json.loads(body)["gameId"]
        for move in moves:
            await self.request("POST", f"/api/v1/games/{game_id}/moves", _move(move))
        return game_id


class Recorder:
    """Times requests until the scenario's deadline; counts answers other than 200."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds
        self.latencies: list[float] = []
        self.errors = 0

    @property
    def running(self) -> bool:
        return time.perf_counter() < self.deadline

    async def timed(
        self, connection: Connection, method: str, path: str, body: bytes = b""
    ) -> None:
        started = time.perf_counter()
        status, answer = await connection.request(method, path, body)
        self.latencies.append(time.perf_counter() - started)
        if status != 200:
            self.errors += 1
            if self.errors == 1:
                print(f"  first error: {method} {path} -> {status} {answer[:200]!r}")


Client = Callable[[Connection, Recorder, int], Awaitable[None]]
"""One connection's part of a scenario: sends requests through the recorder while it runs."""


async def run_clients(port: int, connections: int, seconds: float, client: Client) -> Figures:
    opened = [await Connection.open(port) for _ in range(connections)]
    recorder = Recorder(seconds)
    started = time.perf_counter()
    await asyncio.gather(*(client(c, recorder, i) for i, c in enumerate(opened)))
    elapsed = time.perf_counter() - started
    for connection in opened:
        connection.writer.close()
    latencies = sorted(recorder.latencies)
    return Figures(
        requests_per_second=len(latencies) / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[int(len(latencies) * 0.99)] * 1000,
        errors=recorder.errors,
    )


def playouts(seed: int, count: int, plies: int) -> list[list[str]]:
    """Random legal games that never end: a move that would finish the game is skipped."""
    rng = random.Random(seed)
    games = []
    for _ in range(count):
        board = chess.Board()
        moves: list[str] = []
        while len(moves) < plies:
            candidates = list(board.legal_moves)
            rng.shuffle(candidates)
            for move in candidates:
                board.push(move)
                if board.outcome(claim_draw=False) is None:
                    moves.append(move.uci())
                    break
                board.pop()
            else:
                break
        games.append(moves)
    return games


def _move(uci: str) -> bytes:
    return json.dumps({"move": uci}).encode()


async def health(connection: Connection, recorder: Recorder, index: int) -> None:
    while recorder.running:
        await recorder.timed(connection, "GET", "/health")


async def get_game(connection: Connection, recorder: Recorder, index: int) -> None:
    path = f"/api/v1/games/{await connection.new_game(('e2e4', 'e7e5', 'g1f3', 'b8c6'))}"
    while recorder.running:
        await recorder.timed(connection, "GET", path)


def moves(seed: int) -> Client:
    games = playouts(seed, 100, 80)

    async def play(connection: Connection, recorder: Recorder, index: int) -> None:
        rng = random.Random(seed + index)
        while recorder.running:
            path = f"/api/v1/games/{await connection.new_game()}/moves"
            for move in rng.choice(games):
                if not recorder.running:
                    return
                await recorder.timed(connection, "POST", path, _move(move))

    return play


SCENARIOS = ("health", "get game", "moves")


def _load(port: int, scenario: str, connections: int, seconds: float, seed: int) -> Figures:
    """Runs in the load-generator process."""
    client = {"health": health, "get game": get_game, "moves": moves(seed)}[scenario]
    try:
        import uvloop

        return uvloop.run(run_clients(port, connections, seconds, client))
    except ImportError:
        return asyncio.run(run_clients(port, connections, seconds, client))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Launched:
    port: int
    command: list[str]
    pid: int
    seconds: float  # from launching the process until /health answered 200


@contextmanager
def launch(
    database_url: str,
    log: IO[bytes],
    extra: Sequence[str] = (),
    python_options: Sequence[str] = (),
    stop: signal.Signals = signal.SIGTERM,
) -> Iterator[Launched]:
    """``gambit serve`` on ``database_url`` and a free port, rate limits off, logging to
    ``log``; yielded once ``/health`` answers, stopped by ``stop`` on exit.
    ``python_options`` go before ``-m gambit`` (e.g. ``-m cProfile -o FILE``, stopped by
    SIGINT: uvicorn re-raises SIGTERM after shutting down, which ends the process before
    cProfile writes its file)."""
    port = free_port()
    command = [
        sys.executable, *python_options, "-m", "gambit", "serve", "--port", str(port),
        "--no-rate-limit", "--database-url", database_url, "--engine-workers", "1", *extra,
    ]  # fmt: skip
    environment = os.environ | {"AUTH_SECRET_KEY": "bench-" + os.urandom(16).hex()}
    launched = time.perf_counter()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    try:
        # Polled often: start-up time is a figure of the history benchmark.
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start; see its log") from None
                time.sleep(0.01)
        yield Launched(port, command, process.pid, time.perf_counter() - launched)
    finally:
        process.send_signal(stop)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def server(extra: list[str]) -> Iterator[tuple[int, list[str], int]]:
    """``gambit serve`` on a free port with a fresh SQLite file: its port, command line
    and process id; stopped on exit."""
    with (
        tempfile.TemporaryDirectory(prefix="gambit-bench-") as directory,
        Path(directory, "server.log").open("wb") as log,
        launch(f"sqlite+aiosqlite:///{directory}/gambit.db", log, extra) as started,
    ):
        yield started.port, started.command, started.pid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up load")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("server_args", nargs="*", help="extra `gambit serve` arguments")
    args = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    )
    context = multiprocessing.get_context("spawn")
    results: dict[str, list[Figures]] = {name: [] for name in SCENARIOS}
    with server(args.server_args) as (port, command, _), context.Pool(1) as generator:
        print("server:", " ".join(command))
        print(f"{args.connections} connections, {args.rounds} rounds of {args.duration:g} s\n")
        for name in SCENARIOS:
            generator.apply(_load, (port, name, args.connections, args.warmup, args.seed))
        for _ in range(args.rounds):
            for name in SCENARIOS:
                figures = generator.apply(
                    _load, (port, name, args.connections, args.duration, args.seed)
                )
                results[name].append(figures)

    print(
        f"{'scenario':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}   rounds (req/s)"
    )
    median: dict[str, Figures] = {}
    for name, rounds in results.items():
        middle = sorted(rounds, key=lambda f: f.requests_per_second)[len(rounds) // 2]
        median[name] = middle
        each = " ".join(f"{f.requests_per_second:.0f}" for f in rounds)
        print(
            f"{name:<10} {middle.requests_per_second:>9.0f} {middle.p50_ms:>8.2f} "
            f"{middle.p99_ms:>8.2f} {sum(f.errors for f in rounds):>7}   {each}"
        )
    baseline = median["health"].requests_per_second
    ratios = {name: median[name].requests_per_second / baseline for name in ("get game", "moves")}
    print(f"\nget game/health = {ratios['get game']:.2f}")
    print(f"moves/health    = {ratios['moves']:.2f}   (project goal: >= {GOAL:.2f})")
    if args.json:
        payload = {"median": {k: asdict(v) for k, v in median.items()}, "ratios": ratios}
        args.json.write_text(json.dumps(payload, indent=2))
    errors = sum(f.errors for rounds in results.values() for f in rounds)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
