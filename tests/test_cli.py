"""The command line: flags become settings; db, user and system commands; the signing key."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gambit.cli import _parser, _settings, _without_password
from gambit.services.tokens import secret_key
from gambit.settings import Settings
from tests.conftest import (
    BACKENDS,
    SECRET_KEY,
    SERVER_ENVIRONMENT,
    LiveServer,
    ServerProcess,
    database,
    free_port,
)
from tests.helpers import bearer, refused_within_a_second, register
from tests.ws import open_socket


def _parse(*argv: str) -> Settings:
    return _settings(_parser().parse_args(["serve", *argv]))


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_PORT", "DATABASE_URL", "RATE_LIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    settings = _parse()
    assert settings.api_port == 8080
    assert settings.database_url == "sqlite+aiosqlite:///./data/gambit.db"
    assert settings.rate_limit_enabled


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_PORT", "9001")
    monkeypatch.setenv("ENGINE_WORKERS", "3")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    from_env = _parse()
    assert from_env.api_port == 9001
    assert from_env.engine_workers == 3
    assert from_env.trusted_proxies == [ipaddress.ip_network("10.0.0.0/8")]
    flags = _parse(
        "--port",
        "9002",
        "--engine-workers",
        "1",
        "--dev",
        "--database-timeout",
        "2.5",
        "--battle-idle-seconds",
        "60",
        "--no-rate-limit",
        "--database-url",
        "postgresql+asyncpg://db/gambit",
        "--host",
        "0.0.0.0",
        "--lichess-keepalive-seconds",
        "2",
        "--lichess-claim-victory-seconds",
        "30",
    )
    assert flags.api_port == 9002
    assert flags.engine_workers == 1
    assert flags.dev_mode
    assert flags.games_rate_per_second == 20
    assert flags.database_timeout == 2.5
    assert flags.battle_idle_seconds == 60
    assert not flags.rate_limit_enabled
    assert flags.database_url == "postgresql+asyncpg://db/gambit"
    assert flags.api_host == "0.0.0.0"
    assert (flags.lichess_keepalive_seconds, flags.lichess_claim_victory_seconds) == (2, 30)


def _gambit(*argv: str, database: Path | str, stdin: str | None = None, **env: str) -> Any:
    """Run ``gambit *argv`` on ``database``: a SQLite file, or any database URL."""
    url = database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "gambit", *argv, "--database-url", url],
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ | {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024"} | env,
        timeout=60,
    )


def test_user_commands(tmp_path: Path) -> None:
    database = tmp_path / "gambit.db"
    assert _gambit("db", "init", database=database).returncode == 0
    added = _gambit(
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.com",
        "--password",
        "SecurePass123",
        database=database,
    )
    assert added.returncode == 0, added.stderr
    assert "created alice" in added.stdout
    duplicate = _gambit("user", "add", "ALICE", "--password", "SecurePass123", database=database)
    assert duplicate.returncode == 1
    assert "username already taken" in duplicate.stderr
    weak = _gambit("user", "add", "bob", "--password", "weak", database=database)
    assert weak.returncode == 1
    assert "Password must be at least 8 characters" in weak.stderr
    listing = _gambit("user", "list", database=database)
    assert "alice" in listing.stdout
    assert "alice@example.com" in listing.stdout
    changed = _gambit("user", "set-email", "alice", "a@example.org", database=database)
    assert changed.returncode == 0
    assert "a@example.org" in changed.stdout
    password = _gambit(
        "user", "set-password", "a@example.org", "--password", "NewPass456", database=database
    )
    assert password.returncode == 0, password.stderr
    unknown = _gambit("user", "delete", "nobody", database=database)
    assert unknown.returncode == 1
    assert "no user" in unknown.stderr
    assert _gambit("user", "delete", "alice", database=database).returncode == 0
    assert "no users" in _gambit("user", "list", database=database).stdout


def test_user_add_prompts_for_the_password(tmp_path: Path) -> None:
    # getpass reads the terminal; without one it falls back to stdin.
    database = tmp_path / "gambit.db"
    added = _gambit(
        "user", "add", "carol", database=database, stdin="SecurePass123\nSecurePass123\n"
    )
    assert added.returncode == 0, added.stderr
    differ = _gambit("user", "add", "dave", database=database, stdin="SecurePass123\nOther1234\n")
    assert differ.returncode == 1


def test_the_accounts_work_in_the_server(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    database = tmp_path / "gambit.db"
    _gambit("user", "add", "erin", "--password", "SecurePass123", database=database)
    server = spawn_server(f"sqlite+aiosqlite:///{database}")
    with server.client() as client:
        login = client.post("/auth/login", json={"identifier": "erin", "password": "SecurePass123"})
        assert login.status_code == 200


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_running_server_refuses_the_tokens_the_cli_revokes_within_a_second(
    backend: str, tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    # No Redis: the server learns of the CLI's changes from the database alone.
    with database(backend, tmp_path) as url:
        server = start_server(url)
        with server.client() as client:
            alice, bob = register(client), register(client)
            assert client.get("/auth/me", headers=bearer(alice)).status_code == 200
            changed = _gambit(
                "user",
                "set-password",
                alice["username"],
                database=url,
                stdin="NewPass456\nNewPass456\n",
            )
            assert changed.returncode == 0, changed.stderr
            refused_within_a_second(lambda: client.get("/auth/me", headers=bearer(alice)))

            assert _create_battle(client, bob).status_code == 201
            deleted = _gambit("user", "delete", bob["username"], database=url)
            assert deleted.returncode == 0, deleted.stderr
            # Creating a battle reads no account: only the revocation refuses it.
            refused_within_a_second(lambda: _create_battle(client, bob))
            refused_within_a_second(lambda: client.get("/auth/me", headers=bearer(bob)))


def _create_battle(client: httpx.Client, session: Any) -> httpx.Response:
    seats = [{"type": "human"}, {"type": "human"}]
    return client.post("/battles", json={"game": "chess", "seats": seats}, headers=bearer(session))


def test_serve_needs_a_secret_key_outside_dev_mode(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "AUTH_SECRET_KEY"}
    result = subprocess.run(
        [
            *(sys.executable, "-m", "gambit", "serve", "--port", "0"),
            *("--database-url", f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 1
    assert "AUTH_SECRET_KEY is not set" in result.stderr


def test_serve_refuses_to_start_without_redis(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    result = subprocess.run(
        [
            *(sys.executable, "-m", "gambit", "serve", "--port", str(free_port())),
            *("--redis-url", url, "--database-url", f"sqlite+aiosqlite:///{tmp_path}/g.db"),
        ],
        capture_output=True,
        text=True,
        env=os.environ | SERVER_ENVIRONMENT,
        timeout=60,
    )
    assert time.monotonic() - started < 5
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"gambit: cannot reach Redis at REDIS_URL={url} (Connection refused)"
    ]


def test_a_redis_password_is_never_printed() -> None:
    assert _without_password("redis://:s3cret@db:6379/0") == "redis://:***@db:6379/0"
    assert _without_password("redis://app:s3cret@db:6379/0") == "redis://app:***@db:6379/0"
    assert _without_password("redis://db:6379/0") == "redis://db:6379/0"


def test_dev_mode_keeps_a_generated_key(tmp_path: Path) -> None:
    settings = Settings(dev_mode=True, data_dir=tmp_path, auth_secret_key=None)
    first = secret_key(settings)
    assert len(first) >= 32
    assert secret_key(settings) == first
    assert (tmp_path / "auth_secret.key").stat().st_mode & 0o777 == 0o600


def test_system_announce_reaches_connected_clients(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()

    def announce(*extra: str, **env: str) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "gambit", "system", "announce", *extra],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "AUTH_SECRET_KEY"} | env,
            timeout=60,
        )

    async def run() -> None:
        async with open_socket(server.url) as socket:
            done = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: announce(
                    "--event",
                    "maintenance",
                    "--message",
                    "down at 6",
                    "--url",
                    server.url,
                    AUTH_SECRET_KEY=SECRET_KEY,
                ),
            )
            assert done.returncode == 0, done.stderr
            assert "announced system:maintenance" in done.stdout
            got = await socket.expect("system:maintenance")
            assert got["data"] == {"message": "down at 6"}

    asyncio.run(asyncio.wait_for(run(), 60))
    # Signed with another key, the server refuses; without a key the CLI does.
    forged = announce(
        "--event", "update", "--message", "x", "--url", server.url, AUTH_SECRET_KEY="k" * 64
    )
    assert forged.returncode == 1
    assert "401" in forged.stderr
    keyless = announce("--event", "update", "--message", "x", "--url", server.url)
    assert keyless.returncode == 1
    assert "AUTH_SECRET_KEY" in keyless.stderr
