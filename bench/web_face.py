"""The web face: what a first visit downloads, and how soon a watching page shows a move.

Run with ``make bench-web`` (after ``make install`` has built the pages). Two figures:

- the JavaScript and CSS the lobby loads on a first visit, gzip-compressed as a server
  in front of gambit would send them (goal: at most 250 KB);
- the delay from a move's REST answer to the move showing on another browser page that
  watches the battle (Debian's Chromium, driven by Playwright): ``--moves`` moves of a
  chess game between two players, the page noting with a MutationObserver when each
  move appears in its move list. The baseline is the move's REST request itself, in
  the same run (goal: p99 within 200 ms).

The server is ``gambit serve`` on a fresh SQLite file, as ``bench/http_load.py`` starts it.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import time
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from http_load import server

BUILT = Path(__file__).resolve().parents[1] / "src" / "gambit" / "web" / "dist"
SIZE_GOAL_KB = 250
DELAY_GOAL_MS = 200
CHROMIUM = "/usr/bin/chromium"
# An opening, then the knights' dance: each position comes back at most four times.
LINE = ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6", "d2d3", "f8c5", "c2c3", "d7d6"] + [
    "b1d2", "c6b8", "d2b1", "b8c6",
] * 3 + ["b1d2", "c6b8"]  # fmt: skip


def first_load_kb() -> float:
    """The gzip-compressed size of the scripts and styles the page shell loads."""
    shell = (BUILT / "index.html").read_text()
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', shell)
    return sum(len(gzip.compress((BUILT / asset[1:]).read_bytes(), 9)) for asset in assets) / 1024


def register(http: httpx.Client) -> dict[str, str]:
    body = {"username": "w" + uuid.uuid4().hex[:12], "password": "SecurePass123"}
    answer = http.post("/auth/register", json=body)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def watch_delays(port: int, moves: int) -> tuple[list[float], list[float]]:
    """Delays (ms) from each move's answer to its showing on a watching page, and the
    moves' REST request times (ms)."""
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base + "/api/v1", timeout=30) as http, sync_playwright() as pw:
        white, black = register(http), register(http)
        seats = [{"type": "human"}, {"type": "human"}]
        battle = http.post("/battles", json={"game": "chess", "seats": seats}, headers=white)
        battle_id = battle.json()["id"]
        http.post(f"/battles/{battle_id}/join", headers=black).raise_for_status()

        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(f"{base}/game/{battle_id}")
        page.wait_for_selector("cg-board")
        page.wait_for_timeout(500)  # the socket subscribed
        page.evaluate(
            """() => {
                window.seen = {};
                const list = document.querySelector('ol.moves');
                new MutationObserver(() => {
                    const count = document.querySelectorAll('ol.moves li').length;
                    window.seen[count] ??= performance.timeOrigin + performance.now();
                }).observe(list, { childList: true });
            }"""
        )
        line = LINE[:moves]
        delays, requests = [], []
        for ply, move in enumerate(line):
            sent = time.time()
            answer = http.post(
                f"/battles/{battle_id}/actions",
                json={"action": {"type": "move", "move": move}},
                headers=(white, black)[ply % 2],
            )
            answer.raise_for_status()
            answered = time.time()
            requests.append((answered - sent) * 1000)
            # The page notes the moment itself; polling from here costs it nothing.
            deadline = time.monotonic() + 10
            while (shown := page.evaluate("(n) => window.seen[n]", ply + 1)) is None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"move {ply + 1} never showed on the watching page")
                time.sleep(0.005)
            shown /= 1000
            delays.append(max(0.0, shown - answered) * 1000)
        browser.close()
    return delays, requests


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=len(LINE), help="moves measured")
    args = parser.parse_args()
    if not (BUILT / "index.html").is_file():
        print("the web face is not built: run `make install` first")
        return 1
    size = first_load_kb()
    with server([]) as (port, _, _pid):
        delays, requests = watch_delays(port, args.moves)
    baseline = statistics.median(requests)
    p50, p99 = statistics.median(delays), percentile(delays, 0.99)
    print(f"first load: {size:.1f} KB of JavaScript and CSS, gzip-compressed "
          f"(goal: at most {SIZE_GOAL_KB} KB)")  # fmt: skip
    print(f"baseline: a move's REST request takes {baseline:.1f} ms (median)")
    print(f"a move shows on a watching page after {p50:.1f} ms (p50), {p99:.1f} ms (p99), "
          f"p99 / baseline {p99 / baseline:.1f} (goal: p99 within {DELAY_GOAL_MS} ms)")  # fmt: skip
    return 0 if size <= SIZE_GOAL_KB and p99 <= DELAY_GOAL_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
