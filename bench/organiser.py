"""Shared by ``bench/calibrate_levels.py`` and ``bench/tournament.py``: a real ``gambit
serve`` (``bench/http_load.py``'s ``launch``) and an organiser that runs a tournament on
it through the public API (register, ``POST /api/v1/tournaments``, start, poll the
detail until it ends).

The server runs this checkout's code: ``src/`` beside this folder goes first on the
subprocess's ``PYTHONPATH``, whatever package is installed in the interpreter.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from http_load import launch

SRC = Path(__file__).resolve().parents[1] / "src"
PASSWORD = "SecurePass123"
POLL_SECONDS = 3.0


@contextmanager
def gambit_server(extra: Sequence[str] = (), keep_log: Path | None = None) -> Iterator[int]:
    """``gambit serve`` on a fresh SQLite file and a free port (this checkout's code);
    yields the port. The server's log is printed (its tail) if the block fails."""
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p
    )
    with tempfile.TemporaryDirectory(prefix="gambit-bench-") as directory:
        log_path = Path(directory, "server.log")
        try:
            with (
                log_path.open("wb") as log,
                launch(f"sqlite+aiosqlite:///{directory}/gambit.db", log, extra) as started,
            ):
                yield started.port
        except BaseException:
            tail = log_path.read_text(errors="replace").splitlines()[-30:]
            print("--- server log (tail) ---", *tail, sep="\n")
            raise
        finally:
            if keep_log is not None and log_path.exists():
                keep_log.write_bytes(log_path.read_bytes())


class Organiser:
    """A signed-in account that creates and runs tournaments over HTTP."""

    def __init__(self, port: int) -> None:
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        name = f"organiser_{uuid.uuid4().hex[:8]}"
        answer = self.client.post(
            "/api/v1/auth/register", json={"username": name, "password": PASSWORD}
        )
        answer.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.post("/api/v1/tournaments", json=body)
        if answer.status_code != 201:
            raise RuntimeError(f"creating the tournament: {answer.status_code} {answer.text}")
        created: dict[str, Any] = answer.json()
        return created

    def get(self, tournament_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/api/v1/tournaments/{tournament_id}")
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    def run(
        self, body: dict[str, Any], label: str, max_seconds: float | None = None
    ) -> tuple[dict[str, Any], float]:
        """Create, start and wait for the end; the finished tournament and the seconds
        from start to finish. After ``max_seconds`` the tournament is canceled (games not
        started are dropped) and the games in play are waited for: their results count."""
        tournament_id = self.create(body)["id"]
        answer = self.client.post(f"/api/v1/tournaments/{tournament_id}/start")
        answer.raise_for_status()
        started = time.perf_counter()
        shown = -1
        while True:
            time.sleep(POLL_SECONDS)
            found = self.get(tournament_id)
            progress = found["progress"]
            if progress["played"] != shown:
                shown = progress["played"]
                elapsed = time.perf_counter() - started
                print(f"  {label}: {shown}/{progress['total']} games, {elapsed:.0f} s", flush=True)
            if found["status"] == "finished" or (
                found["status"] == "canceled" and progress["running"] == 0
            ):
                return found, time.perf_counter() - started
            if (
                max_seconds is not None
                and found["status"] == "running"
                and time.perf_counter() - started > max_seconds
            ):
                print(f"  {label}: out of time, canceled; the games in play finish", flush=True)
                self.client.post(f"/api/v1/tournaments/{tournament_id}/cancel").raise_for_status()

    def replay(self, battle_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/api/v1/state/replay/{battle_id}")
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    def close(self) -> None:
        self.client.close()
