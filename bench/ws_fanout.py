"""WebSocket fan-out: how long a move takes to reach the last of N spectators.

Run with ``make bench-ws`` (or ``.venv/bin/python bench/ws_fanout.py --help``). The
script starts ``gambit serve`` (as ``make bench`` does), opens N spectator sockets from
this process, all watching one duel, and plays ``--moves`` moves over REST. For each
move it takes the time from the REST answer to the ``game:update`` at the last
spectator (negative when the event beats the answer). The baseline, measured in the
same run, is the median time of the move request itself with one spectator; delays are
printed in milliseconds and as ratios to it. Memory per
idle connection is the server's resident memory grown while the N sockets opened,
divided by N. The project's goals: p99 under 100 ms at 1,000 spectators and under
50 KB per idle connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from http_load import server

GOAL_P99_MS_AT_1000 = 100.0
GOAL_KB_PER_CONNECTION = 50.0


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Spectator:
    """A socket that only notes when each game:update arrives (no JSON parsing)."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.arrivals: list[float] = []
        self.task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async for message in self.connection:
            if str(message).startswith('{"event":"game:update"'):
                self.arrivals.append(time.perf_counter())


async def watch(url: str, battle_id: str) -> Spectator:
    connection = await connect(url, max_queue=None, ping_interval=None)
    await connection.recv()  # connect
    await connection.send(json.dumps({"event": "subscribe", "data": {"battleId": battle_id}}))
    await connection.recv()  # subscribe
    return Spectator(connection)


async def measure(port: int, pid: int, count: int, moves: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}/api/v1"
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        players = []
        for _ in range(2):
            name = "b" + uuid.uuid4().hex[:12]
            body = {"username": name, "password": "SecurePass123"}
            players.append((await http.post("/auth/register", json=body)).json()["token"])
        headers = [{"Authorization": f"Bearer {token}"} for token in players]
        seats = [{"type": "human"}, {"type": "human"}]
        battle = (
            await http.post("/battles", json={"game": "duel", "seats": seats}, headers=headers[0])
        ).json()
        await http.post(f"/battles/{battle['id']}/join", headers=headers[1])

        before = rss_kb(pid)
        spectators: list[Spectator] = []
        for start in range(0, count, 100):
            batch = [
                watch(f"ws://127.0.0.1:{port}/api/v1/ws", battle["id"])
                for _ in range(min(100, count - start))
            ]
            spectators += await asyncio.gather(*batch)
        await asyncio.sleep(1.0)
        grown_kb = rss_kb(pid) - before

        delays, requests = [], []
        for move in range(moves):
            sent = time.perf_counter()
            answered = await http.post(
                f"/battles/{battle['id']}/actions",
                json={"action": {"type": "rest"}},
                headers=headers[move % 2],
            )
            answered.raise_for_status()
            at = time.perf_counter()
            requests.append((at - sent) * 1000)
            deadline = at + 30
            while any(len(s.arrivals) <= move for s in spectators):
                if time.perf_counter() > deadline:
                    raise RuntimeError("spectators missed an update")
                await asyncio.sleep(0.001)
            delays.append((max(s.arrivals[move] for s in spectators) - at) * 1000)
        for spectator in spectators:
            await spectator.connection.close()
            spectator.task.cancel()
    delays.sort()
    return {
        "spectators": count,
        "p50_ms": statistics.median(delays),
        "p99_ms": delays[min(len(delays) - 1, int(len(delays) * 0.99))],
        "kb_per_connection": grown_kb / count,
        "request_ms": statistics.median(requests),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spectators", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--moves", type=int, default=60, help="moves measured per size")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    failed = False
    with server([]) as (port, _, pid):
        baseline = asyncio.run(measure(port, pid, 1, args.moves))["request_ms"]
        print(f"baseline: a move's REST request takes {baseline:.1f} ms (median)\n")
        print("| spectators | p50 ms | p99 ms | p99 / baseline | KB per idle connection |")
        print("|---:|---:|---:|---:|---:|")
        for count in args.spectators:
            figures = asyncio.run(measure(port, pid, count, args.moves))
            print(
                f"| {count} | {figures['p50_ms']:.1f} | {figures['p99_ms']:.1f} "
                f"| {figures['p99_ms'] / baseline:.1f} | {figures['kb_per_connection']:.1f} |",
                flush=True,
            )
            if count == 1000:
                failed |= figures["p99_ms"] > GOAL_P99_MS_AT_1000
            if count >= 1000:
                failed |= figures["kb_per_connection"] > GOAL_KB_PER_CONNECTION
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
