"""Test servers: the real application on a free port, on SQLite and on PostgreSQL.

`live_server` runs uvicorn in a thread of this process, so tests can talk HTTP to it
and still look inside (e.g. count long-poll subscribers). `spawn_server` runs
``python -m gambit serve`` as a child process, for crash and restart tests.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from gambit.api.app import create_app
from gambit.api.server import Server, config
from gambit.settings import Settings

POSTGRES_URL = os.environ.get(
    "GAMBIT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgres"]
SECRET_KEY = "test-signing-key-" + "0123456789abcdef" * 4
# Cheap password hashes keep the suite fast; the production cost is argon2-cffi's default.
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}
SERVER_ENVIRONMENT = {
    "AUTH_SECRET_KEY": SECRET_KEY,
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "1024",
}


class LiveServer:
    """The gambit app served by uvicorn in a background thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self._server = Server(
            config(self.app, settings, host="127.0.0.1", port=0, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if self.settings.ssl_certfile else "http"
        self.url = f"{scheme}://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url + "/api/v1", **({"timeout": 30} | kwargs))

    @property
    def services(self) -> Any:
        return self.app.state.services


REDIS_URL = os.environ.get("GAMBIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def postgres_reachable() -> bool:
    return _reachable("127.0.0.1", 5432)


@pytest.fixture
def redis_url() -> str:
    """The test Redis (``GAMBIT_TEST_REDIS_URL``); skipped, loudly, only if unreachable."""
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    if not _reachable(parts.hostname or "127.0.0.1", parts.port or 6379):
        pytest.skip(f"REDIS NOT REACHABLE at {REDIS_URL}: shared-counter tests skipped")
    return REDIS_URL


class RedisServer:
    """A ``redis-server`` of the test's own on a free port, to kill and start again on
    the same port: outages without touching the shared test Redis."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _reachable("127.0.0.1", self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


@pytest.fixture
def throwaway_redis() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server NOT INSTALLED: Redis outage tests skipped")
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL NOT REACHABLE at {POSTGRES_URL}: PostgreSQL tests skipped")
    name = f"gambit_test_{uuid.uuid4().hex[:12]}"
    postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        drop_postgres_database(name)


def postgres_admin(sql: str) -> None:
    """Run one statement on the test PostgreSQL's own database (creating, dropping)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


def drop_postgres_database(name: str) -> None:
    postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url or "sqlite+aiosqlite:///:memory:",
        "engine_workers": 2,
        "rate_limit_enabled": False,
        "long_poll_seconds": 5,
        "auth_secret_key": SECRET_KEY,
        # Many tests sign in wrongly from 127.0.0.1; the lock has tests of its own.
        "login_failures_per_ip": 1000,
        **FAST_HASHING,
    }
    # A developer's own .env in the checkout must not reach the test servers.
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per test module and backend, rate limits off."""
    with database(backend, tmp_path_factory.mktemp("db")) as url:
        live = LiveServer(make_settings(url)).start()
        yield live
        live.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start servers with chosen settings (SQLite in tmp_path unless told otherwise)."""
    started: list[LiveServer] = []

    def start(database_url: str | None = "default", **overrides: Any) -> LiveServer:
        if database_url == "default":
            database_url = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
        live = LiveServer(make_settings(database_url, **overrides)).start()
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made with the openssl CLI."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``python -m gambit serve`` in a child process."""

    def __init__(
        self,
        database_url: str,
        log: Path,
        *extra: str,
        port: int | None = None,
        new_session: bool = False,
    ) -> None:
        self.port = port or free_port()
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gambit",
                "serve",
                "--port",
                str(self.port),
                "--database-url",
                database_url,
                "--engine-workers",
                "1",
                "--no-rate-limit",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
            env=os.environ | SERVER_ENVIRONMENT,
            # Its own process group, to be signalled as a terminal or systemd signals one.
            start_new_session=new_session,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text()}")
            time.sleep(0.05)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url + "/api/v1", timeout=30)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def spawn_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    spawned: list[ServerProcess] = []

    def spawn(
        database_url: str, *extra: str, port: int | None = None, new_session: bool = False
    ) -> ServerProcess:
        """A server on ``port`` (a free one by default: pass the last one's to restart it)."""
        process = ServerProcess(
            database_url, tmp_path / "server.log", *extra, port=port, new_session=new_session
        )
        spawned.append(process)
        return process

    yield spawn
    for process in spawned:
        if process.process.poll() is None:
            process.kill()


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """Commands run in this process (``gambit.cli.main``) configure logging for a
    process of their own: the run's logging is put back after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
